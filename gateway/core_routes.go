package gateway

import (
	"context"
	"encoding/json"
	"net/http"
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
