package audit_test

import (
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/audit"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// testBits is the handle path's bound in tests: a 2^8-entry table builds
// at once, and amounts from 2^16 up are out of its reach.
const testBits = 16

// Big is the second receivable's amount: above 2^testBits, issued with a
// regulator envelope sealed to the wrong key, so it cannot be opened.
const Big = 70_000

// auditWorld is a ledger built by the real chaincode rules:
//
//	root1 (1000, core → S1, BankA's line, maturity 2026-06-30)
//	├─ A  400 → S2 (tier 2)
//	│  ├─ A1 150 → S3 (tier 3), financed: held by BankB
//	│  └─ A2 250   S2, paid and confirmed (SETTLED)
//	└─ B  600   S1 (change)
//	   ├─ B1 100 → S3 ┐ regulator envelopes sealed to a wrong key
//	   └─ B2 500   S1 ┘ (the chaincode cannot tell)
//	root2 (Big, core → S1, BankB's line, maturity 2026-09-30, bad envelope)
type auditWorld struct {
	*rulestest.Scenario
	root1, root2, a, a1, a2, b, b1, b2 string
}

var (
	worldOnce sync.Once
	theWorld  *auditWorld
)

// world builds the fixture once per test binary (a few seconds of
// proving); tests only read it.
func world(t testing.TB) *auditWorld {
	t.Helper()
	worldOnce.Do(func() { theWorld = buildWorld() })
	return theWorld
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func commitment(b []byte) *pedersen.Commitment { return must(pedersen.DecodeCommitment(b)) }

func buildWorld() *auditWorld {
	s := rulestest.NewScenario()
	w := &auditWorld{Scenario: s, root1: s.Root}
	r := s.Rules
	one := func(id string, o pedersen.Opening) []protocol.OpenedToken {
		return []protocol.OpenedToken{{ID: id, Currency: rulestest.Currency, Opening: o}}
	}
	wrongKey := must(envelope.GenerateKey(nil))
	badAuditor := protocol.Auditor{AuditKey: s.AuditKey.Public(), EncryptionKey: wrongKey.Public()}

	a, b := rulestest.Opening(400), rulestest.Opening(600)
	out := must(r.Split(s.As(s.S1), s.SplitRequest(protocol.KindSplit, s.S1, one(s.Root, s.RootOpening), rulestest.To(s.S2, a), rulestest.To(s.S1, b))))
	w.a, w.b = out[0].ID, out[1].ID

	a1, a2 := rulestest.Opening(150), rulestest.Opening(250)
	out = must(r.Split(s.As(s.S2), s.SplitRequest(protocol.KindSplit, s.S2, one(w.a, a), rulestest.To(s.S3, a1), rulestest.To(s.S2, a2))))
	w.a1, w.a2 = out[0].ID, out[1].ID
	a1Commitment := commitment(out[0].Commitment)

	b1, b2 := rulestest.Opening(100), rulestest.Opening(500)
	bad := must(protocol.BuildSplit(s.Ctx(), protocol.SplitInput{Kind: protocol.KindSplit, Spender: s.S1.ID, Inputs: one(w.b, b),
		Outputs: []protocol.OutputSpec{rulestest.To(s.S3, b1), rulestest.To(s.S1, b2)}}, badAuditor, nil))
	out = must(r.Split(s.As(s.S1), bad))
	w.b1, w.b2 = out[0].ID, out[1].ID

	// A1 is financed at BankB.
	must(r.RequestFinancing(s.As(s.S3), must(protocol.BuildFinance(w.a1, a1Commitment, a1, s.BankB.Recipient(), nil))))
	must(r.ApproveFinancing(s.As(s.BankB), &model.ApproveFinancingRequest{Token: w.a1, DisbursementRef: "WIRE-7", AgreementHash: make([]byte, 32)}))

	// root2: a large receivable on BankB's line (re-granted larger), whose
	// regulator envelope is sealed to the wrong key.
	expiry := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	must(r.GrantCreditLine(s.As(s.BankB), &model.GrantCreditLineRequest{Core: s.Core.ID, Currency: rulestest.Currency, Limit: 200_000, Expiry: expiry}))
	inv := s.ConfirmedInvoice(s.S1, "INV-BIG", 100_000)
	big := rulestest.Opening(Big)
	req := must(protocol.BuildIssue(s.Ctx(), protocol.IssueInput{Currency: rulestest.Currency,
		Issuer: s.Core.ID, IssuerKey: s.Core.Key.Public(), Bank: s.BankB.ID, Holder: s.S1.Recipient(), Invoices: []protocol.OpenedInvoice{inv},
		Limit: 200_000, Outstanding: rulestest.ZeroOpening(), Maturity: maturity2, Amount: big,
	}, badAuditor, nil))
	w.root2 = must(r.Issue(s.As(s.Core), req)).ID

	// Two holders dispute their envelopes: S3 of B1 (whose regulator
	// envelope is bad too), BankB of A1 (whose regulator envelope is
	// good).
	must(r.FileDispute(s.As(s.S3), &model.FileDisputeRequest{Token: w.b1, Reason: model.DisputeWrongOpening}))
	must(r.FileDispute(s.As(s.BankB), &model.FileDisputeRequest{Token: w.a1, Reason: model.DisputeUndecryptable}))

	// At maturity the core pays A2's holder, who confirms.
	s.Now = rulestest.Maturity.Add(time.Hour)
	must(r.DeclarePayment(s.As(s.Core), &model.TokenActionRequest{Token: w.a2, Reason: "PAY-1"}))
	must(r.ConfirmPayment(s.As(s.S2), &model.TokenActionRequest{Token: w.a2}))
	return w
}

// maturity2 is root2's maturity.
var maturity2 = time.Date(2026, 9, 30, 0, 0, 0, 0, time.UTC)

// reportTime is when the tests read the reports: 15 days after root1's
// maturity, before root2's.
var reportTime = rulestest.Maturity.Add(15*24*time.Hour + 3*time.Hour)

// ledger returns a fake peer over the world.
func (w *auditWorld) ledger() *fakeLedger {
	return &fakeLedger{w: w.World, now: reportTime, pageSize: 2, block: 41}
}

// service returns an audit service over l with the regulator's keys.
func (w *auditWorld) service(t testing.TB, l audit.Ledger, opts ...func(*audit.Config)) *audit.Service {
	t.Helper()
	cfg := audit.Config{Ledger: l, AuditKey: w.AuditKey, EnvelopeKey: w.Regulator.Key, DLogBits: testBits, Workers: 2,
		Now: func() time.Time { return reportTime }, Logger: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&cfg)
	}
	return must(audit.New(cfg))
}
