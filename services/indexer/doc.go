// Package indexer keeps a SQL read model of the TierChain ledger: it follows
// the chaincode's "tierchain.v1" events (one model.Event per transaction)
// and writes enterprises, invoices, credit lines, tokens, financing requests
// and an events log, for the lists, filters, pagination and statistics the
// gateway serves without touching the peers.
//
// Each batch of events is applied in one SQL transaction together with the
// checkpoint (the block and transaction ID of the last event applied), so a
// restart resumes from exactly where the read model stands: no gap, no
// duplicate. The events log holds one row per transaction ID, which makes
// re-applying an event a no-op even when the stream repeats itself.
//
// Events carry only what changed. The full record (a token's tier, parents,
// maturity and envelopes, an invoice's due date, …) is read from the ledger
// with Evaluate before the SQL transaction (all the tokens of a batch with
// GetTokens, 64 to an evaluation) and kept as JSON beside the columns, for
// the regulator's audit and the wallet.
//
// A payload that is not a valid version-1 event is never applied in part and
// never stops the indexer: it is recorded in the events log as rejected
// (with the reason and the raw payload), logged, and passed. A ledger or
// database failure, in contrast, stops the batch before anything is
// committed; Run reconnects from the checkpoint and tries again.
//
// See docs/indexer.md for the schema and the guarantees.
package indexer
