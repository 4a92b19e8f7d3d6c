package fabricclient

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
)

// fakeGateway is an in-process peer gateway service: each test sets the
// phases it exercises, so the real fabric-gateway client produces the real
// typed errors (EndorseError, SubmitError, …) that mapError must classify.
type fakeGateway struct {
	gateway.UnimplementedGatewayServer
	evaluate     func(context.Context, *gateway.EvaluateRequest) (*gateway.EvaluateResponse, error)
	endorse      func(context.Context, *gateway.EndorseRequest) (*gateway.EndorseResponse, error)
	submit       func(context.Context, *gateway.SubmitRequest) (*gateway.SubmitResponse, error)
	commitStatus func(context.Context, *gateway.SignedCommitStatusRequest) (*gateway.CommitStatusResponse, error)
	events       func(*gateway.SignedChaincodeEventsRequest, gateway.Gateway_ChaincodeEventsServer) error
}

func (f *fakeGateway) Evaluate(ctx context.Context, r *gateway.EvaluateRequest) (*gateway.EvaluateResponse, error) {
	return f.evaluate(ctx, r)
}

func (f *fakeGateway) Endorse(ctx context.Context, r *gateway.EndorseRequest) (*gateway.EndorseResponse, error) {
	if f.endorse == nil {
		return &gateway.EndorseResponse{PreparedTransaction: envelope("scf", []byte("ok"))}, nil
	}
	return f.endorse(ctx, r)
}

func (f *fakeGateway) Submit(ctx context.Context, r *gateway.SubmitRequest) (*gateway.SubmitResponse, error) {
	if f.submit == nil {
		return &gateway.SubmitResponse{}, nil
	}
	return f.submit(ctx, r)
}

func (f *fakeGateway) CommitStatus(ctx context.Context, r *gateway.SignedCommitStatusRequest) (*gateway.CommitStatusResponse, error) {
	if f.commitStatus == nil {
		return &gateway.CommitStatusResponse{Result: peer.TxValidationCode_VALID, BlockNumber: 7}, nil
	}
	return f.commitStatus(ctx, r)
}

func (f *fakeGateway) ChaincodeEvents(r *gateway.SignedChaincodeEventsRequest, s gateway.Gateway_ChaincodeEventsServer) error {
	return f.events(r, s)
}

// startFake serves f over an in-memory listener and returns a Client on it.
func startFake(t *testing.T, f *fakeGateway, timeouts Timeouts) *Client {
	t.Helper()
	return startFakeWith(t, f, Options{Timeouts: timeouts})
}

// startFakeWith is startFake with full Options.
func startFakeWith(t *testing.T, f *fakeGateway, opts Options) *Client {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer()
	gateway.RegisterGatewayServer(srv, f)
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///fake", grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }))
	if err != nil {
		t.Fatal(err)
	}
	id, sign := testIdentity(t)
	c, err := connect(id, sign, conn, opts)
	if err != nil {
		t.Fatal(err)
	}
	c.conn = conn
	t.Cleanup(func() { c.Close() })
	return c
}

func testIdentity(t *testing.T) (identity.Identity, identity.Sign) {
	t.Helper()
	_, certPEM, keyPEM := testPEM(t)
	id, sign, err := NewIdentity("CoreMSP", certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return id, sign
}

// testPEM is a fresh P-256 key and a self-signed certificate of it, with
// both as PEM (PKCS #8 for the key, as an MSP keystore holds it).
func testPEM(t *testing.T) (key *ecdsa.PrivateKey, certPEM, keyPEM []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "User1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
}

// envelope is the smallest prepared transaction the client can parse: a
// channel header and one action whose chaincode response carries result.
func envelope(channel string, result []byte) *common.Envelope {
	must := func(m proto.Message) []byte {
		b, err := proto.Marshal(m)
		if err != nil {
			panic(err)
		}
		return b
	}
	action := must(&peer.ChaincodeAction{Response: &peer.Response{Status: 200, Payload: result}})
	prp := must(&peer.ProposalResponsePayload{Extension: action})
	cap := must(&peer.ChaincodeActionPayload{Action: &peer.ChaincodeEndorsedAction{ProposalResponsePayload: prp}})
	tx := must(&peer.Transaction{Actions: []*peer.TransactionAction{{Payload: cap}}})
	payload := must(&common.Payload{
		Header: &common.Header{ChannelHeader: must(&common.ChannelHeader{ChannelId: channel})},
		Data:   tx,
	})
	return &common.Envelope{Payload: payload}
}
