package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Money is an amount as the API renders it: in its own currency, or
// sealed (the caller cannot open it: only the currency).
type Money struct {
	Minor    uint64 `json:"minor"`
	Decimal  string `json:"decimal"`
	Currency string `json:"currency"`
	Sealed   bool   `json:"sealed,omitempty"`
}

// String is the amount as the story prints it: "CNY 1000000.00".
func (m *Money) String() string {
	switch {
	case m == nil:
		return "no amount"
	case m.Sealed:
		return m.Currency + " (sealed)"
	}
	return m.Currency + " " + m.Decimal
}

// The story's currencies: the first receivable (and its splits and
// financing) in CNY, the second (the request for quotes) in USD.
const (
	StoryCurrency  = "CNY"
	QuotesCurrency = "USD"
)

// Token is the part of the API's token view the story reads.
type Token struct {
	ID           string `json:"id"`
	Root         string `json:"root"`
	Tier         int    `json:"tier"`
	Holder       string `json:"holder"`
	Issuer       string `json:"issuer"`
	Currency     string `json:"currency"`
	Status       string `json:"status"`
	LedgerStatus string `json:"ledgerStatus"`
	Amount       *Money `json:"amount"`
}

type page[T any] struct {
	Items    []T    `json:"items"`
	Bookmark string `json:"bookmark"`
}

// Config says where the gateways are and who acts.
type Config struct {
	// Base is the gateway of every enterprise Gateways does not name.
	Base string
	// Gateways maps an enterprise ID to the gateway of the organisation
	// that hosts it (a consortium runs one per organisation); the suppliers
	// the story onboards live at the operator's. Each step then goes to
	// the acting enterprise's gateway and the story says which served it,
	// and a step that depends on an earlier one done at another gateway
	// waits (bounded) until this gateway's peer has the block.
	Gateways map[string]Gateway
	// Tokens are the API tokens of the founding enterprises: operator,
	// carmaker, bankA, bankB, regulator.
	Tokens map[string]string
	// Maturity is how long after issue the receivable matures; the story
	// waits for it before the core pays (default 20 s).
	Maturity time.Duration
	// Suffix makes the suppliers' IDs and the invoice numbers unique, so
	// the story can run again on the same ledger.
	Suffix string
	Out    io.Writer
	HTTP   *http.Client
	// StopBefore ends the story before the step of that name ("pay",
	// "audit"…), for tests that go on from there.
	StopBefore string
}

// Gateway is one organisation's gateway.
type Gateway struct {
	Base  string // e.g. http://127.0.0.4:8083
	Label string // e.g. "BankB gateway 127.0.0.4:8083"
}

// propagation bounds how long a step waits for a block committed through
// another gateway to reach the acting gateway's peer and indexer.
const propagation = 60 * time.Second

// Result is what the story did, for the caller to check.
type Result struct {
	Suppliers      [3]string // tier 1, 2, 3
	SupplierTokens [3]string // their API tokens
	// Held are the unspent tokens after the splits and the financing:
	// tier 1's change, tier 2's change, tier 3's piece (held by Bank B
	// once financed).
	Held        [3]Token
	InvoiceDoc  []byte // the first invoice as uploaded
	Root        string
	Leaves      []Token // every token paid at maturity, after confirmation
	Report      Report
	ReuseStatus int // the status of the second upload of the same invoice
	// Quotes is the request for quotes on a second receivable: both banks
	// quote, tier 1 accepts the better, the winner approves.
	Quotes QuotesResult
}

// QuotesResult is what the request for quotes did.
type QuotesResult struct {
	RFQ     string
	Token   Token            // FINANCED by the winner
	Advance map[string]Money // each bank's quoted advance, as tier 1 opened it
	Winner  string
	Lapsed  string // the other bank, which saw its quote LAPSED
}

// Report is the regulator's reconciliation as the API renders it.
type Report struct {
	Summary struct {
		Tokens     int `json:"tokens"`
		Invoices   int `json:"invoices"`
		Reconciled int `json:"reconciled"`
	} `json:"summary"`
	Problems int `json:"problems"`
	Items    []struct {
		Kind   string `json:"kind"`
		ID     string `json:"id"`
		Amount struct {
			Minor  uint64 `json:"minor"`
			Status string `json:"status"`
		} `json:"amount"`
	} `json:"items"`
}

// Run plays the story; every step must succeed except the refused reuse.
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Maturity <= 0 {
		cfg.Maturity = 20 * time.Second
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	s := &story{cfg: cfg, res: &Result{}}
	as := func(id string) *Client {
		c := &Client{Base: cfg.Base, Token: cfg.Tokens[id], HTTP: cfg.HTTP}
		if g, ok := cfg.Gateways[id]; ok {
			c.Base, c.Label = g.Base, g.Label
		}
		return c
	}
	s.operator, s.core, s.bankA, s.bankB, s.regulator = as("operator"), as("carmaker"), as("bankA"), as("bankB"), as("regulator")
	for _, step := range []struct {
		id, name string
		f        func(context.Context) error
	}{
		{"onboard", "onboard three tiers of suppliers", s.onboard},
		{"credit", "grant credit lines", s.creditLines},
		{"invoices", "upload and confirm invoices", s.invoices},
		{"issue", "issue CNY 1,000,000.00 to tier 1", s.issue},
		{"split", "split down the chain", s.splits},
		{"finance", "finance tier 3 at Bank B", s.finance},
		{"pay", "pay every holder at maturity", s.pay},
		{"quotes", "a USD receivable, quotes from both banks", s.quotes},
		{"audit", "regulator reconciles every amount", s.audit},
		{"reuse", "the same invoice again is refused", s.reuse},
	} {
		if step.id == cfg.StopBefore {
			break
		}
		start := time.Now()
		if err := step.f(ctx); err != nil {
			return s.res, fmt.Errorf("%s: %w", step.name, err)
		}
		fmt.Fprintf(cfg.Out, "  ✓ %-40s %6.2fs\n", step.name, time.Since(start).Seconds())
		s.res.Held = [3]Token{s.tier1Change, s.tier2Token, s.tier3Token}
		s.res.InvoiceDoc = s.firstDoc
	}
	return s.res, nil
}

type story struct {
	cfg                                       Config
	res                                       *Result
	operator, core, bankA, bankB, regulator   *Client
	tier1, tier2, tier3                       *Client
	invoiceIDs                                []string
	firstDoc                                  []byte
	root, tier1Change, tier2Token, tier3Token Token
}

func (s *story) say(format string, args ...any) {
	fmt.Fprintf(s.cfg.Out, "      "+format+"\n", args...)
}

// by says which gateway served what (when the gateways are named).
func (s *story) by(c *Client, what string) {
	if c.Label != "" {
		fmt.Fprintf(s.cfg.Out, "      [%s] %s\n", c.Label, what)
	}
}

// eventually runs a step that depends on a block committed through another
// gateway: while this gateway's peer has not seen it yet (404 not found,
// 409 not in that state yet) it tries again, for at most propagation. With
// one gateway for all, it runs once.
func (s *story) eventually(ctx context.Context, f func() error) error {
	deadline := time.Now().Add(propagation)
	for {
		err := f()
		var p *Problem
		if err == nil || len(s.cfg.Gateways) == 0 || !errors.As(err, &p) ||
			(p.Status != http.StatusNotFound && p.Status != http.StatusConflict) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (s *story) onboard(ctx context.Context) error {
	for i, name := range SupplierNames {
		id := fmt.Sprintf("tier%d%s", i+1, s.cfg.Suffix)
		var resp struct {
			APIToken string `json:"apiToken"`
		}
		legal := SupplierLegalID(i, s.cfg.Suffix)
		if err := s.operator.Do(ctx, http.MethodPost, "/v1/enterprises", map[string]string{
			"id": id, "name": name, "role": "supplier", "legalId": legal}, &resp); err != nil {
			return err
		}
		// A supplier without its own node lives at the operator's gateway.
		c := &Client{Base: s.operator.Base, Token: resp.APIToken, HTTP: s.cfg.HTTP, Label: s.operator.Label}
		switch i {
		case 0:
			s.tier1 = c
		case 1:
			s.tier2 = c
		case 2:
			s.tier3 = c
		}
		s.res.Suppliers[i] = id
		s.res.SupplierTokens[i] = resp.APIToken
		s.by(s.operator, "onboard "+id)
		s.say("%s (%s, %s), identity issued by the operator's CA", id, name, legal)
	}
	return nil
}

// creditLines: each bank grants carmaker a line in each of the story's
// currencies (a line is per core, bank and currency).
func (s *story) creditLines(ctx context.Context) error {
	expiry := time.Now().UTC().AddDate(1, 0, 0).Truncate(time.Second)
	for _, cur := range []string{StoryCurrency, QuotesCurrency} {
		var limits []string
		for _, b := range []*Client{s.bankA, s.bankB} {
			limit := creditLimit(ctx, b, cur)
			limits = append(limits, limit)
			if err := s.eventually(ctx, func() error {
				return b.Do(ctx, http.MethodPost, "/v1/credit-lines", map[string]any{
					"core": "carmaker", "currency": cur, "limit": limit, "expiry": expiry}, nil)
			}); err != nil {
				return err
			}
			s.by(b, "grant carmaker a credit line in "+cur)
		}
		if first := decimal(storyLines[cur]); limits[0] == first && limits[1] == first {
			s.say("Bank A and Bank B each grant carmaker %s %s", cur, first)
		} else { // unsettled receivables of earlier runs are on the lines
			s.say("Bank A grants carmaker %s %s, Bank B %s %s (room beside the receivables not settled yet)", cur, limits[0], cur, limits[1])
		}
	}
	return nil
}

// storyLines are the credit lines the story grants at each bank, in minor
// units of each currency: room for its receivables and more.
var storyLines = map[string]uint64{StoryCurrency: 5_000_000_00, QuotesCurrency: 500_000_00}

// decimal renders minor units of a two-decimal currency (CNY, USD).
func decimal(v uint64) string { return fmt.Sprintf("%d.%02d", v/100, v%100) }

// creditLimit is the limit the story grants in currency: storyLines's,
// plus as much again for each receivable of an earlier run that is not
// settled yet (a story stopped before payment, on the same ledger), so
// that every run finds room on the line. It counts the unsettled
// receivables rather than reading the line's used amount, which a bank
// opens only for receivables issued with a copy sealed to it.
func creditLimit(ctx context.Context, bank *Client, currency string) string {
	var lines struct {
		Items []struct {
			Currency string `json:"currency"`
			Issued   uint64 `json:"issued"`
			Settled  uint64 `json:"settled"`
		} `json:"items"`
	}
	open := uint64(0)
	if bank.Do(ctx, http.MethodGet, "/v1/credit-lines?core=carmaker&currency="+currency, nil, &lines) == nil && len(lines.Items) == 1 {
		if l := lines.Items[0]; l.Currency == currency && l.Issued > l.Settled {
			open = min(l.Issued-l.Settled, 1000)
		}
	}
	return decimal(storyLines[currency] * (1 + open))
}

// invoiceJSON is tier 1's invoice to carmaker (华东汽车制造有限公司) in
// currency.
func invoiceJSON(number, seller, amount, currency string, due time.Time) []byte {
	return fmt.Appendf(nil, `{"invoice": {"number": %q, "issueDate": %q, "dueDate": %q, "currency": %q,
  "amount": %q,
  "seller": {"id": %q, "name": %q},
  "buyer": {"id": %q, "name": "华东汽车制造有限公司"}}}`,
		number, time.Now().UTC().Format("2006-01-02"), due.Format("2006-01-02"), currency, amount, seller, SupplierNames[0], CoreLegalID)
}

func (s *story) invoices(ctx context.Context) error {
	due := time.Now().UTC().AddDate(0, 3, 0)
	for i, amount := range []string{"600000.00", "400000.00"} {
		number := fmt.Sprintf("HD-2026-%d%s", 417+i, s.cfg.Suffix)
		doc := invoiceJSON(number, SupplierLegalID(0, s.cfg.Suffix), amount, StoryCurrency, due)
		var inv struct {
			ID string `json:"id"`
		}
		if err := s.tier1.Upload(ctx, doc, "application/json", []byte("%PDF-1.7\n% evidence\n%%EOF\n"), &inv); err != nil {
			return err
		}
		s.by(s.tier1, "upload invoice "+number)
		if i == 0 {
			s.firstDoc = doc
		}
		if err := s.confirm(ctx, inv.ID, number); err != nil {
			return err
		}
		s.invoiceIDs = append(s.invoiceIDs, inv.ID)
		s.say("invoice %s of %s %s registered by OPRF fingerprint %s…, confirmed by carmaker", fmt.Sprintf("HD-2026-%d", 417+i), StoryCurrency, amount, inv.ID[:12])
	}
	return nil
}

// confirm is the core confirming tier 1's invoice from its own records
// (its purchase ledger): the number and the seller's legal ID, from which
// its gateway recomputes the fingerprint.
func (s *story) confirm(ctx context.Context, id, number string) error {
	if err := s.eventually(ctx, func() error {
		return s.core.Do(ctx, http.MethodPost, "/v1/invoices/"+id+"/confirm", map[string]string{
			"number": number, "seller": SupplierLegalID(0, s.cfg.Suffix)}, nil)
	}); err != nil {
		return err
	}
	s.by(s.core, "confirm invoice "+number)
	return nil
}

func (s *story) issue(ctx context.Context) error {
	maturity := time.Now().Add(s.cfg.Maturity).UTC().Truncate(time.Second)
	if err := s.core.Do(ctx, http.MethodPost, "/v1/receivables", map[string]any{
		"holder": s.res.Suppliers[0], "bank": "bankA", "invoices": s.invoiceIDs,
		"amount": "1000000.00", "maturity": maturity}, &s.root); err != nil {
		return err
	}
	s.by(s.core, "issue the receivable")
	if err := s.eventually(ctx, func() error {
		return s.tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+s.root.ID+"/accept", nil, &s.root)
	}); err != nil {
		return err
	}
	s.by(s.tier1, "tier 1 accepts")
	if s.root.Amount == nil || s.root.Amount.Sealed || s.root.Amount.Minor != 1_000_000_00 || s.root.Amount.Currency != StoryCurrency {
		return fmt.Errorf("tier 1 opened %v, want CNY 1000000.00", s.root.Amount)
	}
	s.res.Root = s.root.ID
	s.say("token %s: tier 1 opens %s, maturity %s", s.root.ID, s.root.Amount, maturity.Format(time.TimeOnly))
	return nil
}

type splitResult struct {
	Tokens []Token `json:"tokens"`
}

// split has holder pay amount of token to the enterprise to: the token
// paid and the change.
func split(ctx context.Context, holder *Client, token, to, amount string) (paid, change Token, err error) {
	var res splitResult
	if err := holder.Do(ctx, http.MethodPost, "/v1/tokens/"+token+"/split", map[string]any{
		"outputs": []map[string]string{{"to": to, "amount": amount}}}, &res); err != nil {
		return Token{}, Token{}, err
	}
	if len(res.Tokens) != 2 {
		return Token{}, Token{}, fmt.Errorf("split gave %d tokens, want 2", len(res.Tokens))
	}
	return res.Tokens[0], res.Tokens[1], nil
}

func (s *story) splits(ctx context.Context) error {
	paid, change, err := split(ctx, s.tier1, s.root.ID, s.res.Suppliers[1], "400000.00")
	if err != nil {
		return err
	}
	s.tier2Token, s.tier1Change = paid, change
	s.by(s.tier1, "tier 1 splits to tier 2")
	if err := s.tier2.Do(ctx, http.MethodPost, "/v1/tokens/"+s.tier2Token.ID+"/accept", nil, &s.tier2Token); err != nil {
		return err
	}
	s.say("tier 1 → tier 2: CNY 400000.00 (tier 2 opens %s), change CNY 600000.00", s.tier2Token.Amount)
	if paid, change, err = split(ctx, s.tier2, s.tier2Token.ID, s.res.Suppliers[2], "150000.00"); err != nil {
		return err
	}
	s.tier3Token, s.tier2Token = paid, change
	s.by(s.tier2, "tier 2 splits to tier 3")
	if err := s.tier3.Do(ctx, http.MethodPost, "/v1/tokens/"+s.tier3Token.ID+"/accept", nil, &s.tier3Token); err != nil {
		return err
	}
	if s.tier3Token.Amount == nil || s.tier3Token.Amount.Sealed || s.tier3Token.Amount.Minor != 150_000_00 || s.tier3Token.Tier != 3 {
		return fmt.Errorf("tier 3 holds %+v", s.tier3Token)
	}
	s.say("tier 2 → tier 3: CNY 150000.00 (tier 3 opens %s, tier %d), change CNY 250000.00", s.tier3Token.Amount, s.tier3Token.Tier)
	return nil
}

func (s *story) finance(ctx context.Context) error {
	if err := s.tier3.Do(ctx, http.MethodPost, "/v1/tokens/"+s.tier3Token.ID+"/financing", map[string]string{"bank": "bankB"}, nil); err != nil {
		return err
	}
	s.by(s.tier3, "tier 3 requests financing at Bank B")
	// Bank B's gateway learns of the request from its own peer's events.
	var seen *Token
	deadline := time.Now().Add(propagation)
	for {
		var inbox page[Token]
		if err := s.bankB.Do(ctx, http.MethodGet, "/v1/financing-requests", nil, &inbox); err != nil {
			return err
		}
		for i := range inbox.Items {
			if inbox.Items[i].ID == s.tier3Token.ID {
				seen = &inbox.Items[i]
			}
		}
		if seen != nil || len(s.cfg.Gateways) == 0 || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	if seen == nil || seen.Amount == nil || seen.Amount.Sealed || seen.Amount.Minor != 150_000_00 {
		return fmt.Errorf("the inbox of Bank B shows %+v", seen)
	}
	s.by(s.bankB, "Bank B's inbox shows the request, amount opened with its own key")
	agreement := sha256.Sum256([]byte("financing agreement " + s.tier3Token.ID))
	if err := s.bankB.Do(ctx, http.MethodPost, "/v1/tokens/"+s.tier3Token.ID+"/financing/approve", map[string]string{
		"disbursementRef": "NB-" + s.tier3Token.ID[:8], "agreementHash": hex.EncodeToString(agreement[:])}, &s.tier3Token); err != nil {
		return err
	}
	s.by(s.bankB, "approve financing")
	s.say("Bank B sees %s disclosed to it, approves and now holds the token (%s)", seen.Amount, s.tier3Token.Status)
	return nil
}

func (s *story) pay(ctx context.Context) error {
	holders := map[string]*Client{s.res.Suppliers[0]: s.tier1, s.res.Suppliers[1]: s.tier2, "bankB": s.bankB}
	leaves := []Token{s.tier1Change, s.tier2Token, s.tier3Token}
	// Wait for maturity: the ledger refuses a payment before it.
	for {
		err := s.core.Do(ctx, http.MethodPost, "/v1/tokens/"+leaves[0].ID+"/payment", map[string]string{"reason": "PAY-" + leaves[0].ID[:8]}, nil)
		var p *Problem
		if err == nil {
			break
		}
		if !errors.As(err, &p) || p.Status != http.StatusConflict {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	for _, t := range leaves[1:] {
		if err := s.eventually(ctx, func() error {
			return s.core.Do(ctx, http.MethodPost, "/v1/tokens/"+t.ID+"/payment", map[string]string{"reason": "PAY-" + t.ID[:8]}, nil)
		}); err != nil {
			return err
		}
	}
	s.by(s.core, "pay every holder at maturity")
	for _, t := range leaves {
		holder := holders[t.Holder]
		if holder == nil {
			return fmt.Errorf("token %s held by %s", t.ID, t.Holder)
		}
		var done Token
		if err := s.eventually(ctx, func() error {
			return holder.Do(ctx, http.MethodPost, "/v1/tokens/"+t.ID+"/payment/confirm", nil, &done)
		}); err != nil {
			return err
		}
		s.by(holder, t.Holder+" confirms the payment")
		s.res.Leaves = append(s.res.Leaves, done)
	}
	s.say("carmaker paid tier 1 (CNY 600000.00), tier 2 (CNY 250000.00) and Bank B (CNY 150000.00); each confirmed: SETTLED")
	return nil
}

func (s *story) audit(ctx context.Context) error {
	// The regulator's indexer follows its own peer: wait until it has
	// every settled token of the story.
	deadline := time.Now().Add(propagation)
	for {
		s.res.Report = Report{}
		if err := s.regulator.Do(ctx, http.MethodGet, "/v1/audit/reconciliation", nil, &s.res.Report); err != nil {
			return err
		}
		if (s.res.Report.Problems == 0 && s.res.Report.Summary.Reconciled > 0 && s.covers(s.res.Report)) ||
			len(s.cfg.Gateways) == 0 || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	if s.res.Report.Problems != 0 || s.res.Report.Summary.Reconciled == 0 {
		return fmt.Errorf("reconciliation: %d reconciled, %d problems", s.res.Report.Summary.Reconciled, s.res.Report.Problems)
	}
	s.by(s.regulator, "reconcile every amount")
	var csv []byte
	if err := s.regulator.Do(ctx, http.MethodGet, "/v1/audit/tokens.csv", nil, &csv); err != nil {
		return err
	}
	s.say("the regulator opened and reconciled %d amounts against their commitments; CSV export: %d lines",
		s.res.Report.Summary.Reconciled, strings.Count(string(csv), "\n"))
	return nil
}

// covers reports whether a reconciliation report lists every token the
// story paid.
func (s *story) covers(r Report) bool {
	ids := map[string]bool{}
	for _, it := range r.Items {
		ids[it.ID] = true
	}
	for _, t := range s.res.Leaves {
		if !ids[t.ID] {
			return false
		}
	}
	return true
}

func (s *story) reuse(ctx context.Context) error {
	err := s.tier1.Upload(ctx, s.firstDoc, "application/json", nil, nil)
	var p *Problem
	if !errors.As(err, &p) || p.Status != http.StatusConflict {
		return fmt.Errorf("second upload of the same invoice: %v, want 409", err)
	}
	s.res.ReuseStatus = p.Status
	s.by(s.tier1, "upload the same invoice again")
	s.say("refused: %s", p.Detail)
	return nil
}
