package fabricclient

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// processedTransaction builds what qscc GetTransactionByID returns for a
// committed invocation of function with the chaincode's result, the way a
// peer lays it out.
func processedTransaction(t *testing.T, txID, function string, result []byte, code peer.TxValidationCode) []byte {
	t.Helper()
	spec := must(t, &peer.ChaincodeInvocationSpec{ChaincodeSpec: &peer.ChaincodeSpec{
		ChaincodeId: &peer.ChaincodeID{Name: "tierchain"},
		Input:       &peer.ChaincodeInput{Args: [][]byte{[]byte(function), []byte(`{"token":"t1"}`)}},
	}})
	action := must(t, &peer.ChaincodeAction{Response: &peer.Response{Status: 200, Payload: result}})
	prp := must(t, &peer.ProposalResponsePayload{ProposalHash: []byte("hash"), Extension: action})
	cap := must(t, &peer.ChaincodeActionPayload{
		ChaincodeProposalPayload: must(t, &peer.ChaincodeProposalPayload{Input: spec}),
		Action:                   &peer.ChaincodeEndorsedAction{ProposalResponsePayload: prp},
	})
	tx := must(t, &peer.Transaction{Actions: []*peer.TransactionAction{{Payload: cap}}})
	payload := must(t, &common.Payload{
		Header: &common.Header{ChannelHeader: must(t, &common.ChannelHeader{
			Type: int32(common.HeaderType_ENDORSER_TRANSACTION), ChannelId: "scf", TxId: txID, Timestamp: timestamppb.New(txTime)})},
		Data: tx,
	})
	return must(t, &peer.ProcessedTransaction{TransactionEnvelope: &common.Envelope{Payload: payload}, ValidationCode: int32(code)})
}

// txTime is the timestamp processedTransaction's channel header carries.
var txTime = time.Date(2026, 12, 8, 1, 2, 3, 456789, time.UTC)

func TestParseProcessedTransaction(t *testing.T) {
	result := []byte(`[{"id":"t2"},{"id":"t3"}]`)
	for _, code := range []peer.TxValidationCode{peer.TxValidationCode_VALID, peer.TxValidationCode_MVCC_READ_CONFLICT} {
		got, err := ParseProcessedTransaction(processedTransaction(t, "tx1", "tierchain:Split", result, code))
		if err != nil {
			t.Fatal(err)
		}
		if got.TxID != "tx1" || got.Function != "tierchain:Split" || !bytes.Equal(got.Payload, result) || got.Code != code ||
			len(got.Args) != 1 || string(got.Args[0]) != `{"token":"t1"}` || got.Size == 0 {
			t.Fatalf("%+v", got)
		}
		if got.Valid() != (code == peer.TxValidationCode_VALID) {
			t.Errorf("%s: Valid() = %v", code, got.Valid())
		}
		if r := got.Result(); r.TxID != "tx1" || !bytes.Equal(r.Payload, result) || !r.Timestamp.Equal(txTime) {
			t.Errorf("Result() = %+v", r)
		}
	}

	bad := map[string][]byte{
		"garbage":     []byte("\xff\xff\xff"),
		"no envelope": must(t, &peer.ProcessedTransaction{ValidationCode: 0}),
		"config transaction": must(t, &peer.ProcessedTransaction{TransactionEnvelope: &common.Envelope{Payload: must(t, &common.Payload{
			Header: &common.Header{ChannelHeader: must(t, &common.ChannelHeader{Type: int32(common.HeaderType_CONFIG), TxId: "c"})}})}}),
		"no actions": must(t, &peer.ProcessedTransaction{TransactionEnvelope: &common.Envelope{Payload: must(t, &common.Payload{
			Header: &common.Header{ChannelHeader: must(t, &common.ChannelHeader{Type: int32(common.HeaderType_ENDORSER_TRANSACTION), TxId: "e"})},
			Data:   must(t, &peer.Transaction{})})}}),
	}
	for name, b := range bad {
		if got, err := ParseProcessedTransaction(b); err == nil {
			t.Errorf("%s: parsed as %+v", name, got)
		}
	}
}

// blockWith is what qscc GetBlockByTxID returns: block number with an
// envelope for each transaction ID.
func blockWith(t *testing.T, number uint64, txIDs ...string) []byte {
	t.Helper()
	b := &common.Block{Header: &common.BlockHeader{Number: number}, Data: &common.BlockData{}}
	for _, id := range txIDs {
		payload := must(t, &common.Payload{Header: &common.Header{ChannelHeader: must(t, &common.ChannelHeader{
			Type: int32(common.HeaderType_ENDORSER_TRANSACTION), ChannelId: "scf", TxId: id})}})
		b.Data.Data = append(b.Data.Data, must(t, &common.Envelope{Payload: payload}))
	}
	return must(t, b)
}

// qsccArgs are the arguments of an evaluated proposal, function first.
func qsccArgs(t *testing.T, r *gateway.EvaluateRequest) []string {
	t.Helper()
	var prop peer.Proposal
	var cpp peer.ChaincodeProposalPayload
	var spec peer.ChaincodeInvocationSpec
	if proto.Unmarshal(r.GetProposedTransaction().GetProposalBytes(), &prop) != nil ||
		proto.Unmarshal(prop.Payload, &cpp) != nil || proto.Unmarshal(cpp.Input, &spec) != nil {
		t.Fatal("an unreadable proposal")
	}
	var out []string
	for _, a := range spec.GetChaincodeSpec().GetInput().GetArgs() {
		out = append(out, string(a))
	}
	return out
}

func TestParseBlockNumber(t *testing.T) {
	if n, err := ParseBlockNumber(blockWith(t, 7, "a", "b"), "b"); err != nil || n != 7 {
		t.Fatalf("%d %v", n, err)
	}
	bad := map[string][]byte{
		"garbage":         []byte("\xff\xff\xff"),
		"no header":       must(t, &common.Block{Data: &common.BlockData{}}),
		"another's block": blockWith(t, 7, "a"),
		"empty block":     blockWith(t, 7),
	}
	for name, b := range bad {
		if n, err := ParseBlockNumber(b, "b"); err == nil {
			t.Errorf("%s: parsed as block %d", name, n)
		}
	}
}

// FuzzParseBlockNumber: a peer's answer never panics the parser, and a
// number comes only with the transaction found in the block.
func FuzzParseBlockNumber(f *testing.F) {
	f.Add([]byte{}, "tx")
	f.Add([]byte("\x0a\x02\x08\x07"), "tx")
	f.Fuzz(func(t *testing.T, b []byte, txID string) {
		n, err := ParseBlockNumber(b, txID)
		if err != nil && n != 0 {
			t.Fatalf("error %v with block %d", err, n)
		}
	})
}

func must(t *testing.T, m proto.Message) []byte {
	t.Helper()
	b, err := proto.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestTransactionLookup runs Client.Transaction against the fake peer: the
// qscc call, its arguments, and the three answers the gateway tells apart.
func TestTransactionLookup(t *testing.T) {
	result := []byte(`{"id":"t2"}`)
	var asked *gateway.EvaluateRequest
	var askedBlock []string
	answer := func(ctx context.Context, r *gateway.EvaluateRequest) (*gateway.EvaluateResponse, error) {
		if args := qsccArgs(t, r); len(args) > 0 && args[0] == "GetBlockByTxID" {
			askedBlock = args
			return &gateway.EvaluateResponse{Result: &peer.Response{Status: 200,
				Payload: blockWith(t, 41, "tx8", "tx9")}}, nil
		}
		asked = r
		return &gateway.EvaluateResponse{Result: &peer.Response{Status: 200,
			Payload: processedTransaction(t, "tx9", "tierchain:Split", result, peer.TxValidationCode_VALID)}}, nil
	}
	f := &fakeGateway{evaluate: answer}
	c := startFakeWith(t, f, Options{MSPID: "CoreMSP"})
	tx, err := c.Transaction(context.Background(), "tx9")
	if err != nil {
		t.Fatal(err)
	}
	if !tx.Valid() || tx.TxID != "tx9" || !bytes.Equal(tx.Payload, result) {
		t.Fatalf("%+v", tx)
	}
	// A resumed write answers with the block its first run would have.
	if tx.BlockNumber != 41 || tx.Result().BlockNumber != 41 {
		t.Fatalf("block number %d, result's %d: want 41", tx.BlockNumber, tx.Result().BlockNumber)
	}
	if len(askedBlock) != 3 || askedBlock[1] != "scf" || askedBlock[2] != "tx9" {
		t.Errorf("asked for the block with %q", askedBlock)
	}
	var prop peer.Proposal
	if err := proto.Unmarshal(asked.GetProposedTransaction().GetProposalBytes(), &prop); err != nil {
		t.Fatal(err)
	}
	var cpp peer.ChaincodeProposalPayload
	var spec peer.ChaincodeInvocationSpec
	if err := proto.Unmarshal(prop.Payload, &cpp); err != nil {
		t.Fatal(err)
	}
	if err := proto.Unmarshal(cpp.Input, &spec); err != nil {
		t.Fatal(err)
	}
	args := spec.GetChaincodeSpec().GetInput().GetArgs()
	if spec.GetChaincodeSpec().GetChaincodeId().GetName() != "qscc" || len(args) != 3 ||
		string(args[0]) != "GetTransactionByID" || string(args[1]) != "scf" || string(args[2]) != "tx9" {
		t.Errorf("asked %s %q", spec.GetChaincodeSpec().GetChaincodeId().GetName(), args)
	}
	if orgs := asked.GetTargetOrganizations(); len(orgs) != 1 || orgs[0] != "CoreMSP" {
		t.Errorf("target organizations %v, want the client's own", orgs)
	}

	for _, tc := range []struct {
		name string
		err  error
		want error
	}{
		{"not found", status.Error(codes.Unknown, "evaluate call to endorser returned error: chaincode response 500, "+
			"Failed to get transaction with id tx9, error no such transaction ID [tx9] in index"), ErrTransactionNotFound},
		{"peer down", status.Error(codes.Unavailable, "connection refused"), ErrUnavailable},
	} {
		f.evaluate = func(context.Context, *gateway.EvaluateRequest) (*gateway.EvaluateResponse, error) { return nil, tc.err }
		_, err := c.Transaction(context.Background(), "tx9")
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
		if tc.want == ErrUnavailable && errors.Is(err, ErrTransactionNotFound) {
			t.Errorf("%s: an unreachable peer reported as not found", tc.name)
		}
	}
}
