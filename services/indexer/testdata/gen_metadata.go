//go:build ignore

// gen_metadata prints the TierChain chaincode's contract metadata, what
// the system contract's GetMetadata answers on a peer:
//
//	go run ./services/indexer/testdata/gen_metadata.go > services/indexer/testdata/metadata.json
package main

import (
	"errors"
	"os"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/tierchain/tierchain/chaincode/contract"
)

type stub struct{ shim.ChaincodeStubInterface }

func (stub) GetFunctionAndParameters() (string, []string) {
	return "org.hyperledger.fabric:GetMetadata", nil
}
func (stub) GetCreator() ([]byte, error) { return nil, errors.New("none") }
func (stub) GetArgs() [][]byte           { return [][]byte{[]byte("org.hyperledger.fabric:GetMetadata")} }

func main() {
	cc, err := contract.New(contract.Config{})
	if err != nil {
		panic(err)
	}
	r := cc.Invoke(stub{})
	if r.Status != 200 {
		panic(r.Message)
	}
	os.Stdout.Write(r.Payload)
}
