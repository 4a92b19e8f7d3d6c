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

// askPieceQuotes is S1 asking banks for quotes on piece of its root token.
func askPieceQuotes(t *testing.T, s *rulestest.Scenario, piece uint64, banks ...*rulestest.Party) *model.RequestQuotesRequest {
	t.Helper()
	var rs []protocol.Recipient
	for _, b := range banks {
		rs = append(rs, b.Recipient())
	}
	req, _, err := protocol.BuildRequestQuotesPiece(s.Ctx(), protocol.OpenedToken{ID: s.Root, Currency: rulestest.Currency, Opening: s.RootOpening}, s.S1.Recipient(),
		piece, rs, s.Now.Add(48*time.Hour), s.Auditor(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// TestQuotesOnPiece: S1 asks both banks for quotes on a third of its
// token; the split is proven with the request, the token stays ACTIVE and
// whole; each bank opens the piece (not the token) and quotes on it; S1
// accepts one and the acceptance splits the token: the piece FINANCING at
// the bank with the quote's advance, the change ACTIVE with S1, the other
// quote LAPSED. A request whose split does not balance, or gives the piece
// to someone else, is refused with the state unchanged.
func TestQuotesOnPiece(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	setCap(t, s, 9000)
	piece := uint64(rulestest.RootAmount / 3)

	// Refused: an output of another holder; a split whose piece and change
	// do not add up to the token (proofs for other commitments).
	bad := askPieceQuotes(t, s, piece, s.BankA, s.BankB)
	bad.Partial.Outputs[1].Holder = s.S2.ID
	expectRefused(t, s.State, model.ErrInvalidArgument, func() (*model.RFQ, error) { return r.RequestQuotes(s.As(s.S1), bad) })
	bad = askPieceQuotes(t, s, piece, s.BankA, s.BankB)
	other := askPieceQuotes(t, s, piece+1, s.BankA, s.BankB)
	bad.Partial.Outputs[1] = other.Partial.Outputs[1]
	expectRefused(t, s.State, model.ErrInvalidProof, func() (*model.RFQ, error) { return r.RequestQuotes(s.As(s.S1), bad) })
	// Proofs moved to another request (another expiry) do not verify.
	bad = askPieceQuotes(t, s, piece, s.BankA, s.BankB)
	bad.Expiry = bad.Expiry.Add(time.Hour)
	expectRefused(t, s.State, model.ErrInvalidProof, func() (*model.RFQ, error) { return r.RequestQuotes(s.As(s.S1), bad) })

	rfq := must(r.RequestQuotes(s.As(s.S1), askPieceQuotes(t, s, piece, s.BankA, s.BankB)))
	if len(rfq.Piece) != 2 || rfq.Piece[0].RangeProof != nil {
		t.Fatalf("the RFQ keeps %+v", rfq.Piece)
	}
	if tok := must(r.GetToken(s.As(s.S1), s.Root)); tok.Status != model.TokenActive || len(tok.Children) != 0 {
		t.Fatalf("asking for quotes on a piece moved the token: %s %v", tok.Status, tok.Children)
	}
	// Each bank opens the piece, bound to the piece's commitment; the
	// token's commitment does not open it.
	pc := mustCommitment(rfq.Piece[0].Commitment)
	inputs := map[string]protocol.QuoteInput{}
	for _, b := range []*rulestest.Party{s.BankA, s.BankB} {
		env := rfq.Invited(b.ID).BankEnvelope
		if _, err := envelope.Open(b.Key, env, protocol.OutputBinding(s.RootOpening.Commitment(), protocol.PurposeBank)); err == nil {
			t.Fatalf("%s opens the piece's envelope against the token's commitment", b.ID)
		}
		face := must(envelope.Open(b.Key, env, protocol.OutputBinding(pc, protocol.PurposeBank)))
		if face.Value != piece {
			t.Fatalf("%s opens %d, want the piece %d", b.ID, face.Value, piece)
		}
		inputs[b.ID] = protocol.QuoteInput{Currency: rulestest.Currency, RFQ: rfq.ID, Token: rfq.Token, Requester: s.S1.Recipient(), Bank: b.Recipient(),
			Face: face, Maturity: rulestest.Maturity, Terms: quote(), Fee: 1, MaxAdvanceBP: 9000}
	}
	// A quote proven against the whole token's face is refused.
	whole := inputs[s.BankA.ID]
	whole.Face = s.RootOpening
	wholeReq, _, err := protocol.BuildQuote(s.Ctx(), whole, s.Auditor(), nil)
	if err != nil {
		t.Fatal(err)
	}
	expectRefused(t, s.State, model.ErrInvalidProof, func() (*model.Quote, error) { return r.SubmitQuote(s.As(s.BankA), wholeReq) })

	qa, advA := submitQuote(t, s, s.BankA, inputs[s.BankA.ID])
	qb, _ := submitQuote(t, s, s.BankB, inputs[s.BankB.ID])
	if advA.Face != piece {
		t.Fatalf("BankA quoted on %d, want %d", advA.Face, piece)
	}

	got := must(r.AcceptQuote(s.As(s.S1), &model.QuoteActionRequest{Quote: qa.ID}))
	root := must(r.GetToken(s.As(s.S1), s.Root))
	if root.Status != model.TokenSplit || len(root.Children) != 2 || root.Children[0] != got.ID {
		t.Fatalf("the token after acceptance: %s %v", root.Status, root.Children)
	}
	if got.Status != model.TokenFinancing || got.Financing.Bank != s.BankA.ID || got.Financing.Quote.SplitFrom != s.Root ||
		string(got.Commitment) != string(rfq.Piece[0].Commitment) || got.Holder != s.S1.ID {
		t.Fatalf("the piece %+v", got)
	}
	change := must(r.GetToken(s.As(s.S1), root.Children[1]))
	if change.Status != model.TokenActive || change.Holder != s.S1.ID || string(change.Commitment) != string(rfq.Piece[1].Commitment) {
		t.Fatalf("the change %+v", change)
	}
	// The holder opens the change; the regulator both outputs.
	o := must(envelope.Open(s.S1.Key, change.HolderEnvelope, protocol.OutputBinding(mustCommitment(change.Commitment), protocol.PurposeHolder)))
	if o.Value != rulestest.RootAmount-piece || !pedersen.Commit(o.Value, o.Blinding).Equal(mustCommitment(change.Commitment)) {
		t.Fatalf("the change opens to %d", o.Value)
	}
	if v := must(r.GetQuote(s.As(s.BankB), qb.ID)); v.Status != model.QuoteLapsed {
		t.Fatalf("BankB's quote is %s", v.Status)
	}
	// BankA approves the piece; the advance is the quote's.
	fin := must(r.ApproveFinancing(s.As(s.BankA), &model.ApproveFinancingRequest{Token: got.ID, DisbursementRef: "D-1", AgreementHash: make([]byte, 32)}))
	if fin.Status != model.TokenFinanced || fin.Holder != s.BankA.ID {
		t.Fatalf("approved %+v", fin)
	}
	if a := openQuoted(t, s, s.BankA, fin.Financing.Quote.Advance, protocol.PurposeAdvance); a != advA.Advance {
		t.Fatalf("advance %d, quoted %d", a, advA.Advance)
	}
}
