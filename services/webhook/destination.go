package webhook

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// Destinations. A subscription names a URL; an enterprise that may
// subscribe could otherwise make the gateway post to the gateway's own
// network: its peer's operations port, another organisation's gateway on
// the same host, a cloud metadata service. So a delivery goes only to a
// public unicast address, or to an address inside one of the networks the
// deployment allows (Config.AllowNetworks: the bank systems' own subnet).
// The check runs on the address actually dialled, after name resolution,
// so a name that resolves to a forbidden address (or is rebound to one
// after the subscription) is refused too; a literal address or "localhost"
// is refused already when subscribing.

// notPublic are the special-purpose ranges (RFC 6890 and successors) that
// netip's predicates do not cover.
var notPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
}

// Public reports whether addr is a public unicast address: not loopback,
// private, link-local (the cloud metadata services live there), multicast,
// unspecified or another special-purpose range.
func Public(addr netip.Addr) bool {
	addr = addr.Unmap()
	if !addr.IsValid() || addr.IsLoopback() || addr.IsPrivate() || addr.IsLinkLocalUnicast() ||
		addr.IsLinkLocalMulticast() || addr.IsInterfaceLocalMulticast() || addr.IsMulticast() || addr.IsUnspecified() {
		return false
	}
	for _, p := range notPublic {
		if p.Contains(addr) {
			return false
		}
	}
	return true
}

// allowed reports whether a delivery may go to addr.
func (c *Config) allowed(addr netip.Addr) bool {
	addr = addr.Unmap()
	for _, p := range c.AllowNetworks {
		if p.Contains(addr) {
			return true
		}
	}
	return Public(addr)
}

// checkHost refuses, when subscribing, a URL whose host is a literal
// address (or localhost) deliveries may not reach. Names are checked when
// dialled.
func (c *Config) checkHost(u *url.URL) error {
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		host = "127.0.0.1"
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return nil // a name: checked at every dial
	}
	if !c.allowed(addr) {
		return ErrDestination.With(addr.String() + " is not a public address and not in the networks this gateway allows")
	}
	return nil
}

// guardedTransport is an HTTP transport that dials only allowed
// addresses and uses no proxy (a proxy would dial for it, unchecked).
func (c *Config) guardedTransport(base *http.Transport) *http.Transport {
	t := base.Clone()
	t.Proxy = nil
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return ErrDestination.With("cannot read the dialled address " + address)
			}
			if !c.allowed(ap.Addr()) {
				return ErrDestination.With(ap.Addr().String() + " is not a public address and not in the networks this gateway allows")
			}
			return nil
		}}
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}
	return t
}

// guardClient returns a copy of client whose deliveries dial only
// allowed addresses. A client with a transport that is not an
// *http.Transport (a test's) is used as it is.
func (c *Config) guardClient(client *http.Client) *http.Client {
	out := *client
	switch t := client.Transport.(type) {
	case nil:
		out.Transport = c.guardedTransport(http.DefaultTransport.(*http.Transport))
	case *http.Transport:
		out.Transport = c.guardedTransport(t)
	}
	return &out
}
