package consortium

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/hash"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// Client is a fabric-gateway client of one organisation's identity bound
// to that organisation's own peer.
type Client struct {
	*client.Gateway
	conn *grpc.ClientConn
}

// Close closes the gateway and its connection.
func (c *Client) Close() error {
	c.Gateway.Close()
	return c.conn.Close()
}

// Contract is a contract of the TierChain chaincode on the channel.
func (c *Client) Contract(name string) *client.Contract {
	return c.GetNetwork(fabnet.ChannelName).GetContractWithName(fabnet.ChaincodeName, name)
}

// Connect opens a fabric-gateway connection for user of org to org's own
// peer container. The host does not resolve the consortium's names, so it
// dials the container's address on the network and verifies the peer's TLS
// certificate for its name (peer0.<domain>), as the other nodes do.
func (c *Consortium) Connect(ctx context.Context, org, user string) (*Client, error) {
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
	certPEM, err := os.ReadFile(id.CertPath)
	if err != nil {
		return nil, err
	}
	cert, err := identity.CertificateFromPEM(certPEM)
	if err != nil {
		return nil, err
	}
	xid, err := identity.NewX509Identity(id.MSPID, cert)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(id.KeyPath)
	if err != nil {
		return nil, err
	}
	key, err := identity.PrivateKeyFromPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	sign, err := identity.NewPrivateKeySign(key)
	if err != nil {
		return nil, err
	}
	caPEM, err := os.ReadFile(id.TLSCAPath)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("consortium: no certificate in %s", id.TLSCAPath)
	}
	creds := credentials.NewTLS(&tls.Config{RootCAs: pool, ServerName: o.PeerHost, MinVersion: tls.VersionTLS12})
	conn, err := grpc.NewClient(net.JoinHostPort(ip, strconv.Itoa(o.Peer.Listen)), grpc.WithTransportCredentials(creds))
	if err != nil {
		return nil, err
	}
	gw, err := client.Connect(xid, client.WithSign(sign), client.WithHash(hash.SHA256), client.WithClientConnection(conn),
		client.WithEvaluateTimeout(10*time.Second), client.WithEndorseTimeout(30*time.Second),
		client.WithSubmitTimeout(10*time.Second), client.WithCommitStatusTimeout(60*time.Second))
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &Client{Gateway: gw, conn: conn}, nil
}
