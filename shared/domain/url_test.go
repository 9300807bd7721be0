package domain

import (
	"strings"
	"testing"
)

func TestCheckURL(t *testing.T) {
	for _, tc := range []struct {
		in       string
		loopback bool
		ok       bool
	}{
		{"https://jira.example.com", false, true},
		{"https://jira.example.com/context/", false, true},
		{"http://jira.example.com", true, false},
		{"http://127.0.0.1:8099", true, true},
		{"http://localhost:8099", true, true},
		{"http://127.0.0.1:8099", false, false},
		{"https://user:pass@jira.example.com", false, false},
		{"https://jira.example.com/#frag", false, false},
		{"https://jira.example.com/?q=1", false, false},
		{"ftp://jira.example.com", false, false},
		{"jira.example.com", false, false},
		{"https://", false, false},
		{"https://x.example.com/" + strings.Repeat("a", MaxURLLength), false, false},
	} {
		if _, err := CheckURL("url", tc.in, tc.loopback); (err == nil) != tc.ok {
			t.Errorf("CheckURL(%.60q, loopback %v) = %v, want ok %v", tc.in, tc.loopback, err, tc.ok)
		}
	}
}
