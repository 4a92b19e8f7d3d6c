// Package contract adapts the pure rules of chaincode/rules to
// fabric-contract-api-go. It holds no business logic of its own.
package contract

import (
	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/tierchain/tierchain/chaincode/rules"
)

// Config is the chaincode's configuration; see rules.Config.
type Config = rules.Config

// Contract names. "tierchain" is the default contract, so its functions
// are also reachable without the "tierchain:" prefix.
const (
	TierChainName = "tierchain"
	BaselineName  = "baseline"
)

// New returns the TierChain chaincode with every contract registered.
func New(cfg Config) (*contractapi.ContractChaincode, error) {
	tc := &TierChainContract{rules: rules.New(cfg)}
	tc.Name = TierChainName
	baseline := new(BaselineContract)
	baseline.Name = BaselineName
	cc, err := contractapi.NewChaincode(tc, baseline)
	if err != nil {
		return nil, err
	}
	cc.DefaultContract = TierChainName
	return cc, nil
}
