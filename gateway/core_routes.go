package gateway

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
)

// Ledger is what the gateway's own routes need from the ledger:
// fabricclient.Client in production, a fake in tests.
type Ledger interface {
	Evaluate(ctx context.Context, contract, fn string, args ...string) ([]byte, error)
	Submit(ctx context.Context, contract, fn string, args ...string) (fabricclient.Result, error)
}

var _ Ledger = (*fabricclient.Client)(nil)

// healthz: the process is alive and serving.
func (s *Server) healthz(c *gin.Context) error {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
	return nil
}

// readyz: the database answers and every ReadyCheck passes, each within
// ReadyCheckTimeout, run concurrently. Failing checks are named, never
// explained (the log has the error).
func (s *Server) readyz(c *gin.Context) error {
	checks := map[string]func(context.Context) error{"database": s.deps.DB.SQL.PingContext}
	for name, f := range s.deps.ReadyChecks {
		checks[name] = f
	}
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		result = make(map[string]string, len(checks))
		failed []problem.FieldError
	)
	for name, check := range checks {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(c.Request.Context(), s.cfg.ReadyCheckTimeout)
			defer cancel()
			err := check(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				s.log.Warn("readiness check failed", "check", name, "request_id", requestID(c), "error", err)
				result[name] = "fail"
				failed = append(failed, problem.FieldError{Field: name, Reason: "not ready"})
				return
			}
			result[name] = "ok"
		})
	}
	wg.Wait()
	if len(failed) > 0 {
		return problem.New(http.StatusServiceUnavailable, problem.CodeUnavailable, "not ready").
			WithErrors(sortedFieldErrors(failed)...).WithHeader("Retry-After", "5")
	}
	c.JSON(http.StatusOK, gin.H{"status": "ready", "checks": result})
	return nil
}

func sortedFieldErrors(fe []problem.FieldError) []problem.FieldError {
	for i := 1; i < len(fe); i++ {
		for j := i; j > 0 && fe[j].Field < fe[j-1].Field; j-- {
			fe[j], fe[j-1] = fe[j-1], fe[j]
		}
	}
	return fe
}

// me returns the caller's principal.
// Me is the body of GET /v1/me: the caller (its Principal) and the
// platform's time zone.
type Me struct {
	EnterpriseID string     `json:"enterpriseId"`
	Role         model.Role `json:"role"`
	MSPID        string     `json:"mspId"`
	TimeZone     string     `json:"timeZone"` // IANA, e.g. "Asia/Shanghai"
}

func (s *Server) me(c *gin.Context) error {
	p := PrincipalOf(c)
	c.JSON(http.StatusOK, Me{EnterpriseID: p.EnterpriseID, Role: p.Role, MSPID: p.MSPID, TimeZone: s.cfg.TimeZone})
	return nil
}

// BaselineBalance is the body of GET /v1/ledger/baseline/{account}.
type BaselineBalance struct {
	Account string `json:"account"`
	Balance uint64 `json:"balance"`
}

// baselineBalance evaluates baseline:Balance: the plaintext benchmark
// contract, read through the whole stack. A balance is the account
// holder's business: the enterprise whose ID names the account reads it,
// and so do the operator and the regulator; anyone else gets the same 404
// whether or not the account exists (no probing for accounts).
func (s *Server) baselineBalance(c *gin.Context) error {
	account, err := PathID(c, "account")
	if err != nil {
		return err
	}
	if p := PrincipalOf(c); p.Role != model.RoleOperator && p.Role != model.RoleRegulator && p.EnterpriseID != account {
		return NotFound("no such baseline account of yours")
	}
	out, err := s.deps.Ledger.Evaluate(c.Request.Context(), "baseline", "Balance", account)
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

// baselineMint submits baseline:Mint and answers once it is committed. The
// route is a write, so Idempotency-Key replays keep a retry from minting
// twice.
func (s *Server) baselineMint(c *gin.Context) error {
	account, err := PathID(c, "account")
	if err != nil {
		return err
	}
	var req MintRequest
	if err := DecodeJSON(c, &req); err != nil {
		return err
	}
	res, err := Submit(c.Request.Context(), "baseline:Mint", func(ctx context.Context) (fabricclient.Result, error) {
		return s.deps.Ledger.Submit(ctx, "baseline", "Mint", account, strconv.FormatUint(req.Amount, 10))
	})
	if err != nil {
		return err
	}
	resp := MintResponse{Account: account, Amount: req.Amount, TxID: res.TxID, BlockNumber: res.BlockNumber}
	c.JSON(http.StatusOK, resp)
	s.publish(c, "baseline.minted", resp, []string{PrincipalOf(c).EnterpriseID}, model.RoleOperator, model.RoleRegulator)
	return nil
}

// publish sends a server-sent event about a completed request; a failure
// to publish never fails the request (the ledger is the record).
func (s *Server) publish(c *gin.Context, typ string, data any, to []string, roles ...model.Role) {
	raw, err := json.Marshal(data)
	if err == nil {
		_, err = s.broker.Publish(Event{Type: typ, Data: raw, To: to, Roles: roles})
	}
	if err != nil {
		s.log.Warn("publish event", "request_id", requestID(c), "type", typ, "error", err)
	}
}
