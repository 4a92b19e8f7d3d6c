// Package archtest holds the test that keeps the import boundaries of
// STYLE.md: zk ← chaincode/model ← chaincode/rules ← chaincode/contract ←
// chaincode/cmd, and gateway/services never reaching into chaincode/contract;
// and that no binary links a test helper (binaries_test.go).
package archtest
