package webhooks

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrRefusedAddress: a receiver resolved to an address the operator did
// not allow (loopback, private, link-local, ...).
var ErrRefusedAddress = errors.New("webhooks: receiver address refused")

// Guard says which receivers' addresses may be dialled. By default only
// public unicast addresses: a webhook's URL is chosen by a team admin, and
// without this it could reach the server's own network (SSRF).
type Guard struct {
	// AllowPrivate allows every address (tests, a closed network).
	AllowPrivate bool
	// Allow lists prefixes allowed although not public (an internal
	// receiver the operator trusts).
	Allow []netip.Prefix
}

// Permits reports whether addr may be dialled.
func (g Guard) Permits(addr netip.Addr) bool {
	addr = addr.Unmap()
	if g.AllowPrivate {
		return true
	}
	for _, p := range g.Allow {
		if p.Contains(addr) {
			return true
		}
	}
	return public(addr)
}

// nonPublic are ranges that are neither loopback, private nor link-local
// by the standard library's tests, yet reach no public host.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, broadcast
	netip.MustParsePrefix("64:ff9b::/96"),    // NAT64, could embed a private IPv4
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2002::/16"),       // 6to4, could embed a private IPv4
	netip.MustParsePrefix("fec0::/10"),       // site-local (deprecated)
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("192.88.99.0/24"),  // 6to4 relay anycast
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation
	netip.MustParsePrefix("198.51.100.0/24"), // documentation
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation
}

func public(a netip.Addr) bool {
	if !a.IsValid() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.IsMulticast() || a.IsUnspecified() || a.IsInterfaceLocalMulticast() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// control checks the address the dialer is about to connect to: after name
// resolution, for every address tried, so a name that resolves to a public
// address when checked and a private one when dialled is refused too.
func (g Guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %q is not an IP address and port", ErrRefusedAddress, address)
	}
	if !g.Permits(ap.Addr()) {
		return fmt.Errorf("%w: %s is not a public address (the operator may allow it: --webhook-allow-private, --webhook-allow-cidr)", ErrRefusedAddress, ap.Addr())
	}
	return nil
}

// Client is an HTTP client for receivers: every connection's address is
// checked by the guard, no proxy from the environment (it would be dialled
// instead of the receiver), redirects are not followed (a 3xx is a failed
// attempt: following one could lead anywhere), and each request has
// timeout.
func (g Guard) Client(timeout time.Duration) *http.Client {
	dialer := &net.Dialer{Timeout: timeout, Control: g.control}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          16,
		IdleConnTimeout:       30 * time.Second,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
