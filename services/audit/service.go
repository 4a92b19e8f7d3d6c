package audit

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"slices"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
)

// DefaultDLogBits is the default bound of the handle path: amounts below
// 2^40 minor units (11 billion in a currency counted in cents) open
// without the envelope.
const DefaultDLogBits = 40

// Config configures a Service.
type Config struct {
	Ledger      Ledger               // the regulator's own peer (required)
	Contract    string               // chaincode contract; Contract when empty
	AuditKey    *elgamal.PrivateKey  // the regulator's audit key s (required)
	EnvelopeKey *envelope.PrivateKey // the regulator's HPKE key (required)
	DLogBits    int                  // bound of the handle path; DefaultDLogBits when 0
	Workers     int                  // parallel openings; GOMAXPROCS when 0
	Cache       *Cache               // optional cache of openings
	Reuse       ReuseSource          // optional source of invoice reuse attempts
	Logger      *slog.Logger         // slog.Default() when nil
	Now         func() time.Time     // time.Now when nil; stamps snapshots
	// SnapshotAttempts bounds the reads of one report whose queries keep
	// straddling block commits; DefaultSnapshotAttempts when 0.
	SnapshotAttempts int
}

// Service is the regulator's audit service. It is safe for concurrent use.
type Service struct {
	r       reader
	open    *opener
	workers int
	reuse   ReuseSource
	log     *slog.Logger
	now     func() time.Time
	rec     recent
	// attempts bounds a report's reads (Config.SnapshotAttempts).
	attempts int
}

// New returns a service. The discrete-log table of the handle path is
// built on first need, once per process and bound (zk/elgamal.SharedDLogTable).
func New(cfg Config) (*Service, error) {
	if cfg.Ledger == nil || cfg.AuditKey == nil || cfg.EnvelopeKey == nil {
		return nil, errors.New("audit: Config needs Ledger, AuditKey and EnvelopeKey")
	}
	bits := cmp.Or(cfg.DLogBits, DefaultDLogBits)
	if bits < 2 || bits > 48 {
		return nil, errors.New("audit: DLogBits must be in [2, 48]")
	}
	if cfg.SnapshotAttempts < 0 {
		return nil, errors.New("audit: SnapshotAttempts must not be negative")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	return &Service{
		r:        reader{l: cfg.Ledger, contract: cmp.Or(cfg.Contract, Contract)},
		open:     newOpener(cfg.AuditKey, cfg.EnvelopeKey, bits, cfg.Cache, log),
		workers:  cmp.Or(cfg.Workers, runtime.GOMAXPROCS(0)),
		reuse:    cfg.Reuse,
		log:      log,
		now:      now,
		attempts: cmp.Or(cfg.SnapshotAttempts, DefaultSnapshotAttempts),
	}, nil
}

// DLogBits returns the handle path's bound: amounts below 2^DLogBits open
// without their envelope.
func (s *Service) DLogBits() int { return s.open.bits }

// TokenItem is a token with its opened amount. Token.Status is the status
// stored on the ledger (OVERDUE is derived by the reports, at a time).
type TokenItem struct {
	Token  model.Token `json:"token"`
	Amount Amount      `json:"amount"`
}

// LogValue names the token and the amount's status, never the amount.
func (t TokenItem) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token", t.Token.ID), slog.Any("amount", t.Amount))
}

// InvoiceItem is an invoice with its opened amount.
type InvoiceItem struct {
	Invoice model.Invoice `json:"invoice"`
	Amount  Amount        `json:"amount"`
}

// LogValue names the invoice and the amount's status, never the amount.
func (i InvoiceItem) LogValue() slog.Value {
	return slog.GroupValue(slog.String("invoice", i.Invoice.ID), slog.Any("amount", i.Amount))
}

// Summary counts the outcomes of a snapshot's openings.
type Summary struct {
	Tokens           int `json:"tokens"`
	Invoices         int `json:"invoices"`
	Reconciled       int `json:"reconciled"`
	EnvelopeMismatch int `json:"envelopeMismatch"`
	Unopenable       int `json:"unopenable"`
	Checks           int `json:"conservationChecks"`
	Breaks           int `json:"conservationBreaks"`
	Disputes         int `json:"disputes"` // holders' disputes of their envelopes
	// Financing: financed pieces checked (advance, fee and resale prices
	// opened, advance against the terms and the cap), and those BROKEN.
	FinancingChecks int `json:"financingChecks"`
	FinancingBreaks int `json:"financingBreaks"`
}

// Snapshot is the whole ledger as the regulator's peer returned it, every
// amount opened and reconciled, and every receivable checked for
// conservation. Reports are computed from it.
type Snapshot struct {
	ReadAt time.Time `json:"readAt"`
	// AsOf is the block height every query of the snapshot saw.
	AsOf        AsOf               `json:"asOf"`
	Enterprises []model.Enterprise `json:"enterprises"` // by ID
	Tokens      []TokenItem        `json:"tokens"`      // by issuer, root, creation, ID
	Invoices    []InvoiceItem      `json:"invoices"`    // by buyer, registration, ID
	CreditLines []CreditLineItem   `json:"creditLines"` // by core, bank
	Breaks      []Break            `json:"breaks"`      // conservation checks that did not pass
	Disputes    []DisputeItem      `json:"disputes"`    // holders' disputes of their envelopes, by filing time
	Financing   []FinancingItem    `json:"financing"`   // financed pieces, in token order
	Summary     Summary            `json:"summary"`

	roles map[string]model.Role
}

// Role returns the role of enterprise id ("" when unknown).
func (s *Snapshot) Role(id string) model.Role { return s.roles[id] }

// ledgerRead is everything a snapshot queries, as the peer returned it.
type ledgerRead struct {
	enterprises []model.Enterprise
	tokens      []TokenItem
	invoices    []InvoiceItem
	lines       []ledgerLine
	disputes    []model.Dispute
}

// read runs every query of a snapshot: the enterprises, each core's
// tokens, invoices and credit lines, and the disputes.
func (r reader) read(ctx context.Context) (*ledgerRead, error) {
	out := &ledgerRead{tokens: []TokenItem{}, invoices: []InvoiceItem{}}
	ents, err := r.enterprises(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ents, func(a, b model.Enterprise) int { return cmp.Compare(a.ID, b.ID) })
	out.enterprises = ents
	for _, e := range ents {
		if e.Role != model.RoleCore {
			continue
		}
		views, err := r.tokensByIssuer(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		for _, v := range views {
			out.tokens = append(out.tokens, TokenItem{Token: ledgerToken(v)})
		}
		invs, err := r.invoicesByBuyer(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		for _, inv := range invs {
			out.invoices = append(out.invoices, InvoiceItem{Invoice: inv})
		}
		exps, err := r.creditLinesByCore(ctx, e.ID)
		if err != nil {
			return nil, err
		}
		for _, x := range exps {
			out.lines = append(out.lines, ledgerLine{x.CreditLine, x.Expired})
		}
	}
	if out.disputes, err = r.disputes(ctx); err != nil {
		return nil, err
	}
	return out, nil
}

// Snapshot reads the whole ledger (every core's tokens, invoices and
// credit lines, and the disputes) at one block height, opens every amount
// and checks conservation. Its queries run between two reads of the
// peer's height and run again when a block committed in between (at most
// Config.SnapshotAttempts times in all, then ErrLedgerMoving); Snapshot.AsOf
// names the height.
func (s *Service) Snapshot(ctx context.Context) (*Snapshot, error) {
	var rd *ledgerRead
	asOf, err := s.atOneHeight(ctx, func(ctx context.Context) (err error) {
		rd, err = s.r.read(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	snap := &Snapshot{ReadAt: s.now(), AsOf: asOf, Enterprises: rd.enterprises, Tokens: rd.tokens, Invoices: rd.invoices,
		Breaks: []Break{}, roles: map[string]model.Role{}}
	for _, e := range snap.Enterprises {
		snap.roles[e.ID] = e.Role
	}
	lines := rd.lines
	if err := s.openItems(ctx, snap.Tokens, snap.Invoices); err != nil {
		return nil, err
	}
	sortTokens(snap.Tokens)
	slices.SortFunc(snap.Invoices, func(a, b InvoiceItem) int {
		return cmp.Or(cmp.Compare(a.Invoice.Buyer, b.Invoice.Buyer), a.Invoice.RegisteredAt.Compare(b.Invoice.RegisteredAt), cmp.Compare(a.Invoice.ID, b.Invoice.ID))
	})
	snap.CreditLines = creditLines(lines, snap.Tokens)
	checks, breaks := checkConservation(snap.Tokens, snap.Invoices)
	snap.Breaks = append(snap.Breaks, breaks...)
	snap.Disputes = reconcileDisputes(rd.disputes, snap.Tokens)
	snap.Summary = summarize(snap.Tokens, snap.Invoices, checks, len(breaks))
	snap.Summary.Disputes = len(snap.Disputes)
	if snap.Financing, err = s.financingOf(ctx, snap.Tokens); err != nil {
		return nil, err
	}
	if snap.Financing == nil {
		snap.Financing = []FinancingItem{}
	}
	for _, it := range snap.Financing {
		snap.Summary.FinancingChecks++
		if it.Result == CheckBroken {
			snap.Summary.FinancingBreaks++
		}
	}
	if snap.Summary.EnvelopeMismatch+snap.Summary.Unopenable+len(breaks)+len(snap.Disputes)+snap.Summary.FinancingBreaks > 0 {
		s.log.WarnContext(ctx, "audit: findings", "envelopeMismatch", snap.Summary.EnvelopeMismatch,
			"unopenable", snap.Summary.Unopenable, "conservationBreaks", len(breaks), "disputes", len(snap.Disputes),
			"financingBreaks", snap.Summary.FinancingBreaks)
	}
	return snap, nil
}

// ledgerToken is the stored token behind a query's view.
func ledgerToken(v model.TokenView) model.Token {
	t := v.Token
	if v.LedgerStatus != "" {
		t.Status = v.LedgerStatus
	}
	return t
}

func sortTokens(ts []TokenItem) {
	slices.SortFunc(ts, func(a, b TokenItem) int {
		return cmp.Or(cmp.Compare(a.Token.Issuer, b.Token.Issuer), cmp.Compare(a.Token.Root, b.Token.Root),
			a.Token.CreatedAt.Compare(b.Token.CreatedAt), cmp.Compare(a.Token.ID, b.Token.ID))
	})
}

// openItems opens every token and invoice amount in one batch.
func (s *Service) openItems(ctx context.Context, tokens []TokenItem, invoices []InvoiceItem) error {
	items := make([]sealed, 0, len(tokens)+len(invoices))
	for _, t := range tokens {
		items = append(items, sealed{commitment: t.Token.Commitment, handle: t.Token.Handle, envelope: t.Token.RegulatorEnvelope})
	}
	for _, inv := range invoices {
		items = append(items, sealed{commitment: inv.Invoice.Commitment, handle: inv.Invoice.Handle, envelope: inv.Invoice.RegulatorEnvelope})
	}
	amounts, err := s.open.openAll(ctx, items, s.workers)
	if err != nil {
		return err
	}
	for i := range tokens {
		tokens[i].Amount = amounts[i]
	}
	for i := range invoices {
		invoices[i].Amount = amounts[len(tokens)+i]
	}
	return nil
}

func summarize(tokens []TokenItem, invoices []InvoiceItem, checks, breaks int) Summary {
	sum := Summary{Tokens: len(tokens), Invoices: len(invoices), Checks: checks, Breaks: breaks}
	count := func(a Amount) {
		switch a.Status {
		case Reconciled:
			sum.Reconciled++
		case EnvelopeMismatch:
			sum.EnvelopeMismatch++
		default:
			sum.Unopenable++
		}
	}
	for _, t := range tokens {
		count(t.Amount)
	}
	for _, inv := range invoices {
		count(inv.Amount)
	}
	return sum
}
