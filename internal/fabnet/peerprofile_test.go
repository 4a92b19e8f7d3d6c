package fabnet_test

import (
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
)

// Without Options.PeerProfile no peer listens for profiles where the
// option would put the listener (core.yaml keeps it off).
func TestPeerProfileOffByDefault(t *testing.T) {
	n := fabnettest.Network()
	for _, o := range n.Layout.Orgs {
		if a, ok := n.PeerProfileAddress(o.Name); ok {
			t.Errorf("%s profiles at %s without the option", o.Name, a)
		}
		for _, a := range []string{fmt.Sprintf("127.0.0.1:%d", o.Peer.Operations+1), net.JoinHostPort(o.Host, fmt.Sprint(o.Peer.Operations+1))} {
			if c, err := net.DialTimeout("tcp", a, time.Second); err == nil {
				c.Close()
				t.Errorf("%s: something listens at %s", o.Name, a)
			}
		}
	}
}
