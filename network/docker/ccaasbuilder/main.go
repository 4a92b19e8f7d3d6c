// Command ccaasbuilder is the peer's external builder for chaincode as a
// service, as one static binary: the same three steps as the shell scripts
// in network/builder/bin (which the native network runs), for images that
// carry no shell. The peer runs <builder>/bin/detect, bin/build and
// bin/release; the image installs this binary under those three names and
// it acts on the name it was run as.
//
//	detect  CHAINCODE_SOURCE_DIR CHAINCODE_METADATA_DIR   exit 0 for a "ccaas" package
//	build   CHAINCODE_SOURCE_DIR CHAINCODE_METADATA_DIR BUILD_OUTPUT_DIR
//	release BUILD_OUTPUT_DIR RELEASE_OUTPUT_DIR
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tierchain/tierchain/network/docker/ccaasbuilder/ccaas"
)

func main() {
	if err := ccaas.Run(filepath.Base(os.Args[0]), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
