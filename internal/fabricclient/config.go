package fabricclient

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/hash"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

// Timeouts bound each phase of a call. A zero field takes its default.
// The caller's context still applies: the shorter deadline wins.
type Timeouts struct {
	Evaluate     time.Duration // default 10s
	Endorse      time.Duration // default 30s
	Submit       time.Duration // default 10s
	CommitStatus time.Duration // default 60s
}

func (t Timeouts) withDefaults() Timeouts {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&t.Evaluate, 10*time.Second)
	def(&t.Endorse, 30*time.Second)
	def(&t.Submit, 10*time.Second)
	def(&t.CommitStatus, 60*time.Second)
	return t
}

// Options name what a Client talks to once it has a gateway connection.
type Options struct {
	Channel   string // default "scf"
	Chaincode string // default "tierchain"
	MSPID     string // the org this client signs as, whose peer it connects through (endorse tells that peer's refusals from the others')
	Timeouts  Timeouts
	// MVCCRetries is how many times Submit endorses and submits again when
	// the transaction is invalidated by an MVCC (or phantom) read
	// conflict. Safe: an invalidated transaction changed nothing, and the
	// new endorsement reads the current state (so a token spent meanwhile
	// now fails with the chaincode's CONFLICT). 0 (the default) returns
	// ErrMVCCConflict to the caller at once.
	MVCCRetries int
}

func (o Options) withDefaults() Options {
	if o.Channel == "" {
		o.Channel = "scf"
	}
	if o.Chaincode == "" {
		o.Chaincode = "tierchain"
	}
	o.Timeouts = o.Timeouts.withDefaults()
	return o
}

// Config is everything Dial needs to open its own connection: the peer's
// address and TLS CA, and the client identity (certificate, key, MSP ID),
// all as PEM so that they may come from files, a secret store or env.
type Config struct {
	PeerEndpoint       string // host:port of the org's own peer
	ServerNameOverride string // TLS server name when it differs from the endpoint's host
	TLSCACertPEM       []byte
	CertPEM            []byte
	KeyPEM             []byte
	MSPID              string
	Options
}

// Dial opens a gRPC connection to the peer and a gateway over it. The
// Client owns both; Close releases them.
func Dial(cfg Config) (*Client, error) {
	if cfg.PeerEndpoint == "" || cfg.MSPID == "" {
		return nil, errors.New("fabricclient: peer endpoint and MSP ID are required")
	}
	conn, err := DialPeer(cfg.PeerEndpoint, cfg.TLSCACertPEM, cfg.ServerNameOverride)
	if err != nil {
		return nil, err
	}
	c, err := NewOnConn(conn, cfg.MSPID, cfg.CertPEM, cfg.KeyPEM, cfg.Options)
	if err != nil {
		conn.Close()
		return nil, err
	}
	c.conn = conn
	return c, nil
}

// DialPeer opens a TLS gRPC connection to a peer, to be shared by the
// clients of many identities (NewOnConn); the caller closes it.
func DialPeer(endpoint string, tlsCACertPEM []byte, serverNameOverride string) (*grpc.ClientConn, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(tlsCACertPEM) {
		return nil, errors.New("fabricclient: no certificate in the TLS CA PEM")
	}
	conn, err := grpc.NewClient(endpoint,
		grpc.WithTransportCredentials(credentials.NewClientTLSFromCert(pool, serverNameOverride)))
	if err != nil {
		return nil, fmt.Errorf("fabricclient: dial %s: %w", endpoint, err)
	}
	return conn, nil
}

// NewOnConn returns a client that signs as the identity (mspID, PEM
// certificate and key) over an existing connection, which it does not
// close.
func NewOnConn(conn grpc.ClientConnInterface, mspID string, certPEM, keyPEM []byte, opts Options) (*Client, error) {
	id, sign, err := NewIdentity(mspID, certPEM, keyPEM)
	if err != nil {
		return nil, err
	}
	c, err := connect(id, sign, conn, opts)
	if err != nil {
		return nil, err
	}
	c.mspID = mspID
	return c, nil
}

// NewIdentity returns the identity and the signer of an MSP identity:
// its MSP ID, PEM certificate and PEM private key.
func NewIdentity(mspID string, certPEM, keyPEM []byte) (*identity.X509Identity, identity.Sign, error) {
	cert, err := identity.CertificateFromPEM(certPEM)
	if err != nil {
		return nil, nil, fmt.Errorf("fabricclient: client certificate: %w", err)
	}
	id, err := identity.NewX509Identity(mspID, cert)
	if err != nil {
		return nil, nil, fmt.Errorf("fabricclient: identity: %w", err)
	}
	sign, err := NewSign(keyPEM)
	if err != nil {
		return nil, nil, err
	}
	return id, sign, nil
}

// NewSign returns the signing function of a PEM private key (as an MSP's
// keystore holds it).
func NewSign(keyPEM []byte) (identity.Sign, error) {
	key, err := identity.PrivateKeyFromPEM(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("fabricclient: private key: %w", err)
	}
	sign, err := identity.NewPrivateKeySign(key)
	if err != nil {
		return nil, fmt.Errorf("fabricclient: signer: %w", err)
	}
	return sign, nil
}

// connect builds a gateway over an existing gRPC connection.
func connect(id identity.Identity, sign identity.Sign, conn grpc.ClientConnInterface, opts Options) (*Client, error) {
	opts = opts.withDefaults()
	t := opts.Timeouts
	gw, err := client.Connect(id, client.WithSign(sign), client.WithHash(hash.SHA256), client.WithClientConnection(conn),
		client.WithEvaluateTimeout(t.Evaluate), client.WithEndorseTimeout(t.Endorse),
		client.WithSubmitTimeout(t.Submit), client.WithCommitStatusTimeout(t.CommitStatus))
	if err != nil {
		return nil, fmt.Errorf("fabricclient: connect: %w", err)
	}
	return New(gw, opts), nil
}
