package webhook

import (
	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/coded"
)

// Error is a webhook error with the chaincode error code the gateway
// renders it with; it matches its sentinel and that model error with
// errors.Is.
type Error = coded.Error

// Errors, matched with errors.Is.
var (
	// ErrBadURL: a subscription URL that is not an absolute http(s) URL
	// with a host (and no user information).
	ErrBadURL = coded.New("webhook: URL must be http:// or https:// with a host", model.CodeInvalidArgument)
	// ErrDestination: a URL whose address deliveries may not reach (not
	// public and not in Config.AllowNetworks).
	ErrDestination = coded.New("webhook: destination not allowed", model.CodeInvalidArgument)
	// ErrBadEvent: an unknown event type in a subscription.
	ErrBadEvent = coded.New("webhook: unknown event type", model.CodeInvalidArgument)
	// ErrNotFound: no such subscription for the enterprise.
	ErrNotFound = coded.New("webhook: no such subscription", model.CodeNotFound)
	// ErrTooMany: the enterprise has MaxSubscriptions already.
	ErrTooMany = coded.New("webhook: too many subscriptions", model.CodeConflict)
)
