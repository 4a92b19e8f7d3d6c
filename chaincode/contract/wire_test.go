package contract

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/ledger/rwset/kvrwset"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// recordingStub records what the chaincode hands the peer for the read
// and write sets: the keys it reads and the keys and values it writes.
type recordingStub struct {
	*fakeStub
	reads  []string
	writes []*kvrwset.KVWrite
}

func (s *recordingStub) GetState(k string) ([]byte, error) {
	s.reads = append(s.reads, k)
	return s.fakeStub.GetState(k)
}

func (s *recordingStub) PutState(k string, v []byte) error {
	s.writes = append(s.writes, &kvrwset.KVWrite{Key: k, Value: v})
	return s.fakeStub.PutState(k, v)
}

func (s *recordingStub) DelState(k string) error {
	s.writes = append(s.writes, &kvrwset.KVWrite{Key: k, IsDelete: true})
	return s.fakeStub.DelState(k)
}

func recordingContext(mem *rulestest.Memory, id rules.Identity, now time.Time) (*contractapi.TransactionContext, *recordingStub) {
	ctx := context(mem, id, now)
	rs := &recordingStub{fakeStub: ctx.GetStub().(*fakeStub)}
	ctx.SetStub(rs)
	return ctx, rs
}

// fabricCert is a client certificate of the size cryptogen issues
// (ECDSA P-256, an OU, organisation and locality in the subject, key
// identifiers), PEM-encoded as in a serialized identity.
func fabricCert(t testing.TB, cn string) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	name := func(cn, ou string) pkix.Name {
		return pkix.Name{Country: []string{"US"}, Province: []string{"California"}, Locality: []string{"San Francisco"},
			Organization: []string{"core.tierchain.example"}, OrganizationalUnit: []string{ou}, CommonName: cn}
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1 << 62), Subject: name(cn, "client"),
		Issuer: name("ca.core.tierchain.example", ""), NotBefore: rulestest.Start, NotAfter: rulestest.Start.AddDate(10, 0, 0),
		KeyUsage: x509.KeyUsageDigitalSignature, BasicConstraintsValid: true, SubjectKeyId: make([]byte, 32), AuthorityKeyId: make([]byte, 32)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// txWeight is a transaction's bytes as the orderer sees them, by part.
type txWeight struct {
	request, result, event, writeSet, readSet, endorsements, total int
	reads, writes                                                  int
}

// envelopeOf assembles the endorser transaction Fabric's gateway would
// send to the orderer for one invocation endorsed by endorsers peers:
// the proposal's input (function and arguments), the proposal response
// payload (read-write set, event, response payload) and the endorsements,
// under the client's signed header. Signatures are ECDSA-sized
// (72 bytes); the lifecycle namespace's read of the chaincode definition
// is included as Fabric records it.
func envelopeOf(t testing.TB, cc string, args [][]byte, rs *recordingStub, result, event []byte, endorsers int) txWeight {
	t.Helper()
	m := func(msg proto.Message) []byte {
		b, err := proto.Marshal(msg)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	sig := make([]byte, 72)
	creator := m(&msp.SerializedIdentity{Mspid: "CoreMSP", IdBytes: fabricCert(t, "User1@core.tierchain.example")})
	txID := fmt.Sprintf("%064x", 1)
	var w txWeight
	seen := map[string]bool{}
	kv := &kvrwset.KVRWSet{}
	for _, k := range rs.reads {
		if !seen[k] {
			seen[k] = true
			kv.Reads = append(kv.Reads, &kvrwset.KVRead{Key: k, Version: &kvrwset.Version{BlockNum: 1234, TxNum: 56}})
		}
	}
	kv.Writes = rs.writes
	w.reads, w.writes = len(kv.Reads), len(kv.Writes)
	w.readSet = proto.Size(&kvrwset.KVRWSet{Reads: kv.Reads})
	w.writeSet = proto.Size(&kvrwset.KVRWSet{Writes: kv.Writes})
	results := m(&rwset.TxReadWriteSet{DataModel: rwset.TxReadWriteSet_KV, NsRwset: []*rwset.NsReadWriteSet{
		{Namespace: "_lifecycle", Rwset: m(&kvrwset.KVRWSet{Reads: []*kvrwset.KVRead{{Key: "namespaces/fields/" + cc + "/Sequence", Version: &kvrwset.Version{BlockNum: 7}}}})},
		{Namespace: cc, Rwset: m(kv)},
	}})
	var ev []byte
	if event != nil {
		ev = m(&peer.ChaincodeEvent{ChaincodeId: cc, TxId: txID, EventName: model.EventName, Payload: event})
	}
	prp := m(&peer.ProposalResponsePayload{ProposalHash: make([]byte, 32), Extension: m(&peer.ChaincodeAction{
		Results: results, Events: ev, Response: &peer.Response{Status: 200, Payload: result},
		ChaincodeId: &peer.ChaincodeID{Name: cc, Version: "1.0"},
	})})
	action := &peer.ChaincodeEndorsedAction{ProposalResponsePayload: prp}
	for i := range endorsers {
		endorser := m(&msp.SerializedIdentity{Mspid: fmt.Sprintf("Org%dMSP", i), IdBytes: fabricCert(t, "peer0.org.tierchain.example")})
		action.Endorsements = append(action.Endorsements, &peer.Endorsement{Endorser: endorser, Signature: sig})
	}
	w.endorsements = proto.Size(&peer.ChaincodeEndorsedAction{Endorsements: action.Endorsements})
	input := m(&peer.ChaincodeProposalPayload{Input: m(&peer.ChaincodeInvocationSpec{ChaincodeSpec: &peer.ChaincodeSpec{
		Type: peer.ChaincodeSpec_GOLANG, ChaincodeId: &peer.ChaincodeID{Name: cc}, Input: &peer.ChaincodeInput{Args: args}}})})
	sigHdr := m(&common.SignatureHeader{Creator: creator, Nonce: make([]byte, 24)})
	tx := m(&peer.Transaction{Actions: []*peer.TransactionAction{{Header: sigHdr,
		Payload: m(&peer.ChaincodeActionPayload{ChaincodeProposalPayload: input, Action: action})}}})
	chHdr := m(&common.ChannelHeader{Type: int32(common.HeaderType_ENDORSER_TRANSACTION), ChannelId: "tierchain", TxId: txID,
		Timestamp: timestamppb.New(rulestest.Start), Extension: m(&peer.ChaincodeHeaderExtension{ChaincodeId: &peer.ChaincodeID{Name: cc}})})
	env := &common.Envelope{Payload: m(&common.Payload{Header: &common.Header{ChannelHeader: chHdr, SignatureHeader: sigHdr}, Data: tx}), Signature: sig}
	for _, a := range args {
		w.request += len(a)
	}
	w.result, w.event, w.total = len(result), len(event), proto.Size(env)
	return w
}

func (w txWeight) String() string {
	return fmt.Sprintf("%5d B on the wire: request %4d, result %4d, event %3d, write set %4d (%d keys), read set %3d (%d keys), endorsements %4d, headers and certificates %4d",
		w.total, w.request, w.result, w.event, w.writeSet, w.writes, w.readSet, w.reads, w.endorsements,
		w.total-w.request-w.result-w.event-w.writeSet-w.readSet-w.endorsements)
}

// TestWireWeight measures a 1-in/2-out split and an issue, each in the
// JSON and the compact encoding, and the plaintext baseline transfer, as the orderer sees each
// (three endorsements, as the network's 3-of-4 policy gives), and shows
// where the bytes are:
//
//	go test -run TestWireWeight -v ./chaincode/contract/
//
// It fails if the compact split stops being lighter than the JSON one.
func TestWireWeight(t *testing.T) {
	s := rulestest.NewScenario()
	c := &TierChainContract{rules: s.Rules}
	req := s.SplitRequest(protocol.KindSplit, s.S1, []protocol.OpenedToken{{ID: s.Root, Currency: rulestest.Currency, Opening: s.RootOpening}},
		rulestest.To(s.S2, rulestest.Opening(300)), rulestest.To(s.S1, rulestest.Opening(700)))
	js, _ := json.Marshal(req)
	compact, err := protocol.EncodeSplitRequest(req)
	if err != nil {
		t.Fatal(err)
	}

	split := func(arg []byte) (txWeight, map[string][]byte) {
		mem := s.State.Clone()
		ctx, rs := recordingContext(mem, s.S1.Identity, s.Now)
		out, err := c.Split(ctx, string(arg))
		if err != nil {
			t.Fatal(err)
		}
		if len(mem.Events) != 1 {
			t.Fatalf("events %+v", mem.Events)
		}
		for _, w := range rs.writes {
			if w.Key == rules.CompositeKey("tc.token", s.Root) {
				t.Fatalf("the split rewrote its input token (%d B) instead of marking it spent", len(w.Value))
			}
		}
		if testing.Verbose() {
			for _, w := range rs.writes {
				t.Logf("  write %-60q %4d B", w.Key, len(w.Value))
			}
			t.Logf("  reads %q", rs.reads)
		}
		return envelopeOf(t, "tierchain", [][]byte{[]byte("Split"), arg}, rs, []byte(out), mem.Events[0].Payload, 3), mem.Snapshot()
	}
	jsonW, jsonState := split(js)
	compactW, compactState := split(compact)

	base := rulestest.NewMemory()
	if err := rules.BaselineMint(base, "alice", 1_000_000); err != nil {
		t.Fatal(err)
	}
	ctx, rs := recordingContext(base, rulestest.NewIdentity("CoreMSP", "alice", "client"), rulestest.Start)
	if err := (&BaselineContract{}).Transfer(ctx, "alice", "bob", 1); err != nil {
		t.Fatal(err)
	}
	transferW := envelopeOf(t, "tierchain", [][]byte{[]byte("baseline:Transfer"), []byte("alice"), []byte("bob"), []byte("1")}, rs, nil, nil, 3)

	issue := func(arg []byte) (txWeight, map[string][]byte) {
		mem := s.PreIssue.Clone()
		ctx, rs := recordingContext(mem, s.Core.Identity, rulestest.Start.Add(20*time.Minute))
		out, err := c.Issue(ctx, string(arg))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range rs.writes {
			if _, attrs := rules.SplitCompositeKey(w.Key); len(attrs) == 1 && w.Key == rules.CompositeKey("tc.invoice", attrs[0]) {
				t.Fatalf("the issue rewrote invoice %.16s… (%d B) instead of marking it used", attrs[0], len(w.Value))
			}
		}
		return envelopeOf(t, "tierchain", [][]byte{[]byte("Issue"), arg}, rs, []byte(out), mem.Events[0].Payload, 3), mem.Snapshot()
	}
	issueJS, _ := json.Marshal(s.IssueReq)
	issueCompact, err := protocol.EncodeIssueRequest(s.IssueReq)
	if err != nil {
		t.Fatal(err)
	}
	issueJSONW, issueJSONState := issue(issueJS)
	issueCompactW, issueCompactState := issue(issueCompact)

	// A merge of the split's two pieces (both the holder's) back into one.
	mergeMem := s.State.Clone()
	mergeMem.Begin(s.S1.Identity, "tx-pre-merge", s.Now)
	pa, pb := rulestest.Opening(300), rulestest.Opening(700)
	pieces, err := s.Rules.Split(mergeMem, s.SplitRequest(protocol.KindSplit, s.S1, []protocol.OpenedToken{{ID: s.Root, Currency: rulestest.Currency, Opening: s.RootOpening}},
		rulestest.To(s.S1, pa), rulestest.To(s.S1, pb)))
	if err != nil {
		t.Fatal(err)
	}
	mergeReq := s.SplitRequest(protocol.KindMerge, s.S1, []protocol.OpenedToken{{ID: pieces[0].ID, Currency: rulestest.Currency, Opening: pa}, {ID: pieces[1].ID, Currency: rulestest.Currency, Opening: pb}},
		rulestest.To(s.S1, rulestest.Opening(1000)))
	mergeCompact, err := protocol.EncodeSplitRequest(mergeReq)
	if err != nil {
		t.Fatal(err)
	}
	mctx, mrs := recordingContext(mergeMem, s.S1.Identity, s.Now.Add(time.Minute))
	mout, err := c.Merge(mctx, string(mergeCompact))
	if err != nil {
		t.Fatal(err)
	}
	mergeW := envelopeOf(t, "tierchain", [][]byte{[]byte("Merge"), mergeCompact}, mrs, []byte(mout), mergeMem.Events[len(mergeMem.Events)-1].Payload, 3)

	t.Logf("plaintext transfer:    %v", transferW)
	t.Logf("merge 2→1, compact v1: %v", mergeW)
	t.Logf("issue, JSON request:   %v", issueJSONW)
	t.Logf("issue, compact v2:     %v", issueCompactW)
	t.Logf("split, JSON request:   %v", jsonW)
	t.Logf("split, compact v1:     %v", compactW)
	t.Logf("split : transfer bytes: JSON %.2f×, compact %.2f×", float64(jsonW.total)/float64(transferW.total), float64(compactW.total)/float64(transferW.total))

	if fmt.Sprint(jsonState) != fmt.Sprint(compactState) {
		t.Fatal("the compact split left a different ledger from the JSON one")
	}
	if fmt.Sprint(issueJSONState) != fmt.Sprint(issueCompactState) {
		t.Fatal("the compact issue left a different ledger from the JSON one")
	}
	if issueCompactW.request >= issueJSONW.request || issueCompactW.result >= issueJSONW.result {
		t.Fatalf("compact issue not lighter: %v against %v", issueCompactW, issueJSONW)
	}
	if compactW.request >= jsonW.request || compactW.result >= jsonW.result || compactW.total >= jsonW.total {
		t.Fatalf("compact split not lighter: %v against %v", compactW, jsonW)
	}
}
