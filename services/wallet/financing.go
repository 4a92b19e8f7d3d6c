package wallet

import "github.com/tierchain/tierchain/chaincode/model"

// bankEnvelopeTokenID is the token ID a financing's bank envelope is bound
// to: the token's own for a request without terms, none (the commitment
// alone) for one with terms, whose piece may be split off in the request's
// transaction and so has no ID when the envelope is sealed.
func bankEnvelopeTokenID(t *model.TokenView) string {
	if t.Financing != nil && t.Financing.Terms != nil {
		return ""
	}
	return t.ID
}
