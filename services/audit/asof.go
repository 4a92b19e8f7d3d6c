package audit

import (
	"context"
	"errors"
	"fmt"
)

// AsOf is the ledger position a report was read at: the last block the
// regulator's peer had committed, and that block's last transaction. Every
// query behind the report saw the state of exactly this block.
type AsOf struct {
	Block uint64 `json:"block"`
	TxID  string `json:"txId"`
}

// ErrLedgerMoving: blocks kept committing while a report's queries ran,
// Config.SnapshotAttempts times in a row, so no attempt read one block height; the
// report is refused rather than mixed from two heights. Retry later (the
// gateway answers 503 UNAVAILABLE with Retry-After).
var ErrLedgerMoving = errors.New("audit: the ledger moved during every attempt to read one snapshot")

// DefaultSnapshotAttempts bounds the reads of one report unless
// Config.SnapshotAttempts says otherwise: a report whose queries straddle
// a block commit is read again, at most this many times in all.
const DefaultSnapshotAttempts = 5

// height reads the peer's height.
func (r reader) height(ctx context.Context) (AsOf, error) {
	b, tx, err := r.l.ChainHeight(ctx)
	if err != nil {
		return AsOf{}, fmt.Errorf("audit: chain height: %w", err)
	}
	return AsOf{Block: b, TxID: tx}, nil
}

// atOneHeight runs read, whose queries go to the regulator's peer, between
// two reads of the peer's height, and returns the height when both agree:
// then no block committed while read ran, and every query saw that
// block's state. When a block committed in between, read runs again, up
// to s.attempts times in all; then ErrLedgerMoving. read's result from an
// attempt that straddled a commit is dropped.
func (s *Service) atOneHeight(ctx context.Context, read func(ctx context.Context) error) (AsOf, error) {
	for attempt := 1; ; attempt++ {
		before, err := s.r.height(ctx)
		if err != nil {
			return AsOf{}, err
		}
		if err := read(ctx); err != nil {
			return AsOf{}, err
		}
		after, err := s.r.height(ctx)
		if err != nil {
			return AsOf{}, err
		}
		if after == before {
			return before, nil
		}
		s.log.InfoContext(ctx, "audit: a block committed during the report's queries; reading again",
			"from", before.Block, "to", after.Block, "attempt", attempt)
		if attempt >= s.attempts {
			return AsOf{}, fmt.Errorf("%w (%d attempts, last from block %d to %d)", ErrLedgerMoving, attempt, before.Block, after.Block)
		}
	}
}
