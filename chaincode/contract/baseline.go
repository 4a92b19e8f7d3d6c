package contract

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/tierchain/tierchain/chaincode/rules"
)

// BaselineContract moves public numbers between accounts. It exists only as
// the plaintext baseline that the confidential transactions are measured
// against (same network, same endorsement path, same State adapter, no
// proofs).
type BaselineContract struct {
	contractapi.Contract
}

// Mint credits amount to account.
func (c *BaselineContract) Mint(ctx contractapi.TransactionContextInterface, account string, amount uint64) error {
	return rules.BaselineMint(newState(ctx), account, amount)
}

// Transfer moves amount from one account to another.
func (c *BaselineContract) Transfer(ctx contractapi.TransactionContextInterface, from, to string, amount uint64) error {
	return rules.BaselineTransfer(newState(ctx), from, to, amount)
}

// Balance returns the balance of account (0 if it has none).
func (c *BaselineContract) Balance(ctx contractapi.TransactionContextInterface, account string) (uint64, error) {
	return rules.BaselineBalance(newState(ctx), account)
}
