package gateway

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
)

// BaselineRoutes registers the plaintext baseline contract's routes (the
// benchmark the confidential token is measured against), served through
// the whole stack like any business route:
//
//	GET  /v1/ledger/baseline/{account}       its balance
//	POST /v1/ledger/baseline/{account}/mint  a mint (operator, core, bank)
func BaselineRoutes(l Ledger) func(*Routes) {
	return func(r *Routes) {
		b := &baseline{ledger: l, s: r.s}
		r.GET("/ledger/baseline/:account", b.balance)
		r.POST("/ledger/baseline/:account/mint", b.mint, model.RoleOperator, model.RoleCore, model.RoleBank)
	}
}

// baseline serves the baseline routes over ledger; s publishes their
// events.
type baseline struct {
	ledger Ledger
	s      *Server
}

// BaselineBalance is the body of GET /v1/ledger/baseline/{account}.
type BaselineBalance struct {
	Account string `json:"account"`
	Balance uint64 `json:"balance"`
}

// balance evaluates baseline:Balance: the plaintext benchmark
// contract, read through the whole stack. A balance is the account
// holder's business: the enterprise whose ID names the account reads it,
// and so do the operator and the regulator; anyone else gets the same 404
// whether or not the account exists (no probing for accounts).
func (b *baseline) balance(c *gin.Context) error {
	account, err := PathID(c, "account")
	if err != nil {
		return err
	}
	if p := PrincipalOf(c); p.Role != model.RoleOperator && p.Role != model.RoleRegulator && p.EnterpriseID != account {
		return NotFound("no such baseline account of yours")
	}
	out, err := b.ledger.Evaluate(c.Request.Context(), "baseline", "Balance", account)
	if err != nil {
		return err
	}
	bal, err := strconv.ParseUint(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		return err // the ledger answered nonsense: 500, logged
	}
	c.JSON(http.StatusOK, BaselineBalance{Account: account, Balance: bal})
	return nil
}

// MintRequest is the body of POST /v1/ledger/baseline/{account}/mint.
type MintRequest struct {
	Amount uint64 `json:"amount"`
}

// Validate implements Validator.
func (m *MintRequest) Validate() []problem.FieldError {
	if m.Amount == 0 {
		return []problem.FieldError{{Field: "amount", Reason: "must be at least 1"}}
	}
	return nil
}

// MintResponse is a committed baseline mint.
type MintResponse struct {
	Account     string `json:"account"`
	Amount      uint64 `json:"amount"`
	TxID        string `json:"txId"`
	BlockNumber uint64 `json:"blockNumber"`
}

// mint submits baseline:Mint and answers once it is committed. The
// route is a write, so Idempotency-Key replays keep a retry from minting
// twice.
func (b *baseline) mint(c *gin.Context) error {
	account, err := PathID(c, "account")
	if err != nil {
		return err
	}
	var req MintRequest
	if err := DecodeJSON(c, &req); err != nil {
		return err
	}
	res, err := Submit(c.Request.Context(), "baseline:Mint", func(ctx context.Context) (fabricclient.Result, error) {
		return b.ledger.Submit(ctx, "baseline", "Mint", account, strconv.FormatUint(req.Amount, 10))
	})
	if err != nil {
		return err
	}
	resp := MintResponse{Account: account, Amount: req.Amount, TxID: res.TxID, BlockNumber: res.BlockNumber}
	c.JSON(http.StatusOK, resp)
	b.s.publish(c, "baseline.minted", resp, []string{PrincipalOf(c).EnterpriseID}, model.RoleOperator, model.RoleRegulator)
	return nil
}
