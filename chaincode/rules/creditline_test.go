package rules_test

import (
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// TestMaturityWithinCreditLine: a receivable may not fall due after the
// credit line that backs it expires. The request is otherwise valid (its
// proofs bind the late maturity), so the only obstacle is the expiry; once
// the bank extends the line, the same request is accepted.
func TestMaturityWithinCreditLine(t *testing.T) {
	s := newScenario(t)
	spare := s.Invoices[2:]
	expiry := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC) // rulestest's credit lines
	build := func(maturity time.Time) *model.IssueRequest {
		return must(protocol.BuildIssue(s.Ctx(), protocol.IssueInput{Currency: rulestest.Currency,
			Issuer: s.Core.ID, IssuerKey: s.Core.Key.Public(), Bank: s.BankA.ID, Holder: s.S1.Recipient(), Invoices: spare,
			Limit: rulestest.LimitA, Outstanding: s.Outstanding, Maturity: maturity, Amount: rulestest.Opening(10),
		}, s.Auditor(), nil))
	}
	late := build(expiry.Add(time.Second))
	t.Run("one second after the expiry", func(t *testing.T) {
		err := expectRefused(t, s.State, model.ErrInvalidArgument, func() (*model.Token, error) { return s.Rules.Issue(s.As(s.Core), late) })
		if !strings.Contains(err.Error(), "maturity") || !strings.Contains(err.Error(), "expiry") {
			t.Fatalf("error %q does not name the maturity and the expiry", err)
		}
	})
	t.Run("on the expiry", func(t *testing.T) {
		c := s.Clone()
		must(c.Rules.Issue(c.As(c.Core), build(expiry)))
	})
	t.Run("after the bank extends the line", func(t *testing.T) {
		c := s.Clone()
		must(c.Rules.GrantCreditLine(c.As(c.BankA), &model.GrantCreditLineRequest{Core: c.Core.ID, Currency: rulestest.Currency, Limit: rulestest.LimitA, Expiry: expiry.AddDate(1, 0, 0)}))
		must(c.Rules.Issue(c.As(c.Core), late))
	})
}
