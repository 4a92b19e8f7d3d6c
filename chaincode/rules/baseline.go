package rules

import (
	"fmt"
	"math"
	"strconv"
)

// The plaintext baseline: public balances moved between accounts with no
// proofs and no access control, over the same State as the confidential
// transactions, so that benchmarks and network figures compare like with
// like. Keys are "baseline~" + account (simple keys, as deployed).

const baselinePrefix = "baseline~"

// BaselineMint credits amount to account.
func BaselineMint(st State, account string, amount uint64) error {
	bal, err := BaselineBalance(st, account)
	if err != nil {
		return err
	}
	if bal > math.MaxUint64-amount {
		return fmt.Errorf("baseline: balance of %q would overflow", account)
	}
	return st.PutState(baselinePrefix+account, []byte(strconv.FormatUint(bal+amount, 10)))
}

// BaselineTransfer moves amount from one account to another.
func BaselineTransfer(st State, from, to string, amount uint64) error {
	if from == to {
		return fmt.Errorf("baseline: transfer to the same account %q", from)
	}
	fb, err := BaselineBalance(st, from)
	if err != nil {
		return err
	}
	if fb < amount {
		return fmt.Errorf("baseline: insufficient balance in %q", from)
	}
	tb, err := BaselineBalance(st, to)
	if err != nil {
		return err
	}
	if tb > math.MaxUint64-amount {
		return fmt.Errorf("baseline: balance of %q would overflow", to)
	}
	if err := st.PutState(baselinePrefix+from, []byte(strconv.FormatUint(fb-amount, 10))); err != nil {
		return err
	}
	return st.PutState(baselinePrefix+to, []byte(strconv.FormatUint(tb+amount, 10)))
}

// BaselineBalance returns the balance of account (0 if it has none).
func BaselineBalance(st State, account string) (uint64, error) {
	if account == "" {
		return 0, fmt.Errorf("baseline: empty account")
	}
	raw, err := st.GetState(baselinePrefix + account)
	if err != nil {
		return 0, err
	}
	if raw == nil {
		return 0, nil
	}
	v, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("baseline: corrupt balance for %q: %w", account, err)
	}
	return v, nil
}
