package dynamo

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestItemSize(t *testing.T) {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	n := func(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
	tests := []struct {
		name string
		item map[string]types.AttributeValue
		want int
	}{
		{"empty", nil, 0},
		{"string", map[string]types.AttributeValue{"pk": s("abc")}, 2 + 3},
		{"multibyte name and value", map[string]types.AttributeValue{"é": s("é")}, 2 + 2},
		{"three digits", map[string]types.AttributeValue{"n": n("123")}, 1 + 3},
		{"zeros trimmed", map[string]types.AttributeValue{"n": n("1000")}, 1 + 2},
		{"negative decimal", map[string]types.AttributeValue{"x": n("-1.50")}, 1 + 3},
		{"zero", map[string]types.AttributeValue{"z": n("0")}, 1 + 1},
		{"binary", map[string]types.AttributeValue{"b": &types.AttributeValueMemberB{Value: []byte{1, 2, 3}}}, 1 + 3},
		{"bool", map[string]types.AttributeValue{"ok": &types.AttributeValueMemberBOOL{Value: true}}, 2 + 1},
		{"null", map[string]types.AttributeValue{"n": &types.AttributeValueMemberNULL{Value: true}}, 1 + 1},
		{"list", map[string]types.AttributeValue{"l": &types.AttributeValueMemberL{Value: []types.AttributeValue{s("ab"), n("1")}}}, 1 + 3 + (1 + 2) + (1 + 2)},
		{"empty list", map[string]types.AttributeValue{"l": &types.AttributeValueMemberL{}}, 1 + 3},
		{"map", map[string]types.AttributeValue{"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"k": s("v")}}}, 1 + 3 + (1 + 1 + 1)},
		{"string set", map[string]types.AttributeValue{"s": &types.AttributeValueMemberSS{Value: []string{"a", "bc"}}}, 1 + 3},
		{"number set", map[string]types.AttributeValue{"s": &types.AttributeValueMemberNS{Value: []string{"1", "12345"}}}, 1 + 2 + 4},
		{"two attributes", map[string]types.AttributeValue{"pk": s("a"), "sk": s("link")}, 3 + 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ItemSize(tt.item); got != tt.want {
				t.Errorf("ItemSize = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestRequestUnits(t *testing.T) {
	reads := []struct {
		size       int
		consistent bool
		want       float64
	}{
		{0, true, 1},
		{0, false, 0.5},
		{4096, true, 1},
		{4097, true, 2},
		{4097, false, 1},
		{12000, false, 1.5},
	}
	for _, tt := range reads {
		if got := ReadUnits(tt.size, tt.consistent); got != tt.want {
			t.Errorf("ReadUnits(%d, %v) = %v, want %v", tt.size, tt.consistent, got, tt.want)
		}
	}
	writes := []struct {
		size int
		want float64
	}{{0, 1}, {1, 1}, {1024, 1}, {1025, 2}, {4000, 4}}
	for _, tt := range writes {
		if got := WriteUnits(tt.size); got != tt.want {
			t.Errorf("WriteUnits(%d) = %v, want %v", tt.size, got, tt.want)
		}
	}
}

func TestMentions(t *testing.T) {
	tests := []struct {
		expr, placeholder string
		want              bool
	}{
		{"#0 = :0 AND begins_with(#1, :1)", "#1", true},
		{"#10 = :10", "#1", false},
		{"#10 = :10", ":10", true},
		{"pk = :pk", ":p", false},
		{"pk = :pk", ":pk", true},
	}
	for _, tt := range tests {
		if got := mentions(tt.expr, tt.placeholder); got != tt.want {
			t.Errorf("mentions(%q, %q) = %v, want %v", tt.expr, tt.placeholder, got, tt.want)
		}
	}
}

func TestIndexWrites(t *testing.T) {
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	base := func(extra map[string]types.AttributeValue) itemImage {
		it := itemImage{AttrPK: s("lnk_1"), AttrSK: s(skLink), "status": s("PENDING")}
		for k, v := range extra {
			it[k] = v
		}
		return it
	}
	byOrg := map[string]types.AttributeValue{AttrOrgKey: s("org"), AttrOrgSort: s("LNK#a")}
	pending := map[string]types.AttributeValue{AttrPendingConnector: s("con"), AttrPendingExpiresAt: s("t1")}
	merge := func(ms ...map[string]types.AttributeValue) map[string]types.AttributeValue {
		out := map[string]types.AttributeValue{}
		for _, m := range ms {
			for k, v := range m {
				out[k] = v
			}
		}
		return out
	}
	m := NewMeter(nil)
	tests := []struct {
		name          string
		before, after itemImage
		want          float64
	}{
		{"no index", base(nil), base(map[string]types.AttributeValue{"x": s("y")}), 0},
		{"unchanged", base(byOrg), base(byOrg), 0},
		{"new item in one index", nil, base(byOrg), 1},
		{"new item in two indexes", nil, base(merge(byOrg, pending)), 2},
		{"updated in place", base(byOrg), base(merge(byOrg, map[string]types.AttributeValue{"x": s("y")})), 1},
		{"leaves sparse index", base(merge(byOrg, pending)), base(byOrg), 1 + 1},
		{"moves within index", base(merge(byOrg, pending)),
			base(merge(byOrg, map[string]types.AttributeValue{AttrPendingConnector: s("con"), AttrPendingExpiresAt: s("t2")})), 1 + 2},
		{"deleted", base(byOrg), nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.indexWrites(tt.before, tt.after); got != tt.want {
				t.Errorf("indexWrites = %v, want %v", got, tt.want)
			}
		})
	}
}
