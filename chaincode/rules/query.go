package rules

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
)

// Queries: any registered, ACTIVE enterprise may call them, regulators
// included. Token reads derive OVERDUE from the query's transaction time.

// GetEnterprise returns an enterprise.
func (r *Rules) GetEnterprise(st State, id string) (*model.Enterprise, error) {
	if _, err := r.authorizeRead(st); err != nil {
		return nil, err
	}
	if err := model.ValidateID("id", id); err != nil {
		return nil, err
	}
	return mustGet[model.Enterprise](st, enterpriseKey(id), "enterprise", id)
}

// Enterprises lists the registered enterprises (every status) in ID
// order: all of them when req.Owner is empty, else those whose role is
// req.Owner. Clients use it to find counterparties and their keys.
func (r *Rules) Enterprises(st State, req *model.PageRequest) (*model.Page[model.Enterprise], error) {
	if _, err := r.authorizeRead(st); err != nil {
		return nil, err
	}
	if err := req.ValidateRoleFilter(); err != nil {
		return nil, err
	}
	if req.Owner == "" {
		return recordPage[model.Enterprise](st, objEnterprise, req, "enterprise")
	}
	return readPage(st, objEnterpriseByRole, req, func(id string) (*model.Enterprise, error) {
		return mustGet[model.Enterprise](st, enterpriseKey(id), "enterprise", id)
	})
}

// Whoami returns the caller's own enterprise.
func (r *Rules) Whoami(st State) (*model.Enterprise, error) {
	tx, err := r.authorizeRead(st)
	if err != nil {
		return nil, err
	}
	return tx.caller, nil
}

// GetPlatform returns the platform auditor and audit key provers need.
func (r *Rules) GetPlatform(st State) (*model.Platform, error) {
	if _, err := r.authorizeRead(st); err != nil {
		return nil, err
	}
	return mustGet[model.Platform](st, platformKey(), "platform auditor", "")
}

// GetInvoice returns an invoice by its hex fingerprint.
func (r *Rules) GetInvoice(st State, id string) (*model.Invoice, error) {
	if _, err := r.authorizeRead(st); err != nil {
		return nil, err
	}
	if err := model.ValidateInvoiceID("invoice", id); err != nil {
		return nil, err
	}
	return loadInvoice(st, id)
}

// InvoicesBySupplier lists a supplier's invoices.
func (r *Rules) InvoicesBySupplier(st State, req *model.PageRequest) (*model.Page[model.Invoice], error) {
	return listPage(r, st, objInvoiceBySupp, req, func(_ time.Time, id string) (*model.Invoice, error) {
		return loadInvoice(st, id)
	})
}

// InvoicesByBuyer lists the invoices owed by a core enterprise.
func (r *Rules) InvoicesByBuyer(st State, req *model.PageRequest) (*model.Page[model.Invoice], error) {
	return listPage(r, st, objInvoiceByBuyer, req, func(_ time.Time, id string) (*model.Invoice, error) {
		return loadInvoice(st, id)
	})
}

// Exposure is a credit line as queries return it.
type Exposure struct {
	model.CreditLine
	Expired bool `json:"expired"`
}

// GetCreditLine returns a bank's credit line for a core enterprise in a
// currency ("" for the legacy line), with the outstanding commitment
// (which the regulator can open).
func (r *Rules) GetCreditLine(st State, core, bank, currency string) (*Exposure, error) {
	tx, err := r.authorizeRead(st)
	if err != nil {
		return nil, err
	}
	if err := model.ValidateID("core", core); err != nil {
		return nil, err
	}
	if err := model.ValidateID("bank", bank); err != nil {
		return nil, err
	}
	if currency != "" && !model.ValidCurrency(currency) {
		return nil, model.Errorf(model.CodeInvalidArgument, "currency: must be an ISO 4217 currency code or empty")
	}
	return exposure(st, tx.now, core, bank, currency)
}

// CreditLinesByCore lists every credit line of a core enterprise, one per
// bank and currency: its exposure across the consortium (the regulator
// opens the outstanding sums with its audit key).
func (r *Rules) CreditLinesByCore(st State, req *model.PageRequest) (*model.Page[Exposure], error) {
	tx, err := r.authorizeRead(st)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	kvs, next, err := st.GetStateByPartialCompositeKeyWithPagination(objCreditLine, []string{req.Owner}, int32(req.PageSize), req.Bookmark)
	if err != nil {
		return nil, internal("range read: %v", err)
	}
	page := &model.Page[Exposure]{Items: make([]Exposure, 0, len(kvs)), Bookmark: next}
	for _, kv := range kvs {
		cl := new(model.CreditLine)
		if err := json.Unmarshal(kv.Value, cl); err != nil {
			return nil, internal("corrupt credit line record: %v", err)
		}
		page.Items = append(page.Items, Exposure{CreditLine: *cl, Expired: !cl.Expiry.After(tx.now)})
	}
	return page, nil
}

func exposure(st State, now time.Time, core, bank, currency string) (*Exposure, error) {
	cl, err := mustGet[model.CreditLine](st, creditLineKey(core, bank, currency), "credit line", core+"/"+bank+" "+model.CurrencyName(currency))
	if err != nil {
		return nil, err
	}
	return &Exposure{CreditLine: *cl, Expired: !cl.Expiry.After(now)}, nil
}

// GetToken returns a token as seen at the query's transaction time.
func (r *Rules) GetToken(st State, id string) (*model.TokenView, error) {
	tx, err := r.authorizeRead(st)
	if err != nil {
		return nil, err
	}
	if err := model.ValidateID("token", id); err != nil {
		return nil, err
	}
	return loadView(st, tx.now, id)
}

// MaxTokensPerQuery bounds the IDs of one GetTokens.
const MaxTokensPerQuery = 64

// maxTokenIDsBytes bounds GetTokens' argument: MaxTokensPerQuery IDs of
// MaxIDLength, quoted and separated.
const maxTokenIDsBytes = MaxTokensPerQuery*(model.MaxIDLength+3) + 2

// TokenResult is one entry of GetTokens: the token as GetToken answers it,
// or the typed error GetToken answers for it (Code and Error, its message).
type TokenResult struct {
	ID    string           `json:"id"`
	Token *model.TokenView `json:"token,omitempty"`
	Code  model.Code       `json:"code,omitempty"`
	Error string           `json:"error,omitempty"`
}

// Err is the entry's error as GetToken returns it, nil for a token.
func (t *TokenResult) Err() error {
	if t.Code == "" {
		return nil
	}
	return &model.Error{Code: t.Code, Message: t.Error}
}

// DecodeTokenIDs decodes GetTokens' argument: a JSON array of 1 to
// MaxTokensPerQuery distinct token IDs.
func DecodeTokenIDs(raw string) ([]string, error) {
	if len(raw) > maxTokenIDsBytes {
		return nil, model.Errorf(model.CodeInvalidArgument, "ids: longer than %d bytes", maxTokenIDsBytes)
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return nil, model.Errorf(model.CodeInvalidArgument, "ids: not a JSON array of strings")
	}
	if len(ids) == 0 || len(ids) > MaxTokensPerQuery {
		return nil, model.Errorf(model.CodeInvalidArgument, "ids: 1..%d", MaxTokensPerQuery)
	}
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if err := model.ValidateID("ids", id); err != nil {
			return nil, err
		}
		if seen[id] {
			return nil, model.Errorf(model.CodeInvalidArgument, "ids: %s twice", id)
		}
		seen[id] = true
	}
	return ids, nil
}

// GetTokens is GetToken for several tokens in one evaluation (the read
// model fetches every token of an event with one): the caller is
// authorized once, as GetToken authorizes it, and each entry, in the
// order of ids, is what GetToken(id) would have answered that caller at
// the same time: the token, or GetToken's typed error for it (NOT_FOUND,
// …) as the entry's Code. A caller GetToken refuses gets the same error
// for the whole call, so no caller reads through it a token GetToken
// would not have given it. ids are decoded by DecodeTokenIDs.
func (r *Rules) GetTokens(st State, ids []string) ([]TokenResult, error) {
	tx, err := r.authorizeRead(st)
	if err != nil {
		return nil, err
	}
	if len(ids) == 0 || len(ids) > MaxTokensPerQuery {
		return nil, model.Errorf(model.CodeInvalidArgument, "ids: 1..%d", MaxTokensPerQuery)
	}
	out := make([]TokenResult, len(ids))
	for i, id := range ids {
		out[i].ID = id
		if err := model.ValidateID("token", id); err != nil {
			return nil, err
		}
		v, err := loadView(st, tx.now, id)
		if err != nil {
			var me *model.Error
			if !errors.As(err, &me) {
				return nil, err
			}
			out[i].Code, out[i].Error = me.Code, me.Message
			continue
		}
		out[i].Token = v
	}
	return out, nil
}

func loadView(st State, now time.Time, id string) (*model.TokenView, error) {
	return viewOf(loadToken(st, id))(now)
}

// viewOf is the view at a time of a loaded token.
func viewOf(t *model.Token, err error) func(time.Time) (*model.TokenView, error) {
	return func(now time.Time) (*model.TokenView, error) {
		if err != nil {
			return nil, err
		}
		v := t.View(now)
		return &v, nil
	}
}

// loadHeld loads a token found through the holder index. A spend deletes
// its inputs' holder entries in the transaction that writes their spent
// markers, so a token listed there has no marker: no second read (a page of
// the holder's tokens reads each once, as before the markers).
func loadHeld(st State, id string) (*model.Token, error) {
	return loadMarked(st, tokenKey(id), spentKey(id), "token", id, func(*model.Token) bool { return false }, nil)
}

// TokensByHolder lists the tokens an enterprise holds or held to the end
// (spent tokens leave the list).
func (r *Rules) TokensByHolder(st State, req *model.PageRequest) (*model.Page[model.TokenView], error) {
	return listPage(r, st, objTokenByHolder, req, func(now time.Time, id string) (*model.TokenView, error) {
		return viewOf(loadHeld(st, id))(now)
	})
}

// TokensByIssuer lists every token of the receivables a core issued.
func (r *Rules) TokensByIssuer(st State, req *model.PageRequest) (*model.Page[model.TokenView], error) {
	return listPage(r, st, objTokenByIssuer, req, func(now time.Time, id string) (*model.TokenView, error) { return loadView(st, now, id) })
}

// FinancingRequests lists the tokens awaiting a bank's decision.
func (r *Rules) FinancingRequests(st State, req *model.PageRequest) (*model.Page[model.TokenView], error) {
	return listPage(r, st, objFinancingForBank, req, func(now time.Time, id string) (*model.TokenView, error) { return loadView(st, now, id) })
}

// listPage reads one page of an index under req.Owner and loads each ID.
func listPage[T any](r *Rules, st State, index string, req *model.PageRequest, load func(time.Time, string) (*T, error)) (*model.Page[T], error) {
	tx, err := r.authorizeRead(st)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	return readPage(st, index, req, func(id string) (*T, error) { return load(tx.now, id) })
}

// readPage reads one page of an index under req.Owner (validated) and
// loads each ID.
func readPage[T any](st State, index string, req *model.PageRequest, load func(string) (*T, error)) (*model.Page[T], error) {
	kvs, next, err := st.GetStateByPartialCompositeKeyWithPagination(index, []string{req.Owner}, int32(req.PageSize), req.Bookmark)
	if err != nil {
		return nil, internal("range read: %v", err)
	}
	page := &model.Page[T]{Items: make([]T, 0, len(kvs)), Bookmark: next}
	for _, kv := range kvs {
		id, err := lastAttr(kv.Key)
		if err != nil {
			return nil, err
		}
		v, err := load(id)
		if err != nil {
			return nil, err
		}
		page.Items = append(page.Items, *v)
	}
	return page, nil
}

// Provenance returns the tree of a receivable from its root (the core's
// issue) to tier N. A merged token appears under its first parent.
func (r *Rules) Provenance(st State, root string) (*model.ProvenanceNode, error) {
	tx, err := r.authorizeRead(st)
	if err != nil {
		return nil, err
	}
	if err := model.ValidateID("root", root); err != nil {
		return nil, err
	}
	rt, err := loadToken(st, root)
	if err != nil {
		return nil, err
	}
	if rt.Root != rt.ID {
		return nil, model.Errorf(model.CodeInvalidArgument, "root: token %s is not a root (its root is %s)", root, rt.Root)
	}
	// Every token of a receivable descends from its root through Children
	// (spends only ever take tokens of one root): walk them breadth first.
	tokens := map[string]*model.Token{rt.ID: rt}
	for queue := []string{rt.ID}; len(queue) > 0; queue = queue[1:] {
		for _, c := range tokens[queue[0]].Children {
			if _, seen := tokens[c]; seen {
				continue
			}
			if len(tokens) == model.MaxProvenance {
				return nil, model.Errorf(model.CodeInvalidArgument, "receivable %s has more than %d tokens", root, model.MaxProvenance)
			}
			if tokens[c], err = loadToken(st, c); err != nil {
				return nil, err
			}
			queue = append(queue, c)
		}
	}
	return buildTree(tokens, rt.ID, tx.now), nil
}

// buildTree walks Children lists (ordered), never the map, so the result
// is deterministic.
func buildTree(tokens map[string]*model.Token, id string, now time.Time) *model.ProvenanceNode {
	t := tokens[id]
	n := &model.ProvenanceNode{Token: t.View(now)}
	for _, c := range t.Children {
		child, ok := tokens[c]
		if !ok || len(child.Parents) == 0 || child.Parents[0] != id {
			continue
		}
		n.Children = append(n.Children, *buildTree(tokens, c, now))
	}
	return n
}
