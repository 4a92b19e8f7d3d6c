// Package contract adapts the pure rules of chaincode/rules to
// fabric-contract-api-go. It holds no business logic of its own.
package contract

import "github.com/hyperledger/fabric-contract-api-go/v2/contractapi"

// New returns the TierChain chaincode with every contract registered.
func New() (*contractapi.ContractChaincode, error) {
	baseline := new(BaselineContract)
	baseline.Name = "baseline"
	return contractapi.NewChaincode(baseline)
}
