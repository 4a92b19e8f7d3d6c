// Package rules is the TierChain chaincode's logic: the state machine of
// enterprises, invoices, credit lines and tokens, access control and proof
// verification, over the small State interface. It imports no Fabric
// package, so it is tested fast with an in-memory State (package
// rulestest); package contract adapts it to fabric-contract-api-go.
//
// Every write follows one shape: begin (transaction time, ID, context),
// authorize (caller → registered, ACTIVE enterprise with an allowed role;
// regulators never write), load and check everything, verify proofs, and
// only then buffer the writes and one event, flushed by commit. A failing
// transaction therefore writes nothing.
//
// Determinism: the transaction timestamp is the only clock, there is no
// randomness, no iteration over maps, and amounts are checked integers.
package rules
