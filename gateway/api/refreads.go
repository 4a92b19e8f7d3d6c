package api

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/services/wallet"
)

// refReads reads what the invoice-number checks of one page load need —
// the pieces' roots, the roots' invoices, the invoices' parties — each
// once for the whole page: many pieces of one receivable share its root,
// its invoices and their seller and buyer. It reads the bank's own read
// model first (services/indexer, fed by the bank's own peer), a page's
// records in one query a table, and evaluates on the ledger only what the
// read model lacks (not indexed yet). What the check reads of a record (a
// root's invoices, an invoice's ID, aliases, filing, seller and buyer, an
// enterprise's legal ID) is written when the record is created and never
// changes on the ledger; the read model's copy can only lack a field (a
// record indexed by a gateway older than the field), which can turn a
// verified number into a mismatch or unverifiable one, never the other
// way. So a number verified from the read model is verified, and an
// outcome other than verified is confirmed on the ledger (ledgerOnly):
// the views are the ledger's. Nothing outlives the page load.
//
// refReads is wallet.RefRecords. It is not safe for concurrent use.
type refReads struct {
	l     wallet.Ledger
	index recordIndex // nil: the ledger only

	tokens      map[string]refRead[model.Token]
	invoices    map[string]refRead[model.Invoice]
	enterprises map[string]refRead[model.Enterprise]
	// evaluations counts the ledger evaluations made.
	evaluations int
}

// recordIndex is what refReads reads of the read model
// (*indexer.Indexer): whole records by ID, those it holds.
type recordIndex interface {
	TokenRecords(ctx context.Context, ids []string) (map[string]model.Token, error)
	InvoiceRecords(ctx context.Context, ids []string) (map[string]model.Invoice, error)
	EnterpriseRecords(ctx context.Context, ids []string) (map[string]model.Enterprise, error)
}

// refRead is one record read for the page, or the error reading it gave
// (a page does not ask twice); indexed: read from the read model.
type refRead[T any] struct {
	rec     *T
	err     error
	indexed bool
}

// refReads returns the reads of one page load through l, the read model
// first when this gateway keeps one.
func (a *API) refReads(l wallet.Ledger) *refReads {
	r := &refReads{l: l, tokens: map[string]refRead[model.Token]{}, invoices: map[string]refRead[model.Invoice]{},
		enterprises: map[string]refRead[model.Enterprise]{}}
	if a.d.Index != nil {
		r.index = a.d.Index
	}
	return r
}

// indexed reads ids that m does not hold yet from the read model into m,
// in one query; a failed query is logged and leaves them to the ledger.
func indexed[T any](ctx context.Context, a *API, m map[string]refRead[T], ids []string, read func(context.Context, []string) (map[string]T, error)) {
	var want []string
	for _, id := range ids {
		if _, ok := m[id]; !ok {
			want = append(want, id)
		}
	}
	if len(want) == 0 {
		return
	}
	got, err := read(ctx, want)
	if err != nil {
		a.d.Log.Warn("read model not read for the invoice numbers; the ledger answers", "error", err)
		return
	}
	for id, rec := range got {
		m[id] = refRead[T]{rec: &rec, indexed: true}
	}
}

// prefetch reads from the read model, in one query a table, the records
// the checks of items will ask for: the roots of the pieces, then the
// invoices with a number disclosed (when check runs), then their parties.
func (r *refReads) prefetch(ctx context.Context, a *API, items []refItem, check bool) {
	if r.index == nil {
		return
	}
	var roots []string
	for _, it := range items {
		if it.token.Root != it.token.ID {
			roots = append(roots, it.token.Root)
		}
	}
	indexed(ctx, a, r.tokens, roots, r.index.TokenRecords)
	for _, id := range roots {
		// The check reads each root whatever else fails: those the read
		// model lacks are read now, for their invoices to be prefetched.
		_, _ = r.Token(ctx, id)
	}
	if !check {
		return
	}
	var invoices []string
	for _, it := range items {
		if it.opened != nil || len(it.refs) == 0 {
			continue
		}
		under, ok := r.cachedInvoices(it.token)
		if !ok {
			continue
		}
		for _, c := range wallet.DisclosedRefs(under, it.refs) {
			if c.Number != "" {
				invoices = append(invoices, c.Invoice)
			}
		}
	}
	indexed(ctx, a, r.invoices, invoices, r.index.InvoiceRecords)
	var parties []string
	for _, id := range invoices {
		if inv := r.invoices[id].rec; inv != nil {
			parties = append(parties, inv.Supplier, inv.Buyer)
		}
	}
	indexed(ctx, a, r.enterprises, parties, r.index.EnterpriseRecords)
}

// cachedInvoices are the invoices under t's receivable when this page
// read its root (or t is the root).
func (r *refReads) cachedInvoices(t *model.Token) ([]string, bool) {
	if t.Root == t.ID {
		return t.Invoices, true
	}
	if root := r.tokens[t.Root].rec; root != nil {
		return root.Invoices, true
	}
	return nil, false
}

// evaluated is the record m holds for id (unless ledger, one the ledger
// answered), else what fn(id) answers on the ledger, remembered for the
// page either way.
func evaluated[T, R any](ctx context.Context, r *refReads, m map[string]refRead[T], id, fn string, ledger bool, rec func(*R) *T) (*T, error) {
	if got, ok := m[id]; ok && !(ledger && got.indexed) {
		return got.rec, got.err
	}
	r.evaluations++
	var out refRead[T]
	b, err := r.l.Evaluate(ctx, Contract, fn, id)
	if err == nil {
		v := new(R)
		if err = json.Unmarshal(b, v); err == nil {
			out.rec = rec(v)
		} else {
			err = fmt.Errorf("api: %s result: %w", fn, err)
		}
	}
	out.err = err
	m[id] = out
	return out.rec, out.err
}

func same[T any](v *T) *T { return v }

// Token is the token id's record: the read model's, else GetToken's. A
// receivable backs at least one invoice: the read model's copy of a root
// without them is not trusted, the ledger's is read.
func (r *refReads) Token(ctx context.Context, id string) (*model.Token, error) {
	t, err := r.token(ctx, id, false)
	if err == nil && t.Root == t.ID && len(t.Invoices) == 0 && r.tokens[id].indexed {
		return r.token(ctx, id, true)
	}
	return t, err
}

// token is Token, from the ledger only when ledger.
func (r *refReads) token(ctx context.Context, id string, ledger bool) (*model.Token, error) {
	return evaluated(ctx, r, r.tokens, id, "GetToken", ledger, func(v *model.TokenView) *model.Token { return &v.Token })
}

// Invoice implements wallet.RefRecords: the read model's record, else
// GetInvoice's.
func (r *refReads) Invoice(ctx context.Context, id string) (*model.Invoice, error) {
	return evaluated(ctx, r, r.invoices, id, "GetInvoice", false, same[model.Invoice])
}

// Enterprise implements wallet.RefRecords: the read model's record, else
// GetEnterprise's.
func (r *refReads) Enterprise(ctx context.Context, id string) (*model.Enterprise, error) {
	return evaluated(ctx, r, r.enterprises, id, "GetEnterprise", false, same[model.Enterprise])
}

// ledgerOnly is r reading what the ledger answers: the records r took
// from the read model are evaluated again (once a page), those it
// evaluated are shared.
type ledgerOnly struct{ r *refReads }

// Invoice implements wallet.RefRecords.
func (l ledgerOnly) Invoice(ctx context.Context, id string) (*model.Invoice, error) {
	return evaluated(ctx, l.r, l.r.invoices, id, "GetInvoice", true, same[model.Invoice])
}

// Enterprise implements wallet.RefRecords.
func (l ledgerOnly) Enterprise(ctx context.Context, id string) (*model.Enterprise, error) {
	return evaluated(ctx, l.r, l.r.enterprises, id, "GetEnterprise", true, same[model.Enterprise])
}
