package audit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules"
)

// Ledger evaluates a chaincode query on the regulator's own peer and
// reports that peer's height: the last block it has committed and that
// block's last transaction ID. internal/fabricclient.Client satisfies it.
//
// ChainHeight must not answer while a block is half committed (Fabric's
// peer holds one lock from the block store's append to the end of the
// state database's commit): the service brackets a report's queries
// between two heights and trusts that equal heights mean no query saw a
// later block (see AsOf).
type Ledger interface {
	Evaluate(ctx context.Context, contract, fn string, args ...string) ([]byte, error)
	ChainHeight(ctx context.Context) (block uint64, txID string, err error)
}

// Contract is the chaincode contract the service queries by default.
const Contract = "tierchain"

// Chaincode query names the service calls.
const (
	fnEnterprises       = "Enterprises"
	fnTokensByIssuer    = "TokensByIssuer"
	fnInvoicesByBuyer   = "InvoicesByBuyer"
	fnCreditLinesByCore = "CreditLinesByCore"
	fnProvenance        = "Provenance"
)

// maxPages bounds one listing, so a peer that keeps returning bookmarks
// cannot keep the service looping: 200 items a page, 10 million items.
const maxPages = 50_000

// reader is the service's view of the ledger: typed, paginated queries.
type reader struct {
	l        Ledger
	contract string
}

// all reads every page of a paginated query fn for owner.
func all[T any](ctx context.Context, r reader, fn, owner string) ([]T, error) {
	var out []T
	req := model.PageRequest{Owner: owner, PageSize: model.MaxPageSize}
	for range maxPages {
		arg, err := json.Marshal(req)
		if err != nil {
			return nil, err
		}
		raw, err := r.l.Evaluate(ctx, r.contract, fn, string(arg))
		if err != nil {
			return nil, fmt.Errorf("audit: %s(%q): %w", fn, owner, err)
		}
		var page model.Page[T]
		if err := json.Unmarshal(raw, &page); err != nil {
			return nil, fmt.Errorf("audit: %s(%q): decode page: %w", fn, owner, err)
		}
		out = append(out, page.Items...)
		if page.Bookmark == "" {
			return out, nil
		}
		if page.Bookmark == req.Bookmark {
			return nil, fmt.Errorf("audit: %s(%q): the peer returned the same bookmark twice", fn, owner)
		}
		req.Bookmark = page.Bookmark
	}
	return nil, fmt.Errorf("audit: %s(%q): more than %d pages", fn, owner, maxPages)
}

// enterprises lists every registered enterprise (an empty owner: no role
// filter).
func (r reader) enterprises(ctx context.Context) ([]model.Enterprise, error) {
	return all[model.Enterprise](ctx, r, fnEnterprises, "")
}

// tokensByIssuer lists every token of the receivables core issued.
func (r reader) tokensByIssuer(ctx context.Context, core string) ([]model.TokenView, error) {
	return all[model.TokenView](ctx, r, fnTokensByIssuer, core)
}

// invoicesByBuyer lists the invoices owed by core.
func (r reader) invoicesByBuyer(ctx context.Context, core string) ([]model.Invoice, error) {
	return all[model.Invoice](ctx, r, fnInvoicesByBuyer, core)
}

// creditLinesByCore lists every bank's credit line for core.
func (r reader) creditLinesByCore(ctx context.Context, core string) ([]rules.Exposure, error) {
	return all[rules.Exposure](ctx, r, fnCreditLinesByCore, core)
}

// provenance returns the tree of the receivable whose root token is root.
func (r reader) provenance(ctx context.Context, root string) (*model.ProvenanceNode, error) {
	raw, err := r.l.Evaluate(ctx, r.contract, fnProvenance, root)
	if err != nil {
		return nil, fmt.Errorf("audit: %s(%q): %w", fnProvenance, root, err)
	}
	var n model.ProvenanceNode
	if err := json.Unmarshal(raw, &n); err != nil {
		return nil, fmt.Errorf("audit: %s(%q): decode: %w", fnProvenance, root, err)
	}
	return &n, nil
}
