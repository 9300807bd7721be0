package datacenter

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// blockedRanges are addresses a Data Center instance is never reached at:
// private and shared networks, link-local addresses (which include the
// instance metadata address 169.254.169.254), and other special ranges. A
// connector's rpcUrl is set by an organization admin, so without this check
// the service could be made to send signed calls and client secrets into
// its own network.
var blockedRanges = func() []netip.Prefix {
	var out []netip.Prefix
	for _, s := range []string{
		"0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12",
		"192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
		"::/128", "fc00::/7", "fe80::/10", "ff00::/8", "64:ff9b::/96",
	} {
		out = append(out, netip.MustParsePrefix(s))
	}
	return out
}()

// PublicHTTPClient returns an HTTP client whose connections may go only to
// public addresses. The check runs on the address actually dialled, after
// DNS resolution, so a name that resolves to a private address is refused
// as well. allowLoopback admits 127.0.0.0/8 and ::1, for local runs
// against the simulated Data Center.
func PublicHTTPClient(allowLoopback bool) *http.Client {
	dialer := &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			return checkDialAddress(address, allowLoopback)
		},
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil
	transport.DialContext = dialer.DialContext
	return &http.Client{Transport: transport, Timeout: DefaultTimeout}
}

func checkDialAddress(address string, allowLoopback bool) error {
	host, _, err := net.SplitHostPort(address)
	if err != nil {
		return fmt.Errorf("dial %s: %w", address, err)
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Errorf("dial %s: not an IP address", address)
	}
	ip = ip.Unmap()
	if ip.IsLoopback() {
		if allowLoopback {
			return nil
		}
		return fmt.Errorf("dial %s: loopback addresses are not allowed", address)
	}
	for _, p := range blockedRanges {
		if p.Contains(ip) {
			return fmt.Errorf("dial %s: address in %s is not allowed for a Data Center instance", address, p)
		}
	}
	return nil
}
