package fabricclient

import (
	"context"
	"errors"
	"regexp"
	"strings"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"github.com/tierchain/tierchain/chaincode/model"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Sentinels for errors.Is. Every error a Client returns for a failed call
// matches at most one of these, or is a *ChaincodeError or a
// *NotCommittedError; the original fabric-gateway error stays in the chain
// (errors.As(err, new(*client.EndorseError)) still works) for logs.
var (
	// ErrUnavailable: the peer or the orderer could not be reached, or the
	// network cannot serve the call right now (no endorsing peers, the
	// chaincode not running). Retry later.
	ErrUnavailable = errors.New("ledger unavailable")
	// ErrTimeout: the call ran out of time. For a Submit the transaction
	// may still commit; only an idempotent retry is safe.
	ErrTimeout = errors.New("ledger call timed out")
	// ErrMVCCConflict: the transaction was ordered but invalidated because
	// a concurrent transaction changed what it read. Re-endorsing it (a new
	// Submit) is safe and usually succeeds.
	ErrMVCCConflict = errors.New("ledger MVCC read conflict")
	// ErrForbidden: the ordering service refused the transaction because
	// this identity may not write to the channel (the regulator's case).
	ErrForbidden = errors.New("ledger refused the transaction for this identity")
	// ErrRejected: endorsement or ordering failed for a reason that is
	// neither a typed chaincode error nor one of the above.
	ErrRejected = errors.New("ledger rejected the call")
	// ErrUnknownOutcome: the transaction went to the ordering service but
	// its answer or commit status was lost (the peer went away while the
	// client waited). It may have committed: only an idempotent retry, or
	// reading the ledger, settles it.
	ErrUnknownOutcome = errors.New("ledger outcome unknown: the transaction was submitted and may have committed")
)

// Error is a failed call: which operation, which transaction, the class of
// failure (one of the sentinels) and the fabric-gateway error beneath.
type Error struct {
	Op    string // "submit baseline:Mint"
	TxID  string
	Kind  error // a sentinel above
	Cause error
}

func (e *Error) Error() string {
	s := "fabricclient: " + e.Op + ": " + e.Kind.Error()
	if e.TxID != "" {
		s += " (tx " + e.TxID + ")"
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap exposes both the class and the cause to errors.Is and errors.As.
func (e *Error) Unwrap() []error { return []error{e.Kind, e.Cause} }

// ChaincodeError is an error the chaincode itself returned, recovered from
// the peers' endorsement details ("chaincode response 500, CODE: message").
// Code is one of chaincode/model's codes (NOT_FOUND, CONFLICT, …) or empty
// when the chaincode (or contractapi, e.g. for an unknown function) failed
// with an untyped message. Message is written for clients by the chaincode
// when Code is set; an untyped Message may describe internals.
type ChaincodeError struct {
	Op      string
	TxID    string
	Code    string
	Message string
	Cause   error
}

func (e *ChaincodeError) Error() string {
	code := e.Code
	if code == "" {
		code = "untyped chaincode error"
	}
	return "fabricclient: " + e.Op + ": " + code + ": " + e.Message
}

func (e *ChaincodeError) Unwrap() error { return e.Cause }

// Typed reports whether the chaincode gave one of its stable codes.
func (e *ChaincodeError) Typed() bool { return e.Code != "" }

// NotCommittedError is a transaction that was ordered into a block but
// marked invalid by the committing peers, with Fabric's validation code.
// It matches ErrMVCCConflict for MVCC_READ_CONFLICT and PHANTOM_READ_CONFLICT.
type NotCommittedError struct {
	TxID        string
	BlockNumber uint64
	Code        peer.TxValidationCode
}

func (e *NotCommittedError) Error() string {
	return "fabricclient: transaction " + e.TxID + " not committed: " + e.Code.String()
}

// Is makes errors.Is(err, ErrMVCCConflict) hold for read conflicts.
func (e *NotCommittedError) Is(target error) bool {
	return target == ErrMVCCConflict &&
		(e.Code == peer.TxValidationCode_MVCC_READ_CONFLICT || e.Code == peer.TxValidationCode_PHANTOM_READ_CONFLICT)
}

// Retryable reports whether repeating the same call (a fresh Submit, a new
// transaction ID) is safe and may succeed: MVCC conflicts, an unreachable
// ledger (ErrUnavailable is only ever "nothing was ordered"), and a query
// that timed out (a write whose preparatory read ran out of time wrote
// nothing).
func Retryable(err error) bool {
	if errors.Is(err, ErrMVCCConflict) || errors.Is(err, ErrUnavailable) {
		return true
	}
	var e *Error
	return errors.As(err, &e) && e.Kind == ErrTimeout && strings.HasPrefix(e.Op, "evaluate ")
}

// mapError turns a fabric-gateway (or gRPC, or context) error into the
// package's typed errors. ctx is the caller's context: when it is done, its
// own error decides (the caller's deadline is a timeout, its cancellation a
// cancellation), whatever the phase reported.
func mapError(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var (
		ce    *client.CommitError
		ee    *client.EndorseError
		se    *client.SubmitError
		cse   *client.CommitStatusError
		txErr *client.TransactionError
	)
	txID := ""
	if errors.As(err, &txErr) {
		txID = txErr.TransactionID
	}
	wrap := func(kind error) error { return &Error{Op: op, TxID: txID, Kind: kind, Cause: err} }

	if errors.As(err, &ce) {
		return &NotCommittedError{TxID: ce.TransactionID, Code: ce.Code}
	}
	if ctx != nil && ctx.Err() != nil {
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return wrap(ErrTimeout)
		}
		return &Error{Op: op, TxID: txID, Kind: context.Canceled, Cause: err}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return wrap(ErrTimeout)
	}
	if errors.Is(err, context.Canceled) {
		return &Error{Op: op, TxID: txID, Kind: context.Canceled, Cause: err}
	}

	st, ok := status.FromError(err)
	if !ok {
		return wrap(ErrRejected)
	}
	// After the endorsement the transaction may be on its way to a block:
	// losing the peer then is not "unavailable, nothing happened".
	submitted := errors.As(err, &cse) || errors.As(err, &se)
	if submitted {
		switch {
		case st.Code() == codes.DeadlineExceeded:
			return wrap(ErrTimeout)
		case st.Code() == codes.Canceled:
			return &Error{Op: op, TxID: txID, Kind: context.Canceled, Cause: err}
		case errors.As(err, &cse):
			return wrap(ErrUnknownOutcome)
		case st.Code() == codes.Unavailable && !neverConnected(st):
			return wrap(ErrUnknownOutcome)
		}
	}
	if !submitted && unreachableChaincode(messages(st)) {
		// The peer could not reach the chaincode server: nothing was
		// endorsed, the network is not ready.
		return wrap(ErrUnavailable)
	}
	switch st.Code() {
	case codes.DeadlineExceeded:
		return wrap(ErrTimeout)
	case codes.Unavailable, codes.FailedPrecondition, codes.ResourceExhausted:
		// FailedPrecondition is the peer gateway's "no peers can endorse",
		// "chaincode not found on channel": the network is not ready.
		return wrap(ErrUnavailable)
	case codes.Canceled:
		return &Error{Op: op, TxID: txID, Kind: context.Canceled, Cause: err}
	case codes.PermissionDenied:
		return wrap(ErrForbidden)
	}

	switch {
	case errors.As(err, &se):
		// The orderer answered with a status: FORBIDDEN when the channel's
		// Writers policy does not hold the identity.
		if mentionsForbidden(messages(st)) {
			return wrap(ErrForbidden)
		}
		return wrap(ErrRejected)
	case errors.As(err, &ee):
		return chaincodeError(op, txID, st, err)
	default:
		// Evaluate returns a bare gRPC status: a chaincode failure comes
		// as Unknown/Aborted with the peer's message.
		return chaincodeError(op, txID, st, err)
	}
}

// neverConnected: the client could not open a connection to its peer, so
// the call (the submit) never left this process.
func neverConnected(st *status.Status) bool {
	m := st.Message()
	return strings.Contains(m, "connection refused") || strings.Contains(m, "no such host") ||
		strings.Contains(m, "connection error: desc = \"transport: Error while dialing")
}

// unreachableChaincode: the peer's message says it could not reach or
// launch the chaincode (the chaincode server is down or restarting).
func unreachableChaincode(msgs []string) bool {
	for _, m := range msgs {
		for _, s := range []string{"could not launch chaincode", "chaincode registration failed",
			"error starting container", "failed to start chaincode", "timeout expired while starting chaincode"} {
			if strings.Contains(m, s) {
				return true
			}
		}
	}
	return false
}

func mentionsForbidden(msgs []string) bool {
	for _, m := range msgs {
		if strings.Contains(m, "FORBIDDEN") {
			return true
		}
	}
	return false
}

// messages lists the peers' detail messages first (they carry the
// chaincode's own text), then the status message.
func messages(st *status.Status) []string {
	var out []string
	for _, d := range st.Details() {
		if ed, ok := d.(interface{ GetMessage() string }); ok && ed.GetMessage() != "" {
			out = append(out, ed.GetMessage())
		}
	}
	return append(out, st.Message())
}

func chaincodeError(op, txID string, st *status.Status, cause error) error {
	msgs := messages(st)
	for _, m := range msgs {
		if code, msg, ok := ParseChaincodeMessage(m); ok {
			return &ChaincodeError{Op: op, TxID: txID, Code: code, Message: msg, Cause: cause}
		}
	}
	// Untyped: the first detail (the chaincode's text) is the most useful.
	return &ChaincodeError{Op: op, TxID: txID, Message: stripPeerPrefix(msgs[0]), Cause: cause}
}

// leadingCode is a code the chaincode may add after this package was
// built: an upper-case word followed by ": " at the start of the message.
var leadingCode = regexp.MustCompile(`^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*): (.*)$`)

// ParseChaincodeMessage recovers "CODE: message" from a message as peers
// and the gateway wrap it ("chaincode response 500, NOT_FOUND: token t1",
// "evaluate call to endorser returned error: …"). It knows chaincode/model's
// codes anywhere in the message and, tolerantly, any other upper-case code
// at the start of the chaincode's text.
func ParseChaincodeMessage(msg string) (code, message string, ok bool) {
	if e := model.ParseError(msg); e != nil {
		return string(e.Code), e.Message, true
	}
	if m := leadingCode.FindStringSubmatch(stripPeerPrefix(msg)); m != nil {
		return m[1], strings.TrimSpace(m[2]), true
	}
	return "", "", false
}

// peerPrefix matches the wrapping the peer and its gateway put around the
// chaincode's message.
var peerPrefix = regexp.MustCompile(`^(?:.*?returned error: )?(?:chaincode response \d+, )?`)

func stripPeerPrefix(msg string) string {
	return strings.TrimSpace(peerPrefix.ReplaceAllString(strings.TrimSpace(msg), ""))
}
