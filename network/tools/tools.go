// Package tools pins Hyperledger Fabric, whose binaries (peer, orderer,
// configtxgen, cryptogen, osnadmin) the native network runs. It is its own
// module so Fabric's old dependencies never mix with the product's.

//go:build tools

package tools

import (
	_ "github.com/hyperledger/fabric/cmd/configtxgen"
	_ "github.com/hyperledger/fabric/cmd/cryptogen"
	_ "github.com/hyperledger/fabric/cmd/orderer"
	_ "github.com/hyperledger/fabric/cmd/osnadmin"
	_ "github.com/hyperledger/fabric/cmd/peer"
)
