// Command tierchaincc runs the TierChain chaincode as a chaincode server
// (chaincode-as-a-service): the peer connects to it, not the other way round.
//
// Environment:
//
//	CHAINCODE_ID              the package ID the peer installed (required)
//	CHAINCODE_SERVER_ADDRESS  host:port to listen on (required)
//	CHAINCODE_TLS_CERT, CHAINCODE_TLS_KEY
//	                          PEM files of the server's TLS certificate and key
//	                          (both or neither: without them, no TLS)
//	CHAINCODE_TLS_CLIENT_CA   PEM file of the CAs of the peers' client
//	                          certificates: with it, mutual TLS
//	CHAINCODE_OPERATOR_MSP    MSP whose admins register the first operator
//	                          (default OperatorMSP)
//	CHAINCODE_VERIFY_MEMO     how many verified statements to remember, so
//	                          that peers endorsing one transaction through
//	                          this server verify its proofs once (default
//	                          4096; 0: verify every endorsement in full)
//	CHAINCODE_VERIFY_SLOTS    proof checks of concurrent endorsements run as
//	                          one MSM, at most this many at once (default
//	                          GOMAXPROCS; 0: each endorsement checks alone)
//	CHAINCODE_CPU_PROFILE     a directory: write the server's CPU profile
//	                          there in segments, tierchaincc-<pid>-<n>.cpu.pprof,
//	                          the next one begun on SIGUSR1, the last one
//	                          closed on SIGTERM (off by default; tierload
//	                          -start -profile DIR sets it and cuts a segment
//	                          around each run)
package main

import (
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"

	"github.com/hyperledger/fabric-chaincode-go/v2/shim"
	"github.com/tierchain/tierchain/chaincode/contract"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

func main() {
	if err := run(); err != nil {
		slog.Error("chaincode server stopped", "err", err)
		os.Exit(1)
	}
}

func run() error {
	id := os.Getenv("CHAINCODE_ID")
	addr := os.Getenv("CHAINCODE_SERVER_ADDRESS")
	if id == "" || addr == "" {
		return fmt.Errorf("CHAINCODE_ID and CHAINCODE_SERVER_ADDRESS must be set")
	}
	memo, err := verifyMemo(os.Getenv("CHAINCODE_VERIFY_MEMO"))
	if err != nil {
		return err
	}
	if err := startCPUProfile(os.Getenv("CHAINCODE_CPU_PROFILE")); err != nil {
		return err
	}
	slots, err := verifySlots(os.Getenv("CHAINCODE_VERIFY_SLOTS"))
	if err != nil {
		return err
	}
	cc, err := contract.New(contract.Config{OperatorMSP: os.Getenv("CHAINCODE_OPERATOR_MSP"), VerifyMemo: memo, VerifySlots: slots})
	if err != nil {
		return fmt.Errorf("build chaincode: %w", err)
	}
	tlsProps, err := tlsProperties()
	if err != nil {
		return err
	}
	server := &shim.ChaincodeServer{CCID: id, Address: addr, CC: cc, TLSProps: tlsProps}
	slog.Info("chaincode server listening", "address", addr, "ccid", id, "tls", !tlsProps.Disabled)
	return server.Start()
}

// verifyMemo parses CHAINCODE_VERIFY_MEMO (empty: the default).
func verifyMemo(v string) (int, error) {
	if v == "" {
		return protocol.DefaultVerifyMemo, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1<<20 {
		return 0, fmt.Errorf("CHAINCODE_VERIFY_MEMO must be a whole number from 0 to %d, not %q", 1<<20, v)
	}
	return n, nil
}

// verifySlots parses CHAINCODE_VERIFY_SLOTS (empty: GOMAXPROCS).
func verifySlots(v string) (int, error) {
	if v == "" {
		return runtime.GOMAXPROCS(0), nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 1024 {
		return 0, fmt.Errorf("CHAINCODE_VERIFY_SLOTS must be a whole number from 0 to 1024, not %q", v)
	}
	return n, nil
}

func tlsProperties() (shim.TLSProperties, error) {
	certFile, keyFile, caFile := os.Getenv("CHAINCODE_TLS_CERT"), os.Getenv("CHAINCODE_TLS_KEY"), os.Getenv("CHAINCODE_TLS_CLIENT_CA")
	if certFile == "" && keyFile == "" && caFile == "" {
		return shim.TLSProperties{Disabled: true}, nil
	}
	if certFile == "" || keyFile == "" {
		return shim.TLSProperties{}, fmt.Errorf("CHAINCODE_TLS_CERT and CHAINCODE_TLS_KEY go together (and CHAINCODE_TLS_CLIENT_CA needs both)")
	}
	cert, err := os.ReadFile(certFile)
	if err != nil {
		return shim.TLSProperties{}, err
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return shim.TLSProperties{}, err
	}
	props := shim.TLSProperties{Key: key, Cert: cert}
	if caFile != "" {
		if props.ClientCACerts, err = os.ReadFile(caFile); err != nil {
			return shim.TLSProperties{}, err
		}
	}
	return props, nil
}
