// Package faults holds the platform's fault and abuse tests: a load of
// REST writes while a peer, the chaincode server, the gateway and an
// indexer are killed and restarted; concurrent spends of one token;
// replayed proofs; and a robustness run of every write route with
// malformed, oversized and mistyped requests. docs/faults.md reports what
// they show. The package has no code of its own.
package faults
