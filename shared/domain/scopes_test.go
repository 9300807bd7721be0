package domain

import (
	"slices"
	"testing"
)

func TestCanonicalScopes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		product Product
		in      []string
		want    []string
		invalid bool
	}{
		{"sorted upper-case deduplicated", ProductJira, []string{" write", "READ", "read "}, []string{"READ", "WRITE"}, false},
		{"jira only scope", ProductJira, []string{"manage_subscriptions"}, []string{"MANAGE_SUBSCRIPTIONS"}, false},
		{"jira scope on confluence", ProductConfluence, []string{"READ_ALL"}, nil, true},
		{"empty", ProductJira, nil, nil, true},
		{"unknown", ProductJira, []string{"READ", "FLY"}, nil, true},
		{"blank entry", ProductJira, []string{""}, nil, true},
		{"too many", ProductJira, make([]string, MaxScopes+1), nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := CanonicalScopes(tc.product, tc.in)
			if tc.invalid {
				if KindOf(err) != KindInvalid {
					t.Fatalf("CanonicalScopes(%q) error = %v, want KindInvalid", tc.in, err)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Fatalf("CanonicalScopes(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestScopeDiff(t *testing.T) {
	missing, extra := ScopeDiff([]string{"READ", "WRITE"}, []string{"ADMIN", "READ"})
	if !slices.Equal(missing, []string{"WRITE"}) || !slices.Equal(extra, []string{"ADMIN"}) {
		t.Errorf("ScopeDiff = missing %q extra %q, want [WRITE] and [ADMIN]", missing, extra)
	}
	missing, extra = ScopeDiff([]string{"READ"}, []string{"READ"})
	if len(missing)+len(extra) != 0 {
		t.Errorf("equal sets differ: missing %q extra %q", missing, extra)
	}
}
