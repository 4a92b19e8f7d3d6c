package fabnet_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/identity"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	ab "github.com/hyperledger/fabric-protos-go-apiv2/orderer"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/internal/fabnet/fabnettest"
	"github.com/tierchain/tierchain/internal/fabricca"
)

// TestOutsiderGetsNoBlocks: a peer of an organisation that is not in the
// channel (its own CA, its own MSP ID) asks the orderer and a member's peer
// for the channel's blocks: both refuse (FORBIDDEN) and send no block. The
// same request signed by a member's identity gets the genesis block, so the
// refusal is the channel's Readers policy, not a malformed request.
func TestOutsiderGetsNoBlocks(t *testing.T) {
	n := fabnettest.Network()
	outsider := outsiderPeer(t)
	member, err := n.IdentityFor("Core", "User1")
	if err != nil {
		t.Fatal(err)
	}
	memberCert, err := os.ReadFile(member.CertPath)
	if err != nil {
		t.Fatal(err)
	}
	memberKey, err := os.ReadFile(member.KeyPath)
	if err != nil {
		t.Fatal(err)
	}
	o := n.Layout.Orderers[0]
	ordererCA := filepath.Join(n.PublicDir(), o.Owner, "tlsca.pem")
	ordererAddr := n.Layout.OrdererAddress(o)

	for _, who := range []struct {
		name      string
		msp       string
		cert, key []byte
		admitted  bool
	}{
		{"outsider peer", "OutsiderMSP", outsider.CertPEM, outsider.KeyPEM, false},
		{"Core's User1", member.MSPID, memberCert, memberKey, true},
	} {
		env := seekGenesis(t, who.msp, who.cert, who.key)

		// The orderer.
		status, blocks := deliverFromOrderer(t, ordererAddr, ordererCA, env)
		checkDelivery(t, who.name, "orderer "+o.Name, who.admitted, status, blocks)

		// A member's peer (Core's).
		status, blocks = deliverFromPeer(t, member.PeerAddress, member.TLSCAPath, env)
		checkDelivery(t, who.name, "Core's peer", who.admitted, status, blocks)
	}
}

func checkDelivery(t *testing.T, who, from string, admitted bool, status cb.Status, blocks int) {
	t.Helper()
	switch {
	case admitted && (blocks != 1 || status != cb.Status_SUCCESS):
		t.Errorf("%s from %s: %d block(s), status %s; want the genesis block", who, from, blocks, status)
	case !admitted && (blocks != 0 || status != cb.Status_FORBIDDEN):
		t.Errorf("%s from %s: %d block(s), status %s; want none, FORBIDDEN", who, from, blocks, status)
	default:
		t.Logf("%s from %s: %d block(s), status %s", who, from, blocks, status)
	}
}

// outsiderPeer creates an organisation outside the channel (a self-signed
// CA of its own) and issues its peer's signing identity.
func outsiderPeer(t *testing.T) fabricca.Identity {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca.outsider.example", Organization: []string{"outsider.example"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		SubjectKeyId: []byte{9, 9, 9, 9},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := fabricca.Load(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}))
	if err != nil {
		t.Fatal(err)
	}
	id, err := ca.IssueNode("peer0.outsider.example", "peer", time.Now(), time.Now().AddDate(1, 0, 0), nil)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// seekGenesis is a signed Deliver request for block 0 of the channel, as a
// peer sends to pull blocks.
func seekGenesis(t *testing.T, mspID string, certPEM, keyPEM []byte) *cb.Envelope {
	t.Helper()
	key, err := identity.PrivateKeyFromPEM(keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	sign, err := identity.NewPrivateKeySign(key)
	if err != nil {
		t.Fatal(err)
	}
	creator := marshal(t, &msp.SerializedIdentity{Mspid: mspID, IdBytes: certPEM})
	nonce := make([]byte, 24)
	if _, err := rand.Read(nonce); err != nil {
		t.Fatal(err)
	}
	txID := sha256.Sum256(append(append([]byte(nil), nonce...), creator...))
	genesis := &ab.SeekPosition{Type: &ab.SeekPosition_Specified{Specified: &ab.SeekSpecified{Number: 0}}}
	payload := marshal(t, &cb.Payload{
		Header: &cb.Header{
			ChannelHeader: marshal(t, &cb.ChannelHeader{Type: int32(cb.HeaderType_DELIVER_SEEK_INFO), ChannelId: fabnet.ChannelName,
				TxId: hex.EncodeToString(txID[:]), Timestamp: timestamppb.Now()}),
			SignatureHeader: marshal(t, &cb.SignatureHeader{Creator: creator, Nonce: nonce}),
		},
		Data: marshal(t, &ab.SeekInfo{Start: genesis, Stop: genesis, Behavior: ab.SeekInfo_FAIL_IF_NOT_READY}),
	})
	digest := sha256.Sum256(payload)
	sig, err := sign(digest[:])
	if err != nil {
		t.Fatal(err)
	}
	return &cb.Envelope{Payload: payload, Signature: sig}
}

func marshal(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dialTLS connects to addr trusting the TLS CA in caPath, with no client
// certificate (the nodes do not require one).
func dialTLS(t *testing.T, addr, caPath string) *grpc.ClientConn {
	t.Helper()
	creds, err := credentials.NewClientTLSFromFile(caPath, "")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(creds))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// deliverFromOrderer sends env to the orderer's Deliver and returns the
// final status and how many blocks came before it.
func deliverFromOrderer(t *testing.T, addr, caPath string, env *cb.Envelope) (cb.Status, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := ab.NewAtomicBroadcastClient(dialTLS(t, addr, caPath)).Deliver(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return drain(t, env, s.Send, func() (*cb.Status, error) {
		r, err := s.Recv()
		if x, ok := r.GetType().(*ab.DeliverResponse_Status); ok {
			return &x.Status, err
		}
		return nil, err
	})
}

// deliverFromPeer is deliverFromOrderer against a peer's Deliver service.
func deliverFromPeer(t *testing.T, addr, caPath string, env *cb.Envelope) (cb.Status, int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := pb.NewDeliverClient(dialTLS(t, addr, caPath)).Deliver(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return drain(t, env, s.Send, func() (*cb.Status, error) {
		r, err := s.Recv()
		if x, ok := r.GetType().(*pb.DeliverResponse_Status); ok {
			return &x.Status, err
		}
		return nil, err
	})
}

// drain sends env on a Deliver stream and counts the messages before its
// final status (recv returns nil for a block).
func drain(t *testing.T, env *cb.Envelope, send func(*cb.Envelope) error, recv func() (*cb.Status, error)) (cb.Status, int) {
	t.Helper()
	if err := send(env); err != nil {
		t.Fatal(err)
	}
	for blocks := 0; ; blocks++ {
		status, err := recv()
		if err != nil {
			t.Fatalf("deliver: %v", err)
		}
		if status != nil {
			return *status, blocks
		}
	}
}
