package contract

import (
	"encoding/json"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
)

// TierChainContract exposes the receivable lifecycle. Write functions take
// one JSON request (see package model) and return the changed record as
// JSON; errors read "CODE: message" (model.ParseError).
type TierChainContract struct {
	contractapi.Contract
	rules *rules.Rules
}

type ctxT = contractapi.TransactionContextInterface

// call decodes a request strictly, runs a rule and encodes its result.
func call[Req any, P interface {
	*Req
	model.Validator
}, Res any](ctx ctxT, raw string, rule func(rules.State, *Req) (Res, error)) (string, error) {
	req, err := model.Decode[Req, P](raw)
	if err != nil {
		return "", err
	}
	return encode(rule(newState(ctx), req))
}

func encode[Res any](res Res, err error) (string, error) {
	if err != nil {
		return "", err
	}
	out, err := json.Marshal(res)
	if err != nil {
		return "", model.Errorf(model.CodeInternal, "encode result: %v", err)
	}
	return string(out), nil
}

// spend runs a split, merge or transfer. A JSON request gets the new
// tokens back, as it always has; a request in the compact encoding
// (protocol.SplitWireV1) gets only their IDs, since its sender already
// holds everything else in them and every byte of the result is carried
// in the transaction to the orderer and every peer.
func spend(ctx ctxT, raw string, rule func(rules.State, *model.SplitRequest) ([]*model.Token, error)) (string, error) {
	if !protocol.IsCompactSplitRequest(raw) {
		return call(ctx, raw, rule)
	}
	req, err := protocol.DecodeSplitRequest([]byte(raw))
	if err != nil {
		return "", err
	}
	tokens, err := rule(newState(ctx), req)
	if err != nil {
		return "", err
	}
	ids := make([]string, len(tokens))
	for i, t := range tokens {
		ids[i] = t.ID
	}
	return encode(ids, nil)
}

// RegisterEnterprise: model.RegisterEnterpriseRequest → model.Enterprise.
func (c *TierChainContract) RegisterEnterprise(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.RegisterEnterprise)
}

// SuspendEnterprise suspends an enterprise by ID.
func (c *TierChainContract) SuspendEnterprise(ctx ctxT, id string) (string, error) {
	return encode(c.rules.SuspendEnterprise(newState(ctx), id))
}

// ReactivateEnterprise reactivates an enterprise by ID.
func (c *TierChainContract) ReactivateEnterprise(ctx ctxT, id string) (string, error) {
	return encode(c.rules.ReactivateEnterprise(newState(ctx), id))
}

// RegisterInvoice: model.RegisterInvoiceRequest → model.Invoice.
func (c *TierChainContract) RegisterInvoice(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.RegisterInvoice)
}

// ConfirmInvoice: model.InvoiceActionRequest → model.Invoice.
func (c *TierChainContract) ConfirmInvoice(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.ConfirmInvoice)
}

// RejectInvoice: model.InvoiceActionRequest → model.Invoice.
func (c *TierChainContract) RejectInvoice(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.RejectInvoice)
}

// RevokeInvoice: model.InvoiceActionRequest → model.Invoice.
func (c *TierChainContract) RevokeInvoice(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.RevokeInvoice)
}

// GrantCreditLine: model.GrantCreditLineRequest → model.CreditLine.
func (c *TierChainContract) GrantCreditLine(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.GrantCreditLine)
}

// Issue: model.IssueRequest → model.Token, or in the compact encoding
// (protocol.IssueWireV1) → a one-element array of the new token's ID.
func (c *TierChainContract) Issue(ctx ctxT, request string) (string, error) {
	if !protocol.IsCompactIssueRequest(request) {
		return call(ctx, request, c.rules.Issue)
	}
	req, err := protocol.DecodeIssueRequest([]byte(request))
	if err != nil {
		return "", err
	}
	t, err := c.rules.Issue(newState(ctx), req)
	if err != nil {
		return "", err
	}
	return encode([]string{t.ID}, nil)
}

// Split: model.SplitRequest (1 → 2..8) → []model.Token, or in the compact
// encoding → the new token IDs (spend).
func (c *TierChainContract) Split(ctx ctxT, request string) (string, error) {
	return spend(ctx, request, c.rules.Split)
}

// Merge: model.SplitRequest (2..8 → 1) → []model.Token, or in the compact
// encoding → the new token IDs (spend).
func (c *TierChainContract) Merge(ctx ctxT, request string) (string, error) {
	return spend(ctx, request, c.rules.Merge)
}

// Transfer: model.SplitRequest (1 → 1) → []model.Token, or in the compact
// encoding → the new token IDs (spend).
func (c *TierChainContract) Transfer(ctx ctxT, request string) (string, error) {
	return spend(ctx, request, c.rules.Transfer)
}

// RequestFinancing: model.FinanceRequest → model.Token.
func (c *TierChainContract) RequestFinancing(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.RequestFinancing)
}

// ApproveFinancing: model.ApproveFinancingRequest → model.Token.
func (c *TierChainContract) ApproveFinancing(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.ApproveFinancing)
}

// RejectFinancing: model.TokenActionRequest → model.Token.
func (c *TierChainContract) RejectFinancing(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.RejectFinancing)
}

// CancelFinancing: model.TokenActionRequest → model.Token.
func (c *TierChainContract) CancelFinancing(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.CancelFinancing)
}

// DeclarePayment: model.TokenActionRequest (reason = payment reference) → model.Token.
func (c *TierChainContract) DeclarePayment(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.DeclarePayment)
}

// ConfirmPayment: model.TokenActionRequest → model.Token.
func (c *TierChainContract) ConfirmPayment(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.ConfirmPayment)
}

// Freeze: model.TokenActionRequest → model.Token.
func (c *TierChainContract) Freeze(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.Freeze)
}

// Unfreeze: model.TokenActionRequest → model.Token.
func (c *TierChainContract) Unfreeze(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.Unfreeze)
}

// Whoami returns the caller's enterprise.
func (c *TierChainContract) Whoami(ctx ctxT) (string, error) {
	return encode(c.rules.Whoami(newState(ctx)))
}

// GetEnterprise returns an enterprise by ID.
func (c *TierChainContract) GetEnterprise(ctx ctxT, id string) (string, error) {
	return encode(c.rules.GetEnterprise(newState(ctx), id))
}

// Enterprises: model.PageRequest (owner = a role, or empty for all) →
// model.Page[model.Enterprise].
func (c *TierChainContract) Enterprises(ctx ctxT, request string) (string, error) {
	return call(ctx, request, func(st rules.State, req *rolePageRequest) (*model.Page[model.Enterprise], error) {
		return c.rules.Enterprises(st, (*model.PageRequest)(req))
	})
}

// rolePageRequest decodes a model.PageRequest whose owner is a role or
// empty.
type rolePageRequest model.PageRequest

func (r *rolePageRequest) Validate() error { return (*model.PageRequest)(r).ValidateRoleFilter() }

// GetPlatform returns the platform auditor and its audit key.
func (c *TierChainContract) GetPlatform(ctx ctxT) (string, error) {
	return encode(c.rules.GetPlatform(newState(ctx)))
}

// GetInvoice returns an invoice by hex fingerprint.
func (c *TierChainContract) GetInvoice(ctx ctxT, id string) (string, error) {
	return encode(c.rules.GetInvoice(newState(ctx), id))
}

// InvoicesBySupplier: model.PageRequest → model.Page[model.Invoice].
func (c *TierChainContract) InvoicesBySupplier(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.InvoicesBySupplier)
}

// InvoicesByBuyer: model.PageRequest → model.Page[model.Invoice].
func (c *TierChainContract) InvoicesByBuyer(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.InvoicesByBuyer)
}

// GetCreditLine returns the exposure of core's credit line at bank in
// currency (ISO 4217; "" reads a legacy line granted before currencies).
func (c *TierChainContract) GetCreditLine(ctx ctxT, core, bank, currency string) (string, error) {
	return encode(c.rules.GetCreditLine(newState(ctx), core, bank, currency))
}

// CreditLinesByCore: model.PageRequest (owner = core) → model.Page[rules.Exposure].
func (c *TierChainContract) CreditLinesByCore(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.CreditLinesByCore)
}

// GetToken returns a token (OVERDUE derived).
func (c *TierChainContract) GetToken(ctx ctxT, id string) (string, error) {
	return encode(c.rules.GetToken(newState(ctx), id))
}

// GetTokens returns several tokens in one evaluation: ids is a JSON array
// of 1..rules.MaxTokensPerQuery distinct IDs; the answer, one
// rules.TokenResult per ID in order, holds each token as GetToken returns
// it or GetToken's error for it.
func (c *TierChainContract) GetTokens(ctx ctxT, ids string) (string, error) {
	list, err := rules.DecodeTokenIDs(ids)
	if err != nil {
		return "", err
	}
	return encode(c.rules.GetTokens(newState(ctx), list))
}

// TokensByHolder: model.PageRequest → model.Page[model.TokenView].
func (c *TierChainContract) TokensByHolder(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.TokensByHolder)
}

// TokensByIssuer: model.PageRequest → model.Page[model.TokenView].
func (c *TierChainContract) TokensByIssuer(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.TokensByIssuer)
}

// FinancingRequests: model.PageRequest (owner = bank) → model.Page[model.TokenView].
func (c *TierChainContract) FinancingRequests(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.FinancingRequests)
}

// Provenance returns the tree of a receivable from its root token.
func (c *TierChainContract) Provenance(ctx ctxT, root string) (string, error) {
	return encode(c.rules.Provenance(newState(ctx), root))
}

// RequestTermFinancing: model.TermFinanceRequest → []model.Token (the
// token in FINANCING, then the change of a partial financing).
func (c *TierChainContract) RequestTermFinancing(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.RequestTermFinancing)
}

// SetFinancingPolicy: model.SetFinancingPolicyRequest → model.FinancingPolicy.
func (c *TierChainContract) SetFinancingPolicy(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.SetFinancingPolicy)
}

// GetFinancingPolicy returns the channel's financing policy.
func (c *TierChainContract) GetFinancingPolicy(ctx ctxT) (string, error) {
	return encode(c.rules.FinancingPolicy(newState(ctx)))
}

// DeclareDefault: model.TokenActionRequest → model.Token.
func (c *TierChainContract) DeclareDefault(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.DeclareDefault)
}

// ExerciseRecourse: model.TokenActionRequest → model.Token.
func (c *TierChainContract) ExerciseRecourse(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.ExerciseRecourse)
}

// SettleRecourse: model.TokenActionRequest → model.Token.
func (c *TierChainContract) SettleRecourse(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.SettleRecourse)
}

// RequestQuotes: model.RequestQuotesRequest → model.RFQ.
func (c *TierChainContract) RequestQuotes(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.RequestQuotes)
}

// SubmitQuote: model.SubmitQuoteRequest → model.Quote.
func (c *TierChainContract) SubmitQuote(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.SubmitQuote)
}

// WithdrawQuote: model.QuoteActionRequest → model.Quote.
func (c *TierChainContract) WithdrawQuote(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.WithdrawQuote)
}

// CancelQuotes: model.RFQActionRequest → model.RFQ.
func (c *TierChainContract) CancelQuotes(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.CancelQuotes)
}

// AcceptQuote: model.QuoteActionRequest → model.Token (FINANCING).
func (c *TierChainContract) AcceptQuote(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.AcceptQuote)
}

// GetRFQ returns a request for quotes with the quotes the caller may see.
func (c *TierChainContract) GetRFQ(ctx ctxT, id string) (string, error) {
	return encode(c.rules.GetRFQ(newState(ctx), id))
}

// RFQs: model.PageRequest (owner = holder or bank) → model.Page[model.RFQView].
func (c *TierChainContract) RFQs(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.RFQs)
}

// GetQuote returns a quote to its bank, its holder, the operator or the regulator.
func (c *TierChainContract) GetQuote(ctx ctxT, id string) (string, error) {
	return encode(c.rules.GetQuote(newState(ctx), id))
}

// OfferResale: model.OfferResaleRequest → model.Token.
func (c *TierChainContract) OfferResale(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.OfferResale)
}

// AcceptResale: model.AcceptResaleRequest → model.Token.
func (c *TierChainContract) AcceptResale(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.AcceptResale)
}

// CancelResale: model.TokenActionRequest → model.Token.
func (c *TierChainContract) CancelResale(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.CancelResale)
}

// ResaleOffers: model.PageRequest (owner = buyer bank) → model.Page[model.TokenView].
func (c *TierChainContract) ResaleOffers(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.ResaleOffers)
}
