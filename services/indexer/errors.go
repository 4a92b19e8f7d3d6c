package indexer

import (
	"errors"
	"fmt"
)

// ErrMalformedEvent matches every *MalformedEventError.
var ErrMalformedEvent = errors.New("indexer: malformed event")

// ErrBadCursor is a pagination cursor that no listing of this package made.
var ErrBadCursor = errors.New("indexer: bad cursor")

// ErrNotFound is a record the read model does not hold.
var ErrNotFound = errors.New("indexer: not found")

// MalformedEventError is a "tierchain.v1" chaincode event whose payload is
// not a valid version-1 model.Event: undecodable, of another version, for
// another transaction, or with a change that names no record or an unknown
// status. The indexer records it in the events log (outcome "rejected")
// and moves on; it never applies such an event in part.
type MalformedEventError struct {
	BlockNumber uint64
	TxID        string
	Reason      string
}

func (e *MalformedEventError) Error() string {
	return fmt.Sprintf("indexer: malformed event in tx %s (block %d): %s", e.TxID, e.BlockNumber, e.Reason)
}

// Is makes errors.Is(err, ErrMalformedEvent) hold.
func (e *MalformedEventError) Is(target error) bool { return target == ErrMalformedEvent }
