package rules_test

import (
	"errors"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// TestReasonRequired pins the token actions that refuse a request without
// a Reason: INVALID_ARGUMENT with their own message, before the token is
// read (a token that does not exist is refused the same way, not NOT_FOUND),
// leaving the state as it was. Actions that need no reason go on to their
// other checks.
func TestReasonRequired(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	type action func(rules.State, *model.TokenActionRequest) (*model.Token, error)
	for _, tc := range []struct {
		name string
		as   *rulestest.Party
		run  action
		want string // "": no reason needed
	}{
		{"declare payment", s.Core, r.DeclarePayment, "reason: the payment reference is required"},
		{"freeze", s.Operator, r.Freeze, "reason: required"},
		{"exercise recourse", s.BankA, r.ExerciseRecourse, "reason: the bank's reference is required"},
		{"settle recourse", s.BankA, r.SettleRecourse, "reason: the repayment reference is required"},
		{"unfreeze", s.Operator, r.Unfreeze, ""},
		{"cancel resale", s.BankA, r.CancelResale, ""},
		{"declare default", s.S1, r.DeclareDefault, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.want == "" {
				// No reason needed: the token is read, and found missing.
				expectRefused(t, s.State, model.ErrNotFound, func() (*model.Token, error) {
					return tc.run(s.As(tc.as), &model.TokenActionRequest{Token: "t-no-such-token"})
				})
				return
			}
			for _, token := range []string{s.Root, "t-no-such-token"} {
				err := expectRefused(t, s.State, model.ErrInvalidArgument, func() (*model.Token, error) {
					return tc.run(s.As(tc.as), &model.TokenActionRequest{Token: token})
				})
				var me *model.Error
				if !errors.As(err, &me) || me.Message != tc.want {
					t.Fatalf("%s: error %v, want message %q", token, err, tc.want)
				}
			}
		})
	}
}
