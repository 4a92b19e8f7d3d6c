// Package audit is the regulator's side of TierChain (DESIGN §2
// "Verifiable audit", §3 services/audit): it reads the regulator's own peer,
// opens every amount on the ledger (tokens and invoices) and reconciles it
// against its commitment and regulator handle, checks that every split
// conserves value, traces a receivable from the core to tier N, and
// produces the overdue, concentration, credit-line and invoice-reuse
// reports and a CSV export.
//
// Every amount gets a Status and none passes silently: RECONCILED (the
// regulator's HPKE envelope opens the commitment and agrees with the
// handle), ENVELOPE_MISMATCH (the envelope is missing, does not decrypt or
// disagrees; the amount was opened through the handle, C − s⁻¹·D = v·G,
// by a bounded discrete log), UNOPENABLE (the envelope is bad and the
// amount is above the discrete-log bound, 2^40 by default).
//
// The ledger is read through the chaincode's paginated queries over
// several Evaluate calls, between two reads of the peer's height: a read
// that straddled a block commit is read again (at most Config.SnapshotAttempts
// times, then ErrLedgerMoving), so every report comes from one block
// height and says which (AsOf).
//
// Opened amounts are secrets of the regulator: Amount redacts itself in
// slog, and the optional SQL cache (Cache) stores them encrypted. See
// docs/audit.md.
package audit
