// Package idempotency keeps the gateway's writes safe to retry: the
// Idempotency-Key store (a response kept per principal and key, replayed
// to a retry), the recovery of writes whose outcome was lost (a pending
// key keeps its submitted transaction, and a retry settles it through the
// ledger: Resolve, then resume, rerun or wait), and the runs whose
// heartbeats tell a crashed gateway's keys from a live one's.
//
// The gateway's middleware (gateway.Routes attaches it to every write)
// binds it to HTTP: it hashes the request (RequestHash), claims the key
// (Store.Begin), settles a lost transaction, marks a resumed request
// (WithResumed) so that every handler's Submit returns the committed
// result instead of submitting again, and stores, releases or holds the
// key by the outcome. The tables are the gateway's (gateway.MigrateDB).
package idempotency
