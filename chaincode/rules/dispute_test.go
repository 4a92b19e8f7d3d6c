package rules_test

import (
	"errors"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// TestLyingEnvelopeDisputed: a split whose output carries a holder
// envelope that does not open the output verifies (the chaincode cannot
// open envelopes); its holder files a dispute, which names the spender as
// the sender; nobody else may file it, nor file it twice, and every
// refusal leaves the ledger as it was.
func TestLyingEnvelopeDisputed(t *testing.T) {
	for _, lie := range rulestest.LyingEnvelopes(newScenario(t).S2.Key.Public(), rulestest.Opening(1)) {
		t.Run(lie.Name, func(t *testing.T) {
			s := newScenario(t)
			r := s.Rules
			paid := rulestest.Opening(600)
			lies := rulestest.LyingEnvelopes(s.S2.Key.Public(), paid)
			var env []byte
			for _, l := range lies {
				if l.Name == lie.Name {
					env = l.Envelope
				}
			}
			outs := must(r.Split(s.As(s.S1), s.SplitRequest(protocol.KindSplit, s.S1, opened(s.Root, s.RootOpening),
				rulestest.Lying(s.S2, paid, env), rulestest.To(s.S1, rulestest.Opening(rulestest.RootAmount-600)))))
			bad := outs[0]
			if string(bad.HolderEnvelope) != string(env) {
				t.Fatal("the ledger does not keep the sender's envelope")
			}

			// Not the holder: the spender, another supplier, the core, the
			// regulator, a stranger.
			req := &model.FileDisputeRequest{Token: bad.ID, Reason: lie.Reason}
			for _, p := range []*rulestest.Party{s.S1, s.S3, s.BankA, s.Core, s.Regulator} {
				st := s.As(p)
				expectRefused(t, st, model.ErrForbidden, func() (*model.Dispute, error) { return r.FileDispute(st, req) })
			}
			st := s.Begin(s.Stranger)
			expectRefused(t, st, model.ErrUnauthorized, func() (*model.Dispute, error) { return r.FileDispute(st, req) })
			st = s.As(s.S2)
			expectRefused(t, st, model.ErrInvalidArgument, func() (*model.Dispute, error) {
				return r.FileDispute(st, &model.FileDisputeRequest{Token: bad.ID, Reason: "LOOKS_ODD"})
			})
			st = s.As(s.S2)
			expectRefused(t, st, model.ErrNotFound, func() (*model.Dispute, error) {
				return r.FileDispute(st, &model.FileDisputeRequest{Token: "tnosuch", Reason: lie.Reason})
			})

			st = s.As(s.S2)
			d := must(r.FileDispute(st, req))
			want := model.Dispute{Token: bad.ID, Root: s.Root, Issuer: s.Core.ID, Holder: s.S2.ID, Sender: s.S1.ID,
				Envelope: model.DisputedHolderEnvelope, Reason: lie.Reason, SealedIn: bad.TxID, FiledAt: st.Now, TxID: st.Tx}
			if *d != want {
				t.Fatalf("dispute %+v, want %+v", *d, want)
			}
			ev := lastEvent(t, st)
			if ev.Kind != model.KindFileDispute || ev.Actor != s.S2.ID || len(ev.Tokens) != 0 ||
				len(ev.Disputes) != 1 || ev.Disputes[0] != (model.DisputeChange{Token: bad.ID, Holder: s.S2.ID, Sender: s.S1.ID, Reason: lie.Reason}) {
				t.Fatalf("event %+v", ev)
			}
			if got := must(r.GetToken(s.As(s.S2), bad.ID)); got.LedgerStatus != model.TokenActive {
				t.Fatalf("disputed token is %s; a dispute leaves it as it is", got.LedgerStatus)
			}
			if got := must(r.GetDispute(s.As(s.Regulator), bad.ID)); *got != want {
				t.Fatalf("GetDispute %+v", *got)
			}
			page := must(r.Disputes(s.As(s.Regulator), &model.PageRequest{}))
			if len(page.Items) != 1 || page.Items[0] != want {
				t.Fatalf("Disputes %+v", page)
			}
			st = s.As(s.S2)
			expectRefused(t, st, model.ErrConflict, func() (*model.Dispute, error) { return r.FileDispute(st, req) })
		})
	}
}

// TestDisputeSenders: the chaincode names the sender from the ledger's
// facts, whoever the holder says it is: the issuer for a root, the bank's
// requester for a financed token; a spent token cannot be disputed.
func TestDisputeSenders(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	root := must(r.FileDispute(s.As(s.S1), &model.FileDisputeRequest{Token: s.Root, Reason: model.DisputeUndecryptable}))
	if root.Sender != s.Core.ID || root.Envelope != model.DisputedHolderEnvelope {
		t.Fatalf("root dispute names %s (%s), want the issuer", root.Sender, root.Envelope)
	}

	s = newScenario(t)
	r = s.Rules
	outs := must(r.Split(s.As(s.S1), s.SplitRequest(protocol.KindSplit, s.S1, opened(s.Root, s.RootOpening),
		rulestest.To(s.S2, rulestest.Opening(600)), rulestest.To(s.S1, rulestest.Opening(rulestest.RootAmount-600)))))
	st := s.As(s.S1)
	expectRefused(t, st, model.ErrInvalidState, func() (*model.Dispute, error) {
		return r.FileDispute(st, &model.FileDisputeRequest{Token: s.Root, Reason: model.DisputeWrongOpening})
	})
	must(r.RequestFinancing(s.As(s.S2), &model.FinanceRequest{Token: outs[0].ID, Bank: s.BankA.ID, BankEnvelope: garbageEnvelope()}))
	// Under financing the supplier still holds it: its own envelope is the holder's.
	st = s.As(s.BankA)
	expectRefused(t, st, model.ErrForbidden, func() (*model.Dispute, error) {
		return r.FileDispute(st, &model.FileDisputeRequest{Token: outs[0].ID, Reason: model.DisputeUndecryptable})
	})
	must(r.ApproveFinancing(s.As(s.BankA), &model.ApproveFinancingRequest{Token: outs[0].ID, DisbursementRef: "WIRE-1", AgreementHash: make([]byte, 32)}))
	d := must(r.FileDispute(s.As(s.BankA), &model.FileDisputeRequest{Token: outs[0].ID, Reason: model.DisputeUndecryptable}))
	if d.Sender != s.S2.ID || d.Envelope != model.DisputedBankEnvelope || d.Holder != s.BankA.ID {
		t.Fatalf("bank's dispute %+v, want sender %s, bank envelope", *d, s.S2.ID)
	}
	if _, err := r.Disputes(s.As(s.Regulator), &model.PageRequest{Owner: s.S1.ID}); !errors.Is(err, model.ErrInvalidArgument) {
		t.Fatalf("Disputes with an owner: %v", err)
	}
}
