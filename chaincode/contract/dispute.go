package contract

import (
	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules"
)

// FileDispute: model.FileDisputeRequest → model.Dispute. Only the token's
// holder may file it.
func (c *TierChainContract) FileDispute(ctx ctxT, request string) (string, error) {
	return call(ctx, request, c.rules.FileDispute)
}

// GetDispute returns the dispute of a token by token ID.
func (c *TierChainContract) GetDispute(ctx ctxT, token string) (string, error) {
	return encode(c.rules.GetDispute(newState(ctx), token))
}

// Disputes: model.PageRequest (owner empty) → model.Page[model.Dispute].
func (c *TierChainContract) Disputes(ctx ctxT, request string) (string, error) {
	return call(ctx, request, func(st rules.State, req *allPageRequest) (*model.Page[model.Dispute], error) {
		return c.rules.Disputes(st, (*model.PageRequest)(req))
	})
}

// allPageRequest decodes a model.PageRequest of a list without an owner.
type allPageRequest model.PageRequest

func (r *allPageRequest) Validate() error { return (*model.PageRequest)(r).ValidateAll() }
