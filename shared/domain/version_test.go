package domain

import "testing"

func TestCheckVersion(t *testing.T) {
	for _, tc := range []struct {
		product Product
		version string
		want    Kind // "" means accepted
	}{
		{ProductJira, "11.3", ""},
		{ProductJira, "11.3.0", ""},
		{ProductJira, "11.10.0", ""},
		{ProductJira, "11.10.2", ""},
		{ProductJira, "12.0.0-rc1", ""},
		{ProductJira, "11.3.1-m0001", ""},
		{ProductJira, "11.2.9", KindUnprocessable},
		{ProductJira, "11.3.0-m0003", KindUnprocessable},
		{ProductJira, "10.1", KindUnprocessable},
		{ProductConfluence, "10.2.0", ""},
		{ProductConfluence, "10.2.0-rc2", KindUnprocessable},
		{ProductConfluence, "9.99.99", KindUnprocessable},
		{ProductJira, "abc", KindInvalid},
		{ProductJira, "11", KindInvalid},
		{ProductJira, "11.3.0.1", KindInvalid},
		{ProductJira, "011.3", KindInvalid},
		{ProductJira, " 11.3", KindInvalid},
		{ProductJira, "11.3-", KindInvalid},
		{ProductJira, "", KindInvalid},
		{ProductJira, "99999999999.1", KindInvalid},
	} {
		t.Run(string(tc.product)+" "+tc.version, func(t *testing.T) {
			_, err := CheckVersion(tc.product, tc.version)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("CheckVersion(%q) = %v, want accepted", tc.version, err)
				}
				return
			}
			if got := KindOf(err); got != tc.want {
				t.Fatalf("CheckVersion(%q) kind = %q, want %q (err %v)", tc.version, got, tc.want, err)
			}
		})
	}
}

func TestVersionCompare(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"11.10", "11.3", 1},
		{"11.3.0", "11.3", 0},
		{"11.3.0-m0003", "11.3.0", -1},
		{"11.3.0-m0003", "11.3.0-m0004", -1},
		{"11.3.1-m0001", "11.3.0", 1},
		{"10.2.0", "9.9.9", 1},
	} {
		a, errA := ParseVersion(tc.a)
		b, errB := ParseVersion(tc.b)
		if errA != nil || errB != nil {
			t.Fatalf("parse %q, %q: %v, %v", tc.a, tc.b, errA, errB)
		}
		if got := a.Compare(b); got != tc.want {
			t.Errorf("%s vs %s = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}
