// Package e2e runs the receivable story end to end on a real Fabric
// network: real identities from cryptogen, the chaincode as a service,
// proofs built by chaincode/protocol on the client side and verified by the
// endorsing peers' chaincode. It has tests only.
package e2e
