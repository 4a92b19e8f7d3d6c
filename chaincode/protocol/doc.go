// Package protocol defines, for each TierChain transaction that carries
// proofs, its statement: the public inputs, the one function that binds
// them into a Fiat–Shamir transcript, the verifier the chaincode runs, and
// the client-side builder that produces a complete request from openings.
// Prover and verifier share the statement code, so they cannot drift apart.
//
// Every transcript starts from a versioned label, binds the context
// (channel, chaincode, transaction kind) and every public input; each proof
// then runs on its own clone labelled with the proof's name and index.
//
// Replay: a proof is bound to its context and public inputs. For split,
// merge and transfer those include the spent input IDs, which can be spent
// once; for issue the invoice fingerprints, which back one receivable once;
// for invoice registration the fingerprint, registered once. Fabric picks a
// transaction's ID after its arguments, so proofs cannot bind it; output
// token IDs are derived from the transaction ID instead (TokenID), and
// envelopes bind the output commitment and purpose, not the token ID.
//
// The package is pure: no Fabric, no state. See docs/chaincode.md.
package protocol
