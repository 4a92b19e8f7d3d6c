package protocol_test

import (
	"time"

	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// frozenContext, frozenScalar … build statements from fixed values only,
// so their transcripts are the same bytes in every version of the code:
// TestFrozenTranscripts compares them with challenges recorded before
// currencies were bound (commit 33efdf5).
var frozenContext = protocol.Context{Channel: "scf", Chaincode: "tierchain"}

func frozenScalar(v uint64) *group.Scalar { return group.NewScalar().SetUint64(v) }

func frozenCommitment(v, r uint64) *pedersen.Commitment {
	return pedersen.CommitScalar(frozenScalar(v), frozenScalar(r))
}

func frozenAuditKey() *elgamal.PublicKey {
	k, err := elgamal.DecodePrivateKey(frozenScalar(7).Bytes())
	if err != nil {
		panic(err)
	}
	return k.Public()
}

func frozenBytes(n int, b byte) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b + byte(i)
	}
	return out
}

func frozenOutput(holder string, v, r uint64) protocol.OutputRef {
	return protocol.OutputRef{Holder: holder, Commitment: frozenCommitment(v, r), Handle: elgamal.NewHandle(frozenAuditKey(), frozenScalar(r)),
		HolderEnvelope: frozenBytes(16, byte(r)), RegulatorEnvelope: frozenBytes(16, byte(r+1))}
}

// frozenStatements are one statement of each kind that moves an amount
// and has no currency in its transcript before currencies: an invoice, an
// issue and a split.
func frozenStatements() (*protocol.InvoiceStatement, *protocol.IssueStatement, *protocol.SplitStatement) {
	key := frozenAuditKey()
	at := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	inv := &protocol.InvoiceStatement{Supplier: "s1", Buyer: "core", Fingerprint: frozenBytes(64, 1), DocumentHash: frozenBytes(32, 2),
		DueDate: at, Commitment: frozenCommitment(600, 11), Handle: elgamal.NewHandle(key, frozenScalar(11)),
		BuyerEnvelope: frozenBytes(16, 3), RegulatorEnvelope: frozenBytes(16, 4), AuditKey: key}
	issue := &protocol.IssueStatement{Issuer: "core", Bank: "bankA", Holder: "s1",
		Invoices: []protocol.InvoiceRef{{ID: "ab", Commitment: frozenCommitment(600, 11)}}, Limit: 10_000,
		Outstanding: frozenCommitment(0, 0).Element(), Maturity: at, Amount: frozenCommitment(500, 12),
		Handle: elgamal.NewHandle(key, frozenScalar(12)), HolderEnvelope: frozenBytes(16, 5), RegulatorEnvelope: frozenBytes(16, 6),
		IssuerEnvelope: frozenBytes(16, 7), AuditKey: key}
	split := &protocol.SplitStatement{Kind: protocol.KindSplit, Spender: "s1", AuditKey: key,
		Inputs:  []protocol.InputRef{{ID: "t1", Commitment: frozenCommitment(500, 12)}},
		Outputs: []protocol.OutputRef{frozenOutput("s2", 200, 13), frozenOutput("s1", 300, 14)}}
	return inv, issue, split
}
