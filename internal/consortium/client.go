package consortium

import (
	"context"
	"fmt"
	"net"
	"strconv"
	"sync"

	"google.golang.org/grpc/resolver"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// Connect opens a fabric-gateway connection for user of org to org's own
// peer container (fabnet.Connect). The host does not resolve the
// consortium's names, so the connection's target is the peer's name under
// the resolver scheme "tierchain-compose", which maps it to the
// container's current address on the network: the peer's TLS certificate
// is still checked for its name (peer0.<domain>), as the other nodes do.
func (c *Consortium) Connect(ctx context.Context, org, user string) (*fabnet.Connection, error) {
	o, ok := c.Layout.Org(org)
	if !ok {
		return nil, fmt.Errorf("%w %q", fabnet.ErrNoOrg, org)
	}
	id, err := c.net.IdentityFor(org, user)
	if err != nil {
		return nil, err
	}
	ip, err := c.containerIP(ctx, PeerService(org))
	if err != nil {
		return nil, err
	}
	containerNames.set(o.PeerHost, ip)
	id.PeerAddress = containerNames.Scheme() + ":///" + net.JoinHostPort(o.PeerHost, strconv.Itoa(o.Peer.Listen))
	return fabnet.Connect(id)
}

// names resolves the consortium's node names to their containers'
// addresses, for gRPC (resolver scheme "tierchain-compose").
type names struct {
	mu sync.Mutex
	ip map[string]string
}

var containerNames = &names{ip: map[string]string{}}

func init() { resolver.Register(containerNames) }

func (n *names) set(host, ip string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.ip[host] = ip
}

// Scheme implements resolver.Builder.
func (n *names) Scheme() string { return "tierchain-compose" }

// Build implements resolver.Builder: the target's host, resolved once.
func (n *names) Build(t resolver.Target, cc resolver.ClientConn, _ resolver.BuildOptions) (resolver.Resolver, error) {
	host, port, err := net.SplitHostPort(t.Endpoint())
	if err != nil {
		return nil, err
	}
	n.mu.Lock()
	ip, ok := n.ip[host]
	n.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("consortium: no container address for %s", host)
	}
	if err := cc.UpdateState(resolver.State{Addresses: []resolver.Address{{Addr: net.JoinHostPort(ip, port)}}}); err != nil {
		return nil, err
	}
	return fixed{}, nil
}

// fixed is a resolver whose one address does not change (a restarted
// container is connected to again, by a new Connect).
type fixed struct{}

func (fixed) ResolveNow(resolver.ResolveNowOptions) {}
func (fixed) Close()                                {}
