package fabnet

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/hash"
	"google.golang.org/grpc"

	"github.com/tierchain/tierchain/internal/fabricclient"
)

// Identity locates an org's client identity on disk: its MSP, certificate,
// key and the TLS CA of its peer. The gateway service reads the same files.
type Identity struct {
	MSPID       string
	CertPath    string
	KeyPath     string
	PeerAddress string
	TLSCAPath   string
}

// IdentityFor returns the files of user ("Admin", "User1", …) of org.
func (n *Network) IdentityFor(org, user string) (Identity, error) {
	o, ok := n.Layout.Org(org)
	if !ok {
		return Identity{}, fmt.Errorf("fabnet: no org %q", org)
	}
	dir := filepath.Join(n.p.User(o, user), "msp")
	certs, _ := filepath.Glob(filepath.Join(dir, "signcerts", "*.pem"))
	if len(certs) != 1 {
		return Identity{}, fmt.Errorf("fabnet: no certificate for %s of %s", user, org)
	}
	return Identity{
		MSPID:       o.MSPID,
		CertPath:    certs[0],
		KeyPath:     filepath.Join(dir, "keystore", "priv_sk"),
		PeerAddress: n.Layout.PeerAddress(o),
		TLSCAPath:   n.p.PeerTLSCA(o),
	}, nil
}

// Connection is a fabric-gateway client bound to one org's peer.
type Connection struct {
	*client.Gateway
	conn *grpc.ClientConn
}

// Close closes the gateway and its gRPC connection.
func (c *Connection) Close() error {
	c.Gateway.Close()
	return c.conn.Close()
}

// Connect opens a fabric-gateway connection for identity id.
func Connect(id Identity) (*Connection, error) {
	certPEM, err := os.ReadFile(id.CertPath)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(id.KeyPath)
	if err != nil {
		return nil, err
	}
	xid, sign, err := fabricclient.NewIdentity(id.MSPID, certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	caPEM, err := os.ReadFile(id.TLSCAPath)
	if err != nil {
		return nil, err
	}
	conn, err := fabricclient.DialPeer(id.PeerAddress, caPEM, "")
	if err != nil {
		return nil, fmt.Errorf("fabnet: %s: %w", id.TLSCAPath, err)
	}
	gw, err := client.Connect(xid, client.WithSign(sign), client.WithHash(hash.SHA256), client.WithClientConnection(conn),
		client.WithEvaluateTimeout(10*time.Second), client.WithEndorseTimeout(30*time.Second),
		client.WithSubmitTimeout(10*time.Second), client.WithCommitStatusTimeout(60*time.Second))
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &Connection{Gateway: gw, conn: conn}, nil
}

// Connect opens a gateway for user of org on this network.
func (n *Network) Connect(org, user string) (*Connection, error) {
	id, err := n.IdentityFor(org, user)
	if err != nil {
		return nil, err
	}
	return Connect(id)
}

// Contract returns the TierChain chaincode on the channel for a connection.
func (c *Connection) Contract(name string) *client.Contract {
	return c.GetNetwork(ChannelName).GetContractWithName(ChaincodeName, name)
}

// CAFiles returns the paths of org's signing CA certificate and key (the
// material the operator issues hosted enterprises' identities with).
func (n *Network) CAFiles(org string) (certPath, keyPath string, err error) {
	o, ok := n.Layout.Org(org)
	if !ok {
		return "", "", fmt.Errorf("fabnet: no org %q", org)
	}
	dir := filepath.Join(n.p.PeerOrg(o), "ca")
	return filepath.Join(dir, "ca."+o.Domain+"-cert.pem"), filepath.Join(dir, "priv_sk"), nil
}
