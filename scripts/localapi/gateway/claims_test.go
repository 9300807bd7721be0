package gateway

import (
	"encoding/json"
	"testing"
)

func TestClaimString(t *testing.T) {
	tests := []struct {
		name  string
		value any
		want  string
	}{
		{"string", "user-1", "user-1"},
		{"empty string", "", ""},
		{"json number", json.Number("1718722804"), "1718722804"},
		{"json fraction", json.Number("1.25"), "1.25"},
		{"float64 epoch", float64(1718722804), "1718722804"},
		{"true", true, "true"},
		{"false", false, "false"},
		{"null", nil, "null"},
		{"array of strings", []any{"a", "b", "c"}, "[a b c]"},
		{"empty array", []any{}, "[]"},
		{"array of mixed", []any{json.Number("1"), "x", true}, "[1 x true]"},
		{"object", map[string]any{"b": json.Number("2"), "a": "x"}, `{"a":"x","b":2}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := claimString(tt.value); got != tt.want {
				t.Errorf("claimString(%#v): got %q, want %q", tt.value, got, tt.want)
			}
		})
	}
}
