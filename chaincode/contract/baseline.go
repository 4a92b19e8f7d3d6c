package contract

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
)

// BaselineContract moves public numbers between accounts. It exists only as
// the plaintext baseline that the confidential transactions are measured
// against (same network, same endorsement path, no proofs).
type BaselineContract struct {
	contractapi.Contract
}

const baselinePrefix = "baseline~"

// Mint credits amount to account.
func (c *BaselineContract) Mint(ctx contractapi.TransactionContextInterface, account string, amount uint64) error {
	bal, err := c.balance(ctx, account)
	if err != nil {
		return err
	}
	if bal > math.MaxUint64-amount {
		return fmt.Errorf("baseline: balance of %q would overflow", account)
	}
	return ctx.GetStub().PutState(baselinePrefix+account, []byte(strconv.FormatUint(bal+amount, 10)))
}

// Transfer moves amount from one account to another.
func (c *BaselineContract) Transfer(ctx contractapi.TransactionContextInterface, from, to string, amount uint64) error {
	if from == to {
		return fmt.Errorf("baseline: transfer to the same account %q", from)
	}
	fb, err := c.balance(ctx, from)
	if err != nil {
		return err
	}
	if fb < amount {
		return fmt.Errorf("baseline: insufficient balance in %q", from)
	}
	tb, err := c.balance(ctx, to)
	if err != nil {
		return err
	}
	if tb > math.MaxUint64-amount {
		return fmt.Errorf("baseline: balance of %q would overflow", to)
	}
	stub := ctx.GetStub()
	if err := stub.PutState(baselinePrefix+from, []byte(strconv.FormatUint(fb-amount, 10))); err != nil {
		return err
	}
	return stub.PutState(baselinePrefix+to, []byte(strconv.FormatUint(tb+amount, 10)))
}

// Balance returns the balance of account (0 if it has none).
func (c *BaselineContract) Balance(ctx contractapi.TransactionContextInterface, account string) (uint64, error) {
	return c.balance(ctx, account)
}

func (c *BaselineContract) balance(ctx contractapi.TransactionContextInterface, account string) (uint64, error) {
	if account == "" {
		return 0, fmt.Errorf("baseline: empty account")
	}
	raw, err := ctx.GetStub().GetState(baselinePrefix + account)
	if err != nil {
		return 0, err
	}
	if raw == nil {
		return 0, nil
	}
	var v uint64
	if err := json.Unmarshal(raw, &v); err != nil {
		return 0, fmt.Errorf("baseline: corrupt balance for %q: %w", account, err)
	}
	return v, nil
}
