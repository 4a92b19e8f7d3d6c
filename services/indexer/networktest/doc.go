// Package networktest runs the indexer against a real Fabric network
// (internal/fabnet): TierChain transactions with real proofs, endorsed and
// committed, followed into the read model, and a restart that resumes
// from the checkpoint. One network per test binary, kept out of package
// indexer so its unit tests stay fast.
package networktest
