package fabricclient

import "context"

// BeforeSubmitFunc is told a transaction's ID after it was endorsed and
// before it goes to the ordering service. An error stops the submit:
// nothing reaches the orderer.
type BeforeSubmitFunc func(ctx context.Context, txID string) error

type beforeSubmitKey struct{}

// WithBeforeSubmit returns a copy of ctx whose submits (Client.Submit,
// Client.SubmitCall) call fn with each transaction's ID once it is
// endorsed, before it is sent to the orderer; it replaces a hook ctx
// already carries. A read conflict retried inside SubmitCall is a new
// transaction with a new ID, so fn is called again: its last ID is the
// one that may commit.
//
// The hook rides on the context, like net/http/httptrace, because the
// party that must know the ID (the gateway's Idempotency-Key middleware,
// which records it with the pending key so that a retry after a crash can
// ask the ledger) is not the one that builds the call (a route handler).
func WithBeforeSubmit(ctx context.Context, fn BeforeSubmitFunc) context.Context {
	return context.WithValue(ctx, beforeSubmitKey{}, fn)
}

// BeforeSubmit calls the hook ctx carries (WithBeforeSubmit) with txID, and
// returns its error; nil when ctx carries none. Client calls it; another
// implementation of a submit (a test's fake ledger) calls it the same way,
// after its endorsement and before its ordering.
func BeforeSubmit(ctx context.Context, txID string) error {
	fn, _ := ctx.Value(beforeSubmitKey{}).(BeforeSubmitFunc)
	if fn == nil {
		return nil
	}
	return fn(ctx, txID)
}
