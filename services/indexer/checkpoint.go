package indexer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tierchain/tierchain/services/ledgerstream"
)

// Checkpoint is the position of the read model in the event stream: the
// block and transaction ID of the last event applied (and, when a
// ledgerstream.Stream feeds consumers too, delivered to them). The zero
// Checkpoint means nothing has been applied yet.
type Checkpoint = ledgerstream.Checkpoint

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Checkpoint returns the persisted position: what the read model reflects.
func (ix *Indexer) Checkpoint(ctx context.Context) (Checkpoint, error) {
	return ix.loadCheckpoint(ctx, ix.db.SQL)
}

func (ix *Indexer) loadCheckpoint(ctx context.Context, q querier) (Checkpoint, error) {
	var cp Checkpoint
	err := q.QueryRowContext(ctx, ix.db.Rebind(
		`SELECT block_number, tx_id FROM indexer_checkpoints WHERE name = ?`), ix.opts.Name).Scan(&cp.Block, &cp.TxID)
	if errors.Is(err, sql.ErrNoRows) {
		return Checkpoint{}, nil
	}
	if err != nil {
		return Checkpoint{}, fmt.Errorf("indexer: load checkpoint: %w", err)
	}
	return cp, nil
}

// SaveCheckpoint moves the checkpoint to cp in a transaction of its own
// (ledgerstream.ReadModel: after the stream's consumers have the events up
// to cp), never backwards across blocks.
func (ix *Indexer) SaveCheckpoint(ctx context.Context, cp Checkpoint) error {
	return ix.db.InTx(ctx, func(tx *sql.Tx) error { return ix.saveCheckpoint(ctx, tx, cp) })
}

// saveCheckpoint moves the checkpoint to cp inside tx, never backwards
// across blocks (a source
// that repeats old events must not make the next run repeat them too).
func (ix *Indexer) saveCheckpoint(ctx context.Context, tx *sql.Tx, cp Checkpoint) error {
	cur, err := ix.loadCheckpoint(ctx, tx)
	if err != nil {
		return err
	}
	if !cur.IsZero() && cp.Block < cur.Block {
		return nil
	}
	now := time.Now().UnixMicro()
	if cur.IsZero() {
		_, err = ix.db.Exec(ctx, tx,
			`INSERT INTO indexer_checkpoints (name, block_number, tx_id, updated_at) VALUES (?, ?, ?, ?)`,
			ix.opts.Name, cp.Block, cp.TxID, now)
	} else {
		_, err = ix.db.Exec(ctx, tx,
			`UPDATE indexer_checkpoints SET block_number = ?, tx_id = ?, updated_at = ? WHERE name = ?`,
			cp.Block, cp.TxID, now, ix.opts.Name)
	}
	if err != nil {
		return fmt.Errorf("indexer: save checkpoint: %w", err)
	}
	return nil
}

// Lag is how many blocks the read model is behind head, the number of a
// block the caller knows to be committed (for instance the block of its
// own latest write): 0 when the checkpoint is at or past it. Blocks that
// carry no TierChain event do not move the checkpoint, so head should be
// a block that does; otherwise Lag overstates by the blocks in between.
func (ix *Indexer) Lag(ctx context.Context, head uint64) (uint64, error) {
	cp, err := ix.Checkpoint(ctx)
	if err != nil {
		return 0, err
	}
	if head <= cp.Block {
		return 0, nil
	}
	return head - cp.Block, nil
}

// ErrNotFollowing is Ready's answer while no event stream is open (Run not
// started, or between a broken stream and its reconnection).
var ErrNotFollowing = ledgerstream.ErrNotFollowing

// Ready is a readiness check (the gateway's Deps.ReadyChecks): the read
// model's database answers and Run has a stream open.
func (ix *Indexer) Ready(ctx context.Context) error {
	if _, err := ix.Checkpoint(ctx); err != nil {
		return err
	}
	if !ix.Connected() {
		return ErrNotFollowing
	}
	return nil
}

// Applied reports whether the read model reflects transaction txID (a
// TierChain transaction applied, or rejected as malformed): the gateway's
// read-your-writes check after a Submit.
func (ix *Indexer) Applied(ctx context.Context, txID string) (bool, error) {
	var n int
	err := ix.db.QueryRow(ctx, nil, `SELECT COUNT(*) FROM indexer_events WHERE tx_id = ?`, txID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("indexer: applied: %w", err)
	}
	return n > 0, nil
}
