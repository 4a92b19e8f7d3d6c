// Package webhook notifies banks' (and holders') own systems of what the
// ledger says about their financings: a financing or quotes requested, a
// quote accepted or lapsed, a financed piece's maturity due, a default, a
// repayment.
//
// Every notification goes first into an outbox table (services/store,
// SQLite or PostgreSQL) in the same call that learns of it, and is deleted
// from the due list only once the receiver answered 2xx: a receiver that
// is down loses nothing; Deliver retries with exponential backoff (capped,
// never giving up). Each delivery is a JSON POST signed with HMAC-SHA256
// over the timestamp and the body under the subscription's secret
// (Sign, Verify; docs/api.md, "Webhooks"). Subscription URLs are http or
// https only.
//
// Wiring (the gateway): HandleEvent for each chaincode event the gateway
// receives, MaturityDue from a periodic sweep of the banks' holdings, and
// Run in its own goroutine.
package webhook
