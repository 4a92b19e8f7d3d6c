package relay_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/relay"
)

// The relay decodes with protowire (internal/relay/wire.go) to keep gRPC
// out of the browser's module. These tests hold it to fabric-protos-go:
// the reference below is the decoder it replaced, proto.Unmarshal on the
// generated types; both must accept the same bytes and read the same
// values from them.

func refUnmarshal(b []byte, m proto.Message, what string) error {
	if err := proto.Unmarshal(b, m); err != nil {
		return fmt.Errorf("%w: %s: %v", relay.ErrMalformed, what, err)
	}
	return nil
}

func refProposal(b []byte) (*relay.Proposal, error) {
	var (
		pt   gateway.ProposedTransaction
		prop peer.Proposal
		hdr  common.Header
		ext  peer.ChaincodeHeaderExtension
		cpp  peer.ChaincodeProposalPayload
	)
	if err := refUnmarshal(b, &pt, "proposed transaction"); err != nil {
		return nil, err
	}
	if pt.GetProposal() == nil {
		return nil, relay.ErrMalformed
	}
	pb := pt.GetProposal().GetProposalBytes()
	if err := refUnmarshal(pb, &prop, "proposal"); err != nil {
		return nil, err
	}
	if err := refUnmarshal(prop.GetHeader(), &hdr, "header"); err != nil {
		return nil, err
	}
	ch, creator, err := refHeaders(hdr.GetChannelHeader(), hdr.GetSignatureHeader(), pt.GetTransactionId())
	if err != nil {
		return nil, err
	}
	if err := refUnmarshal(ch.GetExtension(), &ext, "extension"); err != nil {
		return nil, err
	}
	if err := refUnmarshal(prop.GetPayload(), &cpp, "payload"); err != nil {
		return nil, err
	}
	args, err := refInvocation(cpp.GetInput())
	if err != nil {
		return nil, err
	}
	d := sha256.Sum256(pb)
	p := &relay.Proposal{
		TxID: ch.GetTxId(), Channel: ch.GetChannelId(), Chaincode: ext.GetChaincodeId().GetName(),
		Function: string(args[0]), Args: args[1:], Creator: creator, Digest: d[:],
	}
	if ts := ch.GetTimestamp(); ts != nil {
		p.Timestamp = ts.AsTime()
	}
	return p, nil
}

func refTransaction(b []byte) (*relay.Transaction, error) {
	var (
		pt  gateway.PreparedTransaction
		pl  common.Payload
		tx  peer.Transaction
		cap peer.ChaincodeActionPayload
		prp peer.ProposalResponsePayload
		act peer.ChaincodeAction
		cpp peer.ChaincodeProposalPayload
	)
	if err := refUnmarshal(b, &pt, "prepared transaction"); err != nil {
		return nil, err
	}
	payload := pt.GetEnvelope().GetPayload()
	if err := refUnmarshal(payload, &pl, "payload"); err != nil {
		return nil, err
	}
	ch, creator, err := refHeaders(pl.GetHeader().GetChannelHeader(), pl.GetHeader().GetSignatureHeader(), pt.GetTransactionId())
	if err != nil {
		return nil, err
	}
	if err := refUnmarshal(pl.GetData(), &tx, "transaction"); err != nil {
		return nil, err
	}
	if len(tx.GetActions()) != 1 {
		return nil, relay.ErrMalformed
	}
	if err := refUnmarshal(tx.GetActions()[0].GetPayload(), &cap, "action payload"); err != nil {
		return nil, err
	}
	if err := refUnmarshal(cap.GetAction().GetProposalResponsePayload(), &prp, "response payload"); err != nil {
		return nil, err
	}
	if err := refUnmarshal(prp.GetExtension(), &act, "chaincode action"); err != nil {
		return nil, err
	}
	if err := refUnmarshal(cap.GetChaincodeProposalPayload(), &cpp, "proposal payload"); err != nil {
		return nil, err
	}
	args, err := refInvocation(cpp.GetInput())
	if err != nil {
		return nil, err
	}
	d := sha256.Sum256(payload)
	return &relay.Transaction{
		TxID: ch.GetTxId(), Channel: ch.GetChannelId(), Function: string(args[0]), Args: args[1:],
		Creator: creator, Result: act.GetResponse().GetPayload(), Digest: d[:],
	}, nil
}

func refHeaders(chb, shb []byte, wrapped string) (*common.ChannelHeader, relay.Creator, error) {
	var (
		ch common.ChannelHeader
		sh common.SignatureHeader
		id msp.SerializedIdentity
	)
	if err := refUnmarshal(chb, &ch, "channel header"); err != nil {
		return nil, relay.Creator{}, err
	}
	if err := refUnmarshal(shb, &sh, "signature header"); err != nil {
		return nil, relay.Creator{}, err
	}
	if common.HeaderType(ch.GetType()) != common.HeaderType_ENDORSER_TRANSACTION {
		return nil, relay.Creator{}, relay.ErrMalformed
	}
	if err := refUnmarshal(sh.GetCreator(), &id, "creator"); err != nil {
		return nil, relay.Creator{}, err
	}
	if id.GetMspid() == "" || len(id.GetIdBytes()) == 0 {
		return nil, relay.Creator{}, relay.ErrMalformed
	}
	h := sha256.New()
	h.Write(sh.GetNonce())
	h.Write(sh.GetCreator())
	if want := hex.EncodeToString(h.Sum(nil)); ch.GetTxId() != want || wrapped != want {
		return nil, relay.Creator{}, relay.ErrMalformed
	}
	return &ch, relay.Creator{MSPID: id.GetMspid(), CertPEM: id.GetIdBytes()}, nil
}

func refInvocation(input []byte) ([][]byte, error) {
	var spec peer.ChaincodeInvocationSpec
	if err := refUnmarshal(input, &spec, "invocation"); err != nil {
		return nil, err
	}
	args := spec.GetChaincodeSpec().GetInput().GetArgs()
	if len(args) == 0 {
		return nil, relay.ErrMalformed
	}
	return args, nil
}

func sameArgs(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

func sameCreator(a, b relay.Creator) bool {
	return a.MSPID == b.MSPID && bytes.Equal(a.CertPEM, b.CertPEM)
}

// diffProposal fails t unless the protowire decoder and the reference
// agree on b: both refuse it (as ErrMalformed), or both read the same.
func diffProposal(t testing.TB, b []byte) bool {
	t.Helper()
	got, err := relay.InspectProposal(b)
	want, refErr := refProposal(b)
	if (err == nil) != (refErr == nil) {
		t.Fatalf("protowire: %v; fabric-protos-go: %v\n%x", err, refErr, b)
	}
	if err != nil {
		if !errors.Is(err, relay.ErrMalformed) {
			t.Fatalf("refused with %v", err)
		}
		return false
	}
	if got.TxID != want.TxID || got.Channel != want.Channel || got.Chaincode != want.Chaincode || got.Function != want.Function ||
		!sameArgs(got.Args, want.Args) || !sameCreator(got.Creator, want.Creator) || !got.Timestamp.Equal(want.Timestamp) ||
		!bytes.Equal(got.Digest, want.Digest) {
		t.Fatalf("protowire read %+v\nfabric-protos-go read %+v\n%x", got, want, b)
	}
	return true
}

func diffTransaction(t testing.TB, b []byte) bool {
	t.Helper()
	got, err := relay.InspectTransaction(b)
	want, refErr := refTransaction(b)
	if (err == nil) != (refErr == nil) {
		t.Fatalf("protowire: %v; fabric-protos-go: %v\n%x", err, refErr, b)
	}
	if err != nil {
		if !errors.Is(err, relay.ErrMalformed) {
			t.Fatalf("refused with %v", err)
		}
		return false
	}
	if got.TxID != want.TxID || got.Channel != want.Channel || got.Function != want.Function || !sameArgs(got.Args, want.Args) ||
		!sameCreator(got.Creator, want.Creator) || !bytes.Equal(got.Result, want.Result) || !bytes.Equal(got.Digest, want.Digest) {
		t.Fatalf("protowire read %+v\nfabric-protos-go read %+v\n%x", got, want, b)
	}
	return true
}

func mustMarshal(t testing.TB, m proto.Message) []byte {
	t.Helper()
	b, err := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// preparedTransaction builds an endorsed transaction as fabric-gateway
// serializes one (the relay's gateway receives it from the peers).
func preparedTransaction(t testing.TB, certPEM []byte) []byte {
	t.Helper()
	creator := mustMarshal(t, &msp.SerializedIdentity{Mspid: "OperatorMSP", IdBytes: certPEM})
	nonce := bytes.Repeat([]byte{9}, 24)
	h := sha256.Sum256(append(append([]byte{}, nonce...), creator...))
	txID := hex.EncodeToString(h[:])
	ch := mustMarshal(t, &common.ChannelHeader{
		Type: int32(common.HeaderType_ENDORSER_TRANSACTION), ChannelId: "scf", TxId: txID,
		Timestamp: timestamppb.Now(), Extension: mustMarshal(t, &peer.ChaincodeHeaderExtension{ChaincodeId: &peer.ChaincodeID{Name: "tierchain"}}),
	})
	sh := mustMarshal(t, &common.SignatureHeader{Creator: creator, Nonce: nonce})
	input := mustMarshal(t, &peer.ChaincodeInvocationSpec{ChaincodeSpec: &peer.ChaincodeSpec{
		Type: peer.ChaincodeSpec_GOLANG, ChaincodeId: &peer.ChaincodeID{Name: "tierchain"},
		Input: &peer.ChaincodeInput{Args: [][]byte{[]byte("tierchain:Split"), []byte(`{"inputs":["t1"]}`), {}}},
	}})
	act := mustMarshal(t, &peer.ChaincodeAction{
		Results: []byte("rwset"), Response: &peer.Response{Status: 200, Message: "ok", Payload: []byte(`["t2","t3"]`)},
		ChaincodeId: &peer.ChaincodeID{Name: "tierchain", Version: "1"},
	})
	cap := mustMarshal(t, &peer.ChaincodeActionPayload{
		ChaincodeProposalPayload: mustMarshal(t, &peer.ChaincodeProposalPayload{Input: input}),
		Action: &peer.ChaincodeEndorsedAction{
			ProposalResponsePayload: mustMarshal(t, &peer.ProposalResponsePayload{ProposalHash: make([]byte, 32), Extension: act}),
			Endorsements:            []*peer.Endorsement{{Endorser: []byte("peer0"), Signature: []byte("sig")}},
		},
	})
	tx := mustMarshal(t, &peer.Transaction{Actions: []*peer.TransactionAction{{Header: sh, Payload: cap}}})
	payload := mustMarshal(t, &common.Payload{Header: &common.Header{ChannelHeader: ch, SignatureHeader: sh}, Data: tx})
	return mustMarshal(t, &gateway.PreparedTransaction{TransactionId: txID, Envelope: &common.Envelope{Payload: payload, Signature: []byte("s")}})
}

// variants are b changed in the ways proto.Unmarshal has rules for: an
// unknown field, a known field with another wire type, a field repeated
// (scalars: the last wins; messages: they merge), an invalid UTF-8
// string, a group, an end-group alone, a truncation, a field number past
// the limit.
func variants(b []byte) [][]byte {
	app := func(extra ...byte) []byte { return append(bytes.Clone(b), extra...) }
	out := [][]byte{
		app(0x98, 0x06, 0x01),                   // field 99 varint: unknown
		app(0x08, 0x05),                         // field 1 as a varint: another wire type
		app(0x0a, 0x02, 0xff, 0xfe),             // field 1 string, not UTF-8
		app(0x0a, 0x01, 'x'),                    // field 1 again: the last wins
		app(0x12, 0x00),                         // field 2 again, empty: merges
		app(0x12, 0x02, 0x0a, 0x00),             // field 2 again: a message whose field 1 is empty
		app(0x1b, 0x08, 0x01, 0x1c),             // field 3 as a group
		app(0x1c),                               // an end-group alone
		app(0x12, 0x05, 0x0a),                   // truncated
		app(0xf8, 0xff, 0xff, 0xff, 0x0f, 0x00), // field number 2^29+… past the limit
		app(0xf8, 0xff, 0xff, 0xff, 0x07, 0x00), // field number 2^28-1: valid, unknown
		app(0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02), // varint overflow
	}
	// Every field's occurrence doubled: the whole message twice.
	out = append(out, append(bytes.Clone(b), b...))
	return out
}

// nested rebuilds b with its field num (length-delimited) replaced by
// f(old value), at every depth the caller walks to.
func rewrite(b []byte, num protowire.Number, f func([]byte) []byte) []byte {
	var out []byte
	for len(b) > 0 {
		n, typ, m := protowire.ConsumeTag(b)
		if m < 0 {
			return nil
		}
		l := protowire.ConsumeFieldValue(n, typ, b[m:])
		if l < 0 {
			return nil
		}
		if n == num && typ == protowire.BytesType {
			v, _ := protowire.ConsumeBytes(b[m:])
			out = protowire.AppendTag(out, n, typ)
			out = protowire.AppendBytes(out, f(v))
		} else {
			out = append(out, b[:m+l]...)
		}
		b = b[m+l:]
	}
	return out
}

// TestWireMatchesFabricProtos: on real messages, their variants at the
// outer and the inner levels, every single flipped byte and every
// truncation, the protowire decoder and fabric-protos-go agree.
func TestWireMatchesFabricProtos(t *testing.T) {
	certPEM, _ := identity(t)
	u, err := offline(t, certPEM).Prepare(fabricclient.Call{Contract: "tierchain", Function: "Split", Args: [][]byte{[]byte(`{"inputs":["t1"]}`), {}}})
	if err != nil {
		t.Fatal(err)
	}
	prop, tx := u.Bytes, preparedTransaction(t, certPEM)
	if !diffProposal(t, prop) || !diffTransaction(t, tx) {
		t.Fatal("a real proposal or transaction refused")
	}
	// Variants at each level: the outer message, the signed proposal /
	// envelope, and the proposal / payload inside them.
	var props, txs [][]byte
	props = append(props, variants(prop)...)
	txs = append(txs, variants(tx)...)
	for _, v := range variants(nil) {
		inner := func(b []byte) []byte { return append(bytes.Clone(b), v...) }
		props = append(props, rewrite(prop, 2, inner), rewrite(prop, 2, func(sp []byte) []byte { return rewrite(sp, 1, inner) }))
		txs = append(txs, rewrite(tx, 2, inner), rewrite(tx, 2, func(env []byte) []byte { return rewrite(env, 1, inner) }))
	}
	accepted := 0
	for _, b := range props {
		if diffProposal(t, b) {
			accepted++
		}
	}
	for _, b := range txs {
		if diffTransaction(t, b) {
			accepted++
		}
	}
	if accepted == 0 {
		t.Fatal("no variant accepted: the comparison saw only refusals")
	}
	for _, c := range []struct {
		b    []byte
		diff func(testing.TB, []byte) bool
	}{{prop, diffProposal}, {tx, diffTransaction}} {
		for i := range c.b {
			flipped := bytes.Clone(c.b)
			flipped[i] ^= 0x80
			c.diff(t, flipped)
			c.diff(t, c.b[:i])
		}
	}
}

func FuzzWireProposal(f *testing.F) {
	certPEM, _ := identity(f)
	u, err := offline(f, certPEM).Prepare(fabricclient.Call{Contract: "tierchain", Function: "Split", Args: [][]byte{[]byte("{}")}})
	if err != nil {
		f.Fatal(err)
	}
	for _, v := range append(variants(u.Bytes), u.Bytes) {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, b []byte) { diffProposal(t, b) })
}

func FuzzWireTransaction(f *testing.F) {
	certPEM, _ := identity(f)
	tx := preparedTransaction(f, certPEM)
	for _, v := range append(variants(tx), tx) {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, b []byte) { diffTransaction(t, b) })
}
