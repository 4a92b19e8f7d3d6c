package api

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/wallet"
)

// SplitRequest pays parts of a token to other suppliers; the rest comes
// back to the holder as change. One output of the whole value is a
// transfer.
type SplitRequest struct {
	Outputs []SplitOutput `json:"outputs"`
}

// SplitOutput is one payment of a split.
type SplitOutput struct {
	To     string `json:"to"`
	Amount string `json:"amount"` // decimal
}

// Validate checks the request's shape.
func (r *SplitRequest) Validate() []problem.FieldError {
	var errs []problem.FieldError
	if len(r.Outputs) == 0 || len(r.Outputs) >= model.MaxOutputs {
		errs = append(errs, problem.FieldError{Field: "outputs", Reason: fmt.Sprintf("1 to %d outputs (one more is the change)", model.MaxOutputs-1)})
	}
	for i, o := range r.Outputs {
		if model.ValidateID("to", o.To) != nil {
			errs = append(errs, problem.FieldError{Field: fmt.Sprintf("outputs[%d].to", i), Reason: "an enterprise ID"})
		}
	}
	return errs
}

// SplitResponse lists the new tokens.
type SplitResponse struct {
	Kind   string      `json:"kind"`
	TxID   string      `json:"txId"`
	Tokens []TokenView `json:"tokens"`
}

func (a *API) split(c *gin.Context) error {
	var req SplitRequest
	k, err := a.open(c, &req)
	if err != nil {
		return err
	}
	l, err := a.ledger(c)
	if err != nil {
		return err
	}
	for i, o := range req.Outputs {
		if err := amountSyntax(fmt.Sprintf("outputs[%d].amount", i), o.Amount); err != nil {
			return err
		}
	}
	// The pieces are amounts of the token's currency: the wallet's record
	// of a token it holds says which, without a GetToken on the peer;
	// otherwise the ledger does.
	cur, err := a.d.Wallet.TokenCurrency(k.ctx, k.me, k.id)
	if err != nil {
		if cur, err = a.tokenCurrency(c, k.id); err != nil {
			return err
		}
	}
	spec := wallet.SpendSpec{Holder: k.me, Inputs: []string{k.id}}
	for i, o := range req.Outputs {
		v, err := parseAmount(fmt.Sprintf("outputs[%d].amount", i), o.Amount, cur)
		if err != nil {
			return err
		}
		to, err := a.keys.recipient(k.ctx, l, o.To)
		if err != nil {
			return err
		}
		spec.Outputs = append(spec.Outputs, wallet.Payment{To: to, Amount: v})
	}
	// The compact request (protocol.SplitWireV1) is ≈ 1 KB smaller than
	// its JSON and its result carries the new IDs only (73 B, not the
	// tokens' 1.5 KB): the gateway built everything else in them.
	var built *wallet.Spend
	fn, res, err := a.write(c, wallet.SpendFunctions(), func(ctx context.Context, l wallet.Ledger) (string, any, error) {
		if spec.Auditor, err = a.keys.auditorOf(ctx, l); err != nil {
			return "", nil, err
		}
		if err := a.ensureOpening(c, l, k.id); err != nil {
			return "", nil, err
		}
		sp, err := a.d.Wallet.BuildSpend(ctx, l, spec)
		if err != nil {
			return "", nil, err
		}
		wire, err := sp.Wire()
		if err != nil {
			return "", nil, err
		}
		built = sp
		return sp.Function, string(wire), nil
	}, nil)
	if err != nil {
		return err
	}
	toks, err := a.spentTokens(c, fn, built, res)
	if err != nil {
		return err
	}
	// The change comes back to this wallet, and a payee this gateway hosts
	// too is paid into it: store their openings from the result, so spending
	// them next needs no Sync and the receipt check reads no ledger.
	reps, err := a.d.Wallet.ReceiveHosted(k.ctx, l, toks)
	if rep := reps[k.me]; err != nil || (rep != nil && len(rep.Refused) > 0) {
		a.d.Log.Warn("split's outputs not stored in the wallet", "holder", k.me, "error", err)
	}
	for holder, rep := range reps {
		a.announceBad(holder, rep)
	}
	// The spender knows every output, those sealed to the payees too.
	amounts, err := a.d.Wallet.SpendAmounts(k.ctx, spec)
	if err != nil {
		a.d.Log.Warn("split's amounts not opened", "holder", k.me, "error", err)
	}
	out := SplitResponse{Kind: wallet.SpendKind(fn), TxID: res.TxID, Tokens: make([]TokenView, 0, len(toks))}
	for i, t := range toks {
		v := a.tokenView(c, t.View(a.d.Now()))
		if v.Amount.Sealed && len(toks) == len(amounts) {
			m := NewMoney(amounts[i], t.Currency)
			v.Amount = &m
		}
		out.Tokens = append(out.Tokens, v)
	}
	created(c, "", out)
	return nil
}

// spentTokens is what a committed spend created, as the ledger holds it:
// built from the gateway's own request, the transaction's ID and time and
// the IDs the compact result returned (wallet.Spend.Committed), with no
// ledger read. When nothing was built here (the request resumed an
// earlier run's transaction) or the result does not match what was
// built, the tokens come from the result itself (a JSON request's, from
// before compact requests) or from the ledger, by the IDs it names.
func (a *API) spentTokens(c *gin.Context, fn string, built *wallet.Spend, res fabricclient.Result) ([]model.Token, error) {
	if built != nil {
		toks, err := built.Committed(res.Payload, res.TxID, res.Timestamp)
		if err == nil {
			return toks, nil
		}
		a.d.Log.Warn("spend's outputs read from the ledger", "tx", res.TxID, "error", err)
	}
	var toks []model.Token
	if json.Unmarshal(res.Payload, &toks) == nil {
		return toks, nil
	}
	var ids []string
	if err := json.Unmarshal(res.Payload, &ids); err != nil {
		return nil, fmt.Errorf("api: %s result: %w", fn, err)
	}
	toks = make([]model.Token, 0, len(ids))
	for _, id := range ids {
		v, err := a.token(c, id)
		if err != nil {
			return nil, err
		}
		toks = append(toks, v.Token)
	}
	return toks, nil
}

// ensureOpening gets the caller's wallet an opening of the token when it
// holds none yet (a token received since the last sync): from the token
// alone (one query), or, when that opens nothing (a bank's financed
// holding, or the ledger refused), from a full sync. The builders check
// the ledger facts they rely on either way.
func (a *API) ensureOpening(c *gin.Context, l wallet.Ledger, tokenID string) error {
	ctx := c.Request.Context()
	me := gateway.PrincipalOf(c).EnterpriseID
	if _, err := a.d.Wallet.TokenOpening(ctx, me, tokenID); err == nil {
		return nil
	}
	rep, err := a.d.Wallet.ReceiveToken(ctx, me, l, tokenID)
	a.announceBad(me, rep)
	if err == nil && rep.Opened > 0 {
		return nil
	}
	rep, err = a.d.Wallet.Sync(ctx, me, l)
	a.announceBad(me, rep)
	return err
}
