// Package archtest holds the test that keeps the import boundaries of
// STYLE.md: zk ← chaincode/model ← chaincode/rules ← chaincode/contract ←
// chaincode/cmd, and gateway/services never reaching into chaincode/contract.
package archtest
