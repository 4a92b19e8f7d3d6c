package rules_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// usdLimit is BankA's USD line for the core in the currency tests.
const usdLimit = 5_000

// usdWorld is the scenario (a CNY receivable issued against BankA's CNY
// line) plus a USD line of BankA and two confirmed USD invoices of S1.
type usdWorld struct {
	*rulestest.Scenario
	usd []protocol.OpenedInvoice // 300 and 200
}

func newUSDWorld(t *testing.T) *usdWorld {
	t.Helper()
	s := newScenario(t)
	w := &usdWorld{Scenario: s}
	for i, v := range []uint64{300, 200} {
		o := rulestest.Opening(v)
		label := []string{"USD-1", "USD-2"}[i]
		req := must(protocol.BuildInvoice(s.Ctx(), protocol.InvoiceInput{Currency: "USD", Supplier: s.S1.ID, Buyer: s.Core.Recipient(),
			Fingerprint: rulestest.Fingerprint(label), DocumentHash: make([]byte, 32), DueDate: rulestest.Maturity, Amount: o}, s.Auditor(), nil))
		inv := must(s.Rules.RegisterInvoice(s.As(s.S1), req))
		if inv.Currency != "USD" {
			t.Fatalf("invoice registered in %q", inv.Currency)
		}
		must(s.Rules.ConfirmInvoice(s.As(s.Core), &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: inv.Fingerprint}))
		w.usd = append(w.usd, protocol.OpenedInvoice{ID: inv.ID, Opening: o})
	}
	line := must(s.Rules.GrantCreditLine(s.As(s.BankA), &model.GrantCreditLineRequest{Core: s.Core.ID, Currency: "USD", Limit: usdLimit,
		Expiry: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}))
	if ev := lastEvent(t, s.State); len(ev.CreditLines) != 1 || ev.CreditLines[0].Currency != "USD" || line.Currency != "USD" {
		t.Fatalf("USD grant: line %+v, event %+v", line, ev.CreditLines)
	}
	return w
}

// issueIn builds the core's issue of amount in currency against bank's
// line (limit, outstanding), backed by invoices.
func (w *usdWorld) issueIn(currency string, bank *rulestest.Party, limit uint64, outstanding pedersen.Opening, invoices []protocol.OpenedInvoice, amount pedersen.Opening) *model.IssueRequest {
	return must(protocol.BuildIssue(w.Ctx(), protocol.IssueInput{Currency: currency, Issuer: w.Core.ID, IssuerKey: w.Core.Key.Public(),
		Bank: bank.ID, Holder: w.S1.Recipient(), Invoices: invoices, Limit: limit, Outstanding: outstanding,
		Maturity: rulestest.Maturity, Amount: amount}, w.Auditor(), nil))
}

// TestCurrencyLines: a bank's lines for a core are one per currency, each
// with its own limit and outstanding; an issue in USD moves only the USD
// line and creates a USD token, and every list and event says so.
func TestCurrencyLines(t *testing.T) {
	w := newUSDWorld(t)
	cnyBefore := must(w.Rules.GetCreditLine(w.As(w.BankA), w.Core.ID, w.BankA.ID, rulestest.Currency))

	amount := rulestest.Opening(450)
	root := must(w.Rules.Issue(w.As(w.Core), w.issueIn("USD", w.BankA, usdLimit, rulestest.ZeroOpening(), w.usd, amount)))
	if root.Currency != "USD" {
		t.Fatalf("root in %q", root.Currency)
	}
	ev := lastEvent(t, w.State)
	if len(ev.Tokens) != 1 || ev.Tokens[0].Currency != "USD" || len(ev.CreditLines) != 1 || ev.CreditLines[0].Currency != "USD" {
		t.Fatalf("issue event: tokens %+v lines %+v", ev.Tokens, ev.CreditLines)
	}
	for _, inv := range ev.Invoices {
		if inv.Currency != "USD" {
			t.Fatalf("invoice event in %q", inv.Currency)
		}
	}
	usd := must(w.Rules.GetCreditLine(w.As(w.BankA), w.Core.ID, w.BankA.ID, "USD"))
	if usd.Issued != 1 || usd.Limit != usdLimit || mustElement(usd.Outstanding).Equal(amount.Commitment().Element()) != 1 {
		t.Fatalf("USD line after the issue: %+v", usd)
	}
	if cny := must(w.Rules.GetCreditLine(w.As(w.BankA), w.Core.ID, w.BankA.ID, rulestest.Currency)); cny.Issued != cnyBefore.Issued ||
		string(cny.Outstanding) != string(cnyBefore.Outstanding) {
		t.Fatal("a USD issue moved the CNY line")
	}
	lines := must(w.Rules.CreditLinesByCore(w.As(w.Regulator), &model.PageRequest{Owner: w.Core.ID}))
	var got []string
	for _, l := range lines.Items {
		got = append(got, l.Bank+"/"+l.Currency)
	}
	if want := []string{"bankA/CNY", "bankA/USD", "bankB/CNY"}; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("the core's lines: %v, want %v", got, want)
	}
	expectRefused(t, w.State, model.ErrNotFound, func() (*rules.Exposure, error) {
		return w.Rules.GetCreditLine(w.As(w.BankB), w.Core.ID, w.BankB.ID, "USD")
	})
	expectRefused(t, w.State, model.ErrInvalidArgument, func() (*rules.Exposure, error) {
		return w.Rules.GetCreditLine(w.As(w.BankB), w.Core.ID, w.BankB.ID, "usd")
	})

	// Children inherit the currency.
	children := must(w.Rules.Split(w.As(w.S1), w.SplitRequest(protocol.KindSplit, w.S1,
		[]protocol.OpenedToken{{ID: root.ID, Currency: "USD", Opening: amount}},
		rulestest.To(w.S2, rulestest.Opening(50)), rulestest.To(w.S1, rulestest.Opening(400)))))
	for _, c := range children {
		if c.Currency != "USD" {
			t.Fatalf("child %s in %q", c.ID, c.Currency)
		}
	}
	for _, c := range lastEvent(t, w.State).Tokens {
		if c.Currency != "USD" {
			t.Fatalf("split event token %s in %q", c.ID, c.Currency)
		}
	}
}

// TestCurrencyMixRefused: every way of mixing currencies is refused with
// CURRENCY_MISMATCH (or INVALID_PROOF where the proofs carry the
// currency), and leaves the ledger byte for byte as it was.
func TestCurrencyMixRefused(t *testing.T) {
	w := newUSDWorld(t)
	cny := w.Invoices[2:] // SpareAmount, confirmed, CNY
	usdOpening := rulestest.Opening(300)
	usdRoot := must(w.Rules.Issue(w.As(w.Core), w.issueIn("USD", w.BankA, usdLimit, rulestest.ZeroOpening(), w.usd[:1], usdOpening)))

	for _, tc := range []struct {
		name string
		req  func() *model.IssueRequest
		code *model.Error
	}{
		{"USD issue backed by a CNY invoice", func() *model.IssueRequest {
			return w.issueIn("USD", w.BankA, usdLimit, rulestest.ZeroOpening(), cny, rulestest.Opening(10))
		}, model.ErrCurrencyMismatch},
		{"CNY issue backed by a USD invoice", func() *model.IssueRequest {
			return w.issueIn(rulestest.Currency, w.BankA, rulestest.LimitA, w.Outstanding, w.usd[1:], rulestest.Opening(10))
		}, model.ErrCurrencyMismatch},
		{"CNY issue backed by a CNY and a USD invoice", func() *model.IssueRequest {
			return w.issueIn(rulestest.Currency, w.BankA, rulestest.LimitA, w.Outstanding, append(append([]protocol.OpenedInvoice{}, cny...), w.usd[1]), rulestest.Opening(10))
		}, model.ErrCurrencyMismatch},
		{"USD issue against a bank with only a CNY line", func() *model.IssueRequest {
			return w.issueIn("USD", w.BankB, rulestest.LimitB, rulestest.ZeroOpening(), w.usd[1:], rulestest.Opening(10))
		}, model.ErrCurrencyMismatch},
		{"legacy issue (no currency) of CNY invoices", func() *model.IssueRequest {
			return w.issueIn("", w.BankA, rulestest.LimitA, w.Outstanding, cny, rulestest.Opening(10))
		}, model.ErrCurrencyMismatch},
		{"EUR issue: no line, no invoice in EUR", func() *model.IssueRequest {
			return w.issueIn("EUR", w.BankA, rulestest.LimitA, w.Outstanding, cny, rulestest.Opening(10))
		}, model.ErrCurrencyMismatch},
		{"proved in CNY, relabelled USD", func() *model.IssueRequest {
			r := w.issueIn(rulestest.Currency, w.BankA, usdLimit, usdOpening, w.usd[1:], rulestest.Opening(10))
			r.Currency = "USD"
			return r
		}, model.ErrInvalidProof},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req()
			expectRefused(t, w.State, tc.code, func() (*model.Token, error) { return w.Rules.Issue(w.As(w.Core), req) })
		})
	}

	// A merge of the CNY root and the USD root, both claimed CNY so the
	// builder proves it: refused for the currencies before any proof.
	t.Run("merge of a CNY and a USD token", func(t *testing.T) {
		req := w.SplitRequest(protocol.KindMerge, w.S1, []protocol.OpenedToken{
			rulestest.Token(w.Root, w.RootOpening), rulestest.Token(usdRoot.ID, usdOpening)},
			rulestest.To(w.S1, rulestest.Opening(rulestest.RootAmount+300)))
		err := expectRefused(t, w.State, model.ErrCurrencyMismatch, func() ([]*model.Token, error) { return w.Rules.Merge(w.As(w.S1), req) })
		if model.CodeOf(err) != model.CodeCurrencyMismatch {
			t.Fatalf("code %s", model.CodeOf(err))
		}
	})
	// Proofs made for one currency do not verify for another: a split of
	// the USD root proved as CNY or as a legacy amount.
	for _, claimed := range []string{rulestest.Currency, ""} {
		t.Run("split of the USD root proved in "+currencyName(claimed), func(t *testing.T) {
			req := w.SplitRequest(protocol.KindSplit, w.S1, []protocol.OpenedToken{{ID: usdRoot.ID, Currency: claimed, Opening: usdOpening}},
				rulestest.To(w.S2, rulestest.Opening(100)), rulestest.To(w.S1, rulestest.Opening(200)))
			expectRefused(t, w.State, model.ErrInvalidProof, func() ([]*model.Token, error) { return w.Rules.Split(w.As(w.S1), req) })
		})
	}
	// The CNY root's split proved in USD.
	t.Run("split of the CNY root proved in USD", func(t *testing.T) {
		req := w.SplitRequest(protocol.KindSplit, w.S1, []protocol.OpenedToken{{ID: w.Root, Currency: "USD", Opening: w.RootOpening}},
			rulestest.To(w.S2, rulestest.Opening(100)), rulestest.To(w.S1, rulestest.Opening(900)))
		expectRefused(t, w.State, model.ErrInvalidProof, func() ([]*model.Token, error) { return w.Rules.Split(w.As(w.S1), req) })
	})
	// The controls: the same USD issue proved in USD, and the USD root
	// split proved in USD, go through.
	t.Run("controls", func(t *testing.T) {
		must(w.Rules.Issue(w.As(w.Core), w.issueIn("USD", w.BankA, usdLimit, usdOpening, w.usd[1:], rulestest.Opening(10))))
		must(w.Rules.Split(w.As(w.S1), w.SplitRequest(protocol.KindSplit, w.S1, []protocol.OpenedToken{{ID: usdRoot.ID, Currency: "USD", Opening: usdOpening}},
			rulestest.To(w.S2, rulestest.Opening(100)), rulestest.To(w.S1, rulestest.Opening(200)))))
	})
	// The builder refuses mixed inputs itself.
	t.Run("builder refuses a mixed merge", func(t *testing.T) {
		_, err := protocol.BuildSplit(w.Ctx(), protocol.SplitInput{Kind: protocol.KindMerge, Spender: w.S1.ID,
			Inputs:  []protocol.OpenedToken{rulestest.Token(w.Root, w.RootOpening), {ID: usdRoot.ID, Currency: "USD", Opening: usdOpening}},
			Outputs: []protocol.OutputSpec{rulestest.To(w.S1, rulestest.Opening(rulestest.RootAmount+300))}}, w.Auditor(), nil)
		if model.CodeOf(err) != model.CodeCurrencyMismatch {
			t.Fatalf("builder: %v", err)
		}
	})
}

func currencyName(c string) string {
	if c == "" {
		return "no currency"
	}
	return c
}

// TestLegacyCurrency: a ledger from before currencies (invoices, a line
// and a receivable with currency "") keeps working: the legacy line is
// read under its old key, a legacy issue and split prove with the
// transcript unchanged, and a legacy token never mixes with a named one.
func TestLegacyCurrency(t *testing.T) {
	s := newScenario(t)
	// Turn the scenario's spare invoice and BankB's line into legacy
	// records, as a ledger written before currencies holds them.
	spare := s.Invoices[2]
	strip(t, s.State, rules.CompositeKey("tc.invoice", spare.ID), func(inv *model.Invoice) { inv.Currency = "" })
	newKey := rules.CompositeKey("tc.creditline", s.Core.ID, s.BankB.ID, rulestest.Currency)
	var line model.CreditLine
	must(0, json.Unmarshal(must(s.State.GetState(newKey)), &line))
	line.Currency = ""
	must(0, s.State.PutState(rules.CompositeKey("tc.creditline", s.Core.ID, s.BankB.ID), must(json.Marshal(line))))
	must(0, s.State.DelState(newKey))

	if l := must(s.Rules.GetCreditLine(s.As(s.BankB), s.Core.ID, s.BankB.ID, "")); l.Currency != "" || l.Limit != rulestest.LimitB {
		t.Fatalf("legacy line: %+v", l)
	}
	amount := rulestest.Opening(400)
	issue := must(protocol.BuildIssue(s.Ctx(), protocol.IssueInput{Issuer: s.Core.ID, IssuerKey: s.Core.Key.Public(), Bank: s.BankB.ID,
		Holder: s.S1.Recipient(), Invoices: []protocol.OpenedInvoice{spare}, Limit: rulestest.LimitB, Outstanding: rulestest.ZeroOpening(),
		Maturity: rulestest.Maturity, Amount: amount}, s.Auditor(), nil))
	legacy := must(s.Rules.Issue(s.As(s.Core), issue))
	if legacy.Currency != "" {
		t.Fatalf("legacy root in %q", legacy.Currency)
	}
	if l := must(s.Rules.GetCreditLine(s.As(s.BankB), s.Core.ID, s.BankB.ID, "")); l.Issued != 1 {
		t.Fatalf("legacy line after the issue: %+v", l)
	}
	s.As(s.Regulator)
	if must(s.State.GetState(newKey)) != nil {
		t.Fatal("a legacy issue wrote a line under the new key")
	}

	// The legacy root proved in CNY is refused; a merge with the CNY root
	// is refused for its currencies.
	t.Run("legacy token proved in CNY", func(t *testing.T) {
		req := s.SplitRequest(protocol.KindSplit, s.S1, []protocol.OpenedToken{{ID: legacy.ID, Currency: rulestest.Currency, Opening: amount}},
			rulestest.To(s.S2, rulestest.Opening(100)), rulestest.To(s.S1, rulestest.Opening(300)))
		expectRefused(t, s.State, model.ErrInvalidProof, func() ([]*model.Token, error) { return s.Rules.Split(s.As(s.S1), req) })
	})
	t.Run("merge of a legacy and a CNY token", func(t *testing.T) {
		req := s.SplitRequest(protocol.KindMerge, s.S1, []protocol.OpenedToken{
			{ID: legacy.ID, Currency: rulestest.Currency, Opening: amount}, rulestest.Token(s.Root, s.RootOpening)},
			rulestest.To(s.S1, rulestest.Opening(rulestest.RootAmount+400)))
		expectRefused(t, s.State, model.ErrCurrencyMismatch, func() ([]*model.Token, error) { return s.Rules.Merge(s.As(s.S1), req) })
	})
	// A legacy split, proved with the legacy transcript, goes through and
	// its children stay legacy.
	children := must(s.Rules.Split(s.As(s.S1), s.SplitRequest(protocol.KindSplit, s.S1,
		[]protocol.OpenedToken{{ID: legacy.ID, Opening: amount}},
		rulestest.To(s.S2, rulestest.Opening(100)), rulestest.To(s.S1, rulestest.Opening(300)))))
	for _, c := range children {
		if c.Currency != "" {
			t.Fatalf("child of a legacy token in %q", c.Currency)
		}
	}
}

// strip rewrites the JSON record at key.
func strip[T any](t *testing.T, st *rulestest.Memory, key string, change func(*T)) {
	t.Helper()
	raw := must(st.GetState(key))
	if raw == nil {
		t.Fatalf("no state at %q", key)
	}
	v := new(T)
	must(0, json.Unmarshal(raw, v))
	change(v)
	must(0, st.PutState(key, must(json.Marshal(v))))
}

// TestFinancingInTokenCurrency: financing terms (advance and fee), a
// quote, a request for quotes on a piece and a resale price are in the
// token's currency: proved in another, each is INVALID_PROOF and the
// ledger is unchanged; proved in the token's, each goes through.
func TestFinancingInTokenCurrency(t *testing.T) {
	for _, c := range []string{"USD", ""} {
		t.Run("terms proved in "+currencyName(c), func(t *testing.T) {
			s := newScenario(t)
			setCap(t, s, 9000)
			in := finInput(s, 9000)
			in.Token.Currency = c
			req, _ := buildFin(t, s, in)
			expectRefused(t, s.State, model.ErrInvalidProof, func() ([]*model.Token, error) { return s.Rules.RequestTermFinancing(s.As(s.S1), req) })
			in.Token.Currency = rulestest.Currency
			req, _ = buildFin(t, s, in)
			must(s.Rules.RequestTermFinancing(s.As(s.S1), req))
		})
		t.Run("partial terms proved in "+currencyName(c), func(t *testing.T) {
			s := newScenario(t)
			setCap(t, s, 9000)
			in := finInput(s, 9000)
			in.Piece, in.Token.Currency = 400, c
			req, _ := buildFin(t, s, in)
			expectRefused(t, s.State, model.ErrInvalidProof, func() ([]*model.Token, error) { return s.Rules.RequestTermFinancing(s.As(s.S1), req) })
			in.Token.Currency = rulestest.Currency
			req, _ = buildFin(t, s, in)
			for _, tok := range must(s.Rules.RequestTermFinancing(s.As(s.S1), req)) {
				if tok.Currency != rulestest.Currency {
					t.Fatalf("piece or change %s in %q", tok.ID, tok.Currency)
				}
			}
		})
		t.Run("quote proved in "+currencyName(c), func(t *testing.T) {
			s := newScenario(t)
			setCap(t, s, 9000)
			rfq := askQuotes(t, s, s.BankA)
			in := quoteInput(t, s, rfq, s.BankA, quote(), 3, 9000)
			in.Currency = c
			req, _, err := protocol.BuildQuote(s.Ctx(), in, s.Auditor(), nil)
			if err != nil {
				t.Fatal(err)
			}
			expectRefused(t, s.State, model.ErrInvalidProof, func() (*model.Quote, error) { return s.Rules.SubmitQuote(s.As(s.BankA), req) })
			in.Currency = rulestest.Currency
			submitQuote(t, s, s.BankA, in)
		})
		t.Run("piece for quotes proved in "+currencyName(c), func(t *testing.T) {
			s := newScenario(t)
			req, _, err := protocol.BuildRequestQuotesPiece(s.Ctx(), protocol.OpenedToken{ID: s.Root, Currency: c, Opening: s.RootOpening},
				s.S1.Recipient(), 400, []protocol.Recipient{s.BankA.Recipient()}, s.Now.Add(48*time.Hour), s.Auditor(), nil)
			if err != nil {
				t.Fatal(err)
			}
			expectRefused(t, s.State, model.ErrInvalidProof, func() (*model.RFQ, error) { return s.Rules.RequestQuotes(s.As(s.S1), req) })
		})
		t.Run("resale price proved in "+currencyName(c), func(t *testing.T) {
			s := financedAtA(t)
			req, err := protocol.BuildResale(s.Ctx(), protocol.ResaleInput{Token: protocol.OpenedToken{ID: s.Root, Currency: c, Opening: s.RootOpening},
				Seller: s.BankA.Recipient(), Buyer: s.BankB.Recipient(), Price: 880}, s.Auditor(), nil)
			if err != nil {
				t.Fatal(err)
			}
			expectRefused(t, s.State, model.ErrInvalidProof, func() (*model.Token, error) { return s.Rules.OfferResale(s.As(s.BankA), req) })
			must(s.Rules.OfferResale(s.As(s.BankA), resaleOffer(t, s, s.BankA, s.BankB, s.RootOpening, 880)))
		})
	}
}
