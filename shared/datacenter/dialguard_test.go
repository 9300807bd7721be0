package datacenter

import "testing"

func TestCheckDialAddress(t *testing.T) {
	for _, tc := range []struct {
		addr     string
		loopback bool
		ok       bool
	}{
		{"203.0.113.10:443", false, true},
		{"[2001:db8::1]:443", false, true},
		{"127.0.0.1:8099", true, true},
		{"127.0.0.1:8099", false, false},
		{"[::1]:443", false, false},
		{"169.254.169.254:80", true, false},
		{"10.1.2.3:443", true, false},
		{"172.20.0.1:443", false, false},
		{"192.168.1.1:443", false, false},
		{"100.64.0.1:443", false, false},
		{"[fd00::1]:443", false, false},
		{"[fe80::1]:443", false, false},
		{"[::ffff:10.0.0.1]:443", false, false},
		{"0.0.0.0:443", true, false},
	} {
		err := checkDialAddress(tc.addr, tc.loopback)
		if (err == nil) != tc.ok {
			t.Errorf("checkDialAddress(%s, loopback %v) = %v, want ok %v", tc.addr, tc.loopback, err, tc.ok)
		}
	}
}
