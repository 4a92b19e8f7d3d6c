package problem

// Stable problem codes. The chaincode's own codes (chaincode/model.Code) pass
// through unchanged, so a client sees the same word the contract used.
const (
	CodeInvalidArgument      = "INVALID_ARGUMENT"       // 400: malformed body, header, query or path value
	CodeUnauthenticated      = "UNAUTHENTICATED"        // 401: no or unknown credentials
	CodeUnauthorized         = "UNAUTHORIZED"           // 403: the ledger does not know the caller as an active enterprise
	CodeForbidden            = "FORBIDDEN"              // 403: authenticated, but not allowed
	CodeNotHosted            = "NOT_HOSTED"             // 403: the enterprise, organisation or service is not hosted by this gateway
	CodeReadOnly             = "READ_ONLY"              // 403: this gateway (the regulator's) writes nothing
	CodeBadSignature         = "BAD_SIGNATURE"          // 403: a relayed proposal or transaction is not signed by the enterprise's registered certificate
	CodeNotFound             = "NOT_FOUND"              // 404
	CodeMethodNotAllowed     = "METHOD_NOT_ALLOWED"     // 405
	CodeConflict             = "CONFLICT"               // 409: the record exists or was already spent
	CodeInvalidState         = "INVALID_STATE"          // 409: the record's state forbids this
	CodeInvoiceMismatch      = "INVOICE_MISMATCH"       // 409: the buyer's copy of an invoice is not the invoice as filed
	CodeHeldForReview        = "HELD_FOR_REVIEW"        // 409: a near-duplicate invoice waits for the buyer's recorded review
	CodeLedgerConflict       = "LEDGER_CONFLICT"        // 409: a concurrent transaction read the same keys (retry)
	CodeSelfCustody          = "SELF_CUSTODY"           // 409: the enterprise holds its own keys: this gateway only relays what it signs
	CodeReplayed             = "REPLAYED"               // 409: this signed proposal or transaction was relayed before
	CodeIdempotencyInFlight  = "IDEMPOTENCY_IN_FLIGHT"  // 409: the same Idempotency-Key is being processed
	CodePayloadTooLarge      = "PAYLOAD_TOO_LARGE"      // 413
	CodeUnsupportedMedia     = "UNSUPPORTED_MEDIA_TYPE" // 415
	CodeIdempotencyKeyReused = "IDEMPOTENCY_KEY_REUSED" // 422: the Idempotency-Key was used with another request
	CodeInvalidProof         = "INVALID_PROOF"          // 422: a proof does not verify
	CodeRateLimited          = "RATE_LIMITED"           // 429: the caller exceeded a route's rate
	CodeInternal             = "INTERNAL"               // 500
	CodeLedgerRejected       = "LEDGER_REJECTED"        // 502: endorsement or ordering failed for no reason the client can fix
	CodeNotCommitted         = "NOT_COMMITTED"          // 502: the transaction was ordered but invalidated
	CodeUnavailable          = "UNAVAILABLE"            // 503: a dependency (ledger, database) is unreachable
	CodeTimeout              = "TIMEOUT"                // 504: the request ran out of time
	CodeOutcomeUnknown       = "OUTCOME_UNKNOWN"        // 504: a write reached the ordering service, its answer was lost
)
