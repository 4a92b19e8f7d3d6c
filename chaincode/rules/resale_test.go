package rules_test

import (
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// financedAtA is the fixture's root financed with terms by BankA
// (approved), under a 90 % cap.
func financedAtA(t *testing.T) *rulestest.Scenario {
	t.Helper()
	s := newScenario(t)
	setCap(t, s, 9000)
	req, _ := buildFin(t, s, finInput(s, 9000))
	must(s.Rules.RequestTermFinancing(s.As(s.S1), req))
	must(s.Rules.ApproveFinancing(s.As(s.BankA), &model.ApproveFinancingRequest{Token: s.Root, DisbursementRef: "W-1", AgreementHash: make([]byte, 32)}))
	return s
}

func resaleOffer(t *testing.T, s *rulestest.Scenario, seller, buyer *rulestest.Party, face pedersen.Opening, price uint64) *model.OfferResaleRequest {
	t.Helper()
	req, err := protocol.BuildResale(s.Ctx(), protocol.ResaleInput{Token: protocol.OpenedToken{ID: s.Root, Currency: rulestest.Currency, Opening: face},
		Seller: seller.Recipient(), Buyer: buyer.Recipient(), Price: price}, s.Auditor(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestResale: BankA sells the piece it financed to BankB at a price only
// the two banks and the regulator open; BankB holds it, may claim
// recourse like the bank before it, and the core pays BankB at maturity.
func TestResale(t *testing.T) {
	s := financedAtA(t)
	r := s.Rules
	offer := resaleOffer(t, s, s.BankA, s.BankB, s.RootOpening, 880)
	tok := must(r.OfferResale(s.As(s.BankA), offer))
	if ev := lastEvent(t, s.State); ev.Kind != protocol.KindOfferResale || tok.Resale == nil || tok.Holder != s.BankA.ID {
		t.Fatalf("offer %+v, event %+v", tok.Resale, ev)
	}
	if pg := must(r.ResaleOffers(s.As(s.BankB), &model.PageRequest{Owner: s.BankB.ID, PageSize: 10})); len(pg.Items) != 1 {
		t.Fatalf("BankB sees %d offers", len(pg.Items))
	}
	// The price opens to 880 for the seller, the buyer and the regulator.
	p := tok.Resale.Price
	c := mustCommitment(p.Commitment)
	for _, k := range []struct {
		key *envelope.PrivateKey
		env []byte
	}{{s.BankA.Key, p.HolderEnvelope}, {s.BankB.Key, p.BankEnvelope}, {s.Regulator.Key, p.RegulatorEnvelope}} {
		if o, err := envelope.Open(k.key, k.env, protocol.OutputBinding(c, protocol.PurposePrice)); err != nil || o.Value != 880 {
			t.Fatalf("price opens to %d: %v", o.Value, err)
		}
	}
	if !s.AuditKey.CheckValue(c, must(auditHandle(p.Handle)), 880) {
		t.Fatal("the regulator's handle does not open the price")
	}
	if face, err := envelope.Open(s.BankB.Key, tok.Resale.BankEnvelope, protocol.OutputBinding(mustCommitment(tok.Commitment), protocol.PurposeBank)); err != nil || face.Value != rulestest.RootAmount {
		t.Fatalf("the buyer opens the face: %v", err)
	}

	expectRefused(t, s.State, model.ErrConflict, func() (*model.Token, error) { return r.OfferResale(s.As(s.BankA), offer) })
	accept := &model.AcceptResaleRequest{Token: s.Root, PaymentRef: "SWIFT-FORFAIT-1"}
	expectRefused(t, s.State, model.ErrForbidden, func() (*model.Token, error) { return r.AcceptResale(s.As(s.BankA), accept) })
	got := must(r.AcceptResale(s.As(s.BankB), accept))
	if got.Holder != s.BankB.ID || got.Status != model.TokenFinanced || got.Resale != nil || len(got.Resales) != 1 ||
		got.Resales[0].PaymentRef != "SWIFT-FORFAIT-1" || got.Financing.Bank != s.BankA.ID {
		t.Fatalf("after the sale %+v", got)
	}
	if pg := must(r.TokensByHolder(s.As(s.BankB), &model.PageRequest{Owner: s.BankB.ID, PageSize: 10})); len(pg.Items) != 1 {
		t.Fatalf("BankB holds %d tokens", len(pg.Items))
	}
	if pg := must(r.ResaleOffers(s.As(s.BankB), &model.PageRequest{Owner: s.BankB.ID, PageSize: 10})); len(pg.Items) != 0 {
		t.Fatalf("BankB still sees %d offers", len(pg.Items))
	}
	// BankA no longer holds it: reselling it is refused.
	expectRefused(t, s.State, model.ErrForbidden, func() (*model.Token, error) {
		return r.OfferResale(s.As(s.BankA), resaleOffer(t, s, s.BankA, s.BankB, s.RootOpening, 900))
	})

	// At maturity the core pays the new holder.
	s.Now = rulestest.Maturity.Add(time.Hour)
	if paid := must(r.DeclarePayment(s.As(s.Core), &model.TokenActionRequest{Token: s.Root, Reason: "PAY-R"})); paid.Payment.Payee != s.BankB.ID {
		t.Fatalf("payee %s, want the buyer", paid.Payment.Payee)
	}
}

// TestResaleRecourse: the buyer of a piece financed with recourse claims
// from the original seller once it is in default.
func TestResaleRecourse(t *testing.T) {
	s := financedAtA(t)
	r := s.Rules
	must(r.OfferResale(s.As(s.BankA), resaleOffer(t, s, s.BankA, s.BankB, s.RootOpening, 850)))
	must(r.AcceptResale(s.As(s.BankB), &model.AcceptResaleRequest{Token: s.Root, PaymentRef: "P-2"}))
	s.Now = rulestest.Maturity.AddDate(0, 0, 11)
	must(r.DeclareDefault(s.As(s.BankB), &model.TokenActionRequest{Token: s.Root, Reason: "unpaid"}))
	expectRefused(t, s.State, model.ErrForbidden, func() (*model.Token, error) {
		return r.ExerciseRecourse(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root, Reason: "CLAIM-A"})
	})
	got := must(r.ExerciseRecourse(s.As(s.BankB), &model.TokenActionRequest{Token: s.Root, Reason: "CLAIM-B"}))
	if got.Status != model.TokenRecourse || got.Default.RecourseAgainst != s.S1.ID {
		t.Fatalf("recourse %+v", got.Default)
	}
}

// TestResaleRefused: each bad offer, acceptance or cancellation leaves the
// ledger as it was.
func TestResaleRefused(t *testing.T) {
	for _, c := range []struct {
		name string
		run  func(t *testing.T, s *rulestest.Scenario) func() (*model.Token, error)
		want *model.Error
	}{
		{"a piece that is not the seller's", func(t *testing.T, s *rulestest.Scenario) func() (*model.Token, error) {
			req := resaleOffer(t, s, s.BankB, s.BankA, s.RootOpening, 800)
			return func() (*model.Token, error) { return s.Rules.OfferResale(s.As(s.BankB), req) }
		}, model.ErrForbidden},
		{"price above face", func(t *testing.T, s *rulestest.Scenario) func() (*model.Token, error) {
			// A face opening that lies about the value: the proofs are
			// against another commitment than the token's.
			lie := pedersen.Opening{Value: 2 * rulestest.RootAmount, Blinding: s.RootOpening.Blinding}
			req := resaleOffer(t, s, s.BankA, s.BankB, lie, rulestest.RootAmount+1)
			return func() (*model.Token, error) { return s.Rules.OfferResale(s.As(s.BankA), req) }
		}, model.ErrInvalidProof},
		{"price swapped after proving", func(t *testing.T, s *rulestest.Scenario) func() (*model.Token, error) {
			req := resaleOffer(t, s, s.BankA, s.BankB, s.RootOpening, 800)
			other := resaleOffer(t, s, s.BankA, s.BankB, s.RootOpening, 990)
			req.Price = other.Price
			return func() (*model.Token, error) { return s.Rules.OfferResale(s.As(s.BankA), req) }
		}, model.ErrInvalidProof},
		{"the seller as buyer", func(t *testing.T, s *rulestest.Scenario) func() (*model.Token, error) {
			req := resaleOffer(t, s, s.BankA, s.BankB, s.RootOpening, 800)
			req.Buyer = s.BankA.ID
			return func() (*model.Token, error) { return s.Rules.OfferResale(s.As(s.BankA), req) }
		}, model.ErrInvalidArgument},
		{"a buyer that is not a bank", func(t *testing.T, s *rulestest.Scenario) func() (*model.Token, error) {
			req := resaleOffer(t, s, s.BankA, s.S2, s.RootOpening, 800)
			return func() (*model.Token, error) { return s.Rules.OfferResale(s.As(s.BankA), req) }
		}, model.ErrInvalidArgument},
		{"a holder that is not a bank", func(t *testing.T, s *rulestest.Scenario) func() (*model.Token, error) {
			s2 := newScenario(t)
			*s = *s2
			req := resaleOffer(t, s, s.S1, s.BankB, s.RootOpening, 800)
			return func() (*model.Token, error) { return s.Rules.OfferResale(s.As(s.S1), req) }
		}, model.ErrForbidden},
		{"accept without an offer", func(t *testing.T, s *rulestest.Scenario) func() (*model.Token, error) {
			return func() (*model.Token, error) {
				return s.Rules.AcceptResale(s.As(s.BankB), &model.AcceptResaleRequest{Token: s.Root, PaymentRef: "P"})
			}
		}, model.ErrForbidden},
		{"accept after the core declared payment", func(t *testing.T, s *rulestest.Scenario) func() (*model.Token, error) {
			must(s.Rules.OfferResale(s.As(s.BankA), resaleOffer(t, s, s.BankA, s.BankB, s.RootOpening, 800)))
			s.Now = rulestest.Maturity.Add(time.Hour)
			must(s.Rules.DeclarePayment(s.As(s.Core), &model.TokenActionRequest{Token: s.Root, Reason: "PAY"}))
			return func() (*model.Token, error) {
				return s.Rules.AcceptResale(s.As(s.BankB), &model.AcceptResaleRequest{Token: s.Root, PaymentRef: "P"})
			}
		}, model.ErrInvalidState},
		{"accept a cancelled offer", func(t *testing.T, s *rulestest.Scenario) func() (*model.Token, error) {
			must(s.Rules.OfferResale(s.As(s.BankA), resaleOffer(t, s, s.BankA, s.BankB, s.RootOpening, 800)))
			must(s.Rules.CancelResale(s.As(s.BankB), &model.TokenActionRequest{Token: s.Root}))
			return func() (*model.Token, error) {
				return s.Rules.AcceptResale(s.As(s.BankB), &model.AcceptResaleRequest{Token: s.Root, PaymentRef: "P"})
			}
		}, model.ErrForbidden},
		{"accept without a payment reference", func(t *testing.T, s *rulestest.Scenario) func() (*model.Token, error) {
			must(s.Rules.OfferResale(s.As(s.BankA), resaleOffer(t, s, s.BankA, s.BankB, s.RootOpening, 800)))
			return func() (*model.Token, error) {
				return s.Rules.AcceptResale(s.As(s.BankB), &model.AcceptResaleRequest{Token: s.Root})
			}
		}, model.ErrInvalidArgument},
		{"cancel with no offer", func(t *testing.T, s *rulestest.Scenario) func() (*model.Token, error) {
			return func() (*model.Token, error) {
				return s.Rules.CancelResale(s.As(s.BankA), &model.TokenActionRequest{Token: s.Root})
			}
		}, model.ErrInvalidState},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := financedAtA(t)
			call := c.run(t, s)
			expectRefused(t, s.State, c.want, call)
		})
	}
}
