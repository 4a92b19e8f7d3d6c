// Package ledgerstream is the one reader of an organisation's chaincode
// event stream. A Stream follows fabricclient.ChaincodeEvents from one
// checkpoint and hands each batch of events first to the read model
// (services/indexer), then, once the read model has committed them, to the
// consumers (the gateway's server-sent events, wallet receipts, the webhook
// outbox), one TierChain event at a time in block order, and only then
// moves the checkpoint past them. Every reader of the chain therefore
// stands at one height: a consumer never hears of a transaction the read
// model does not have yet, and a restart resumes every stage from the same
// position.
//
// Guarantees. The read model applies each transaction once: it keeps the
// checkpoint and an events log keyed by transaction ID, and re-applying a
// logged transaction is a no-op. Consumers get every TierChain event the
// read model holds at least once, in block order (a malformed event, which
// the read model records as rejected, reaches none): a crash after the
// read model's commit and before the checkpoint moves makes the next run
// deliver that batch again (never more than the batch), so a consumer that
// must not act twice keys on the event's transaction ID (model.Event.TxID).
// A consumer's error holds the stream until a retry succeeds.
package ledgerstream

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
)

// Source is where chaincode events come from; *fabricclient.Client is one.
type Source interface {
	ChaincodeEvents(ctx context.Context, opts ...fabricclient.EventsOption) (<-chan fabricclient.Event, error)
}

var _ Source = (*fabricclient.Client)(nil)

// Checkpoint is a position in the event stream: the block and transaction
// ID of the last event taken care of. It is a fabricclient.Checkpoint, so
// the stream resumes right after it. The zero Checkpoint means nothing has
// been taken care of yet.
type Checkpoint struct {
	Block uint64
	TxID  string
}

var _ fabricclient.Checkpoint = Checkpoint{}

// BlockNumber is the block of the last event taken care of.
func (c Checkpoint) BlockNumber() uint64 { return c.Block }

// TransactionID is the transaction of the last event taken care of.
func (c Checkpoint) TransactionID() string { return c.TxID }

// IsZero reports whether nothing has been taken care of yet.
func (c Checkpoint) IsZero() bool { return c.Block == 0 && c.TxID == "" }

// ReadModel is the stream's first stage, and the keeper of its one
// checkpoint; *indexer.Indexer is one.
type ReadModel interface {
	// Checkpoint is the persisted position the stream resumes from.
	Checkpoint(ctx context.Context) (Checkpoint, error)
	// ApplyEvents writes the batch into the read model in one transaction,
	// skipping the transactions it already holds; with advance, the same
	// transaction moves the checkpoint to the batch's last event. It
	// returns the batch's TierChain events the read model holds now (the
	// ones it held before included; malformed ones left out), in block
	// order: what the consumers get. An error leaves the read model as it
	// was.
	ApplyEvents(ctx context.Context, batch []fabricclient.Event, advance bool) ([]model.Event, error)
	// SaveCheckpoint moves the checkpoint to cp (never back across blocks).
	SaveCheckpoint(ctx context.Context, cp Checkpoint) error
}

// Following is implemented by a read model that wants to know whether a
// stream feeds it right now (the indexer's readiness check).
type Following interface {
	SetFollowing(on bool)
}

// Consumer receives a TierChain event after the read model has it, before
// the checkpoint moves past it. It must return promptly (the stream waits)
// and tolerate an event delivered again. An error holds the stream as a
// read-model failure does: the checkpoint stays, and after a pause the
// batch is delivered again, to every consumer; so a consumer returns one
// only for what a retry can mend (its database), never for a bad event.
type Consumer func(ctx context.Context, e model.Event) error

// Notify adapts a consumer that cannot fail (a publish to memory, a queue
// that drops when full).
func Notify(f func(ctx context.Context, e model.Event)) Consumer {
	return func(ctx context.Context, e model.Event) error {
		f(ctx, e)
		return nil
	}
}

// Stream follows the chain into its read model, then its consumers.
type Stream struct {
	Source    Source
	Model     ReadModel
	Consumers []Consumer
	Logger    *slog.Logger // slog.Default() when nil
	// StartBlock is where a first run (no checkpoint yet) starts: 0, the
	// genesis block, so the read model holds the whole history.
	StartBlock uint64
	// Backoff is the first pause before reconnecting a broken stream (1s);
	// it doubles while the stream keeps failing without progress, up to
	// MaxBackoff (30s).
	Backoff, MaxBackoff time.Duration
	// MaxBatch bounds the events applied in one read-model transaction
	// (64). The stream batches only what the peer has ready, so a live
	// stream takes each event at once and a catch-up amortises commits.
	MaxBatch int

	following atomic.Bool
}

// ErrNotFollowing is Ready's answer while no event stream is open (Run not
// started, or between a broken stream and its reconnection).
var ErrNotFollowing = errors.New("ledgerstream: not following the ledger")

var errStreamEnded = errors.New("ledgerstream: event stream ended")

// Following reports whether Run has an event stream open right now.
func (s *Stream) Following() bool { return s.following.Load() }

// Ready is a readiness check: the checkpoint can be read and Run has a
// stream open.
func (s *Stream) Ready(ctx context.Context) error {
	if _, err := s.Model.Checkpoint(ctx); err != nil {
		return err
	}
	if !s.Following() {
		return ErrNotFollowing
	}
	return nil
}

// Height is the one height every stage has reached: the checkpoint.
func (s *Stream) Height(ctx context.Context) (Checkpoint, error) {
	return s.Model.Checkpoint(ctx)
}

func (s *Stream) defaults() {
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	if s.Backoff <= 0 {
		s.Backoff = time.Second
	}
	if s.MaxBackoff < s.Backoff {
		s.MaxBackoff = max(30*time.Second, s.Backoff)
	}
	if s.MaxBatch <= 0 {
		s.MaxBatch = 64
	}
}

// Run follows the chaincode's events from the checkpoint until ctx ends,
// and returns ctx's error. Whenever the stream breaks, or a batch cannot
// be applied (ledger or database unavailable), it pauses and reconnects
// from the checkpoint, so nothing is skipped. Run one Run per checkpoint
// at a time.
func (s *Stream) Run(ctx context.Context) error {
	s.defaults()
	pause := s.Backoff
	for {
		progressed, err := s.follow(ctx)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if progressed {
			pause = s.Backoff
		}
		s.Logger.Warn("ledger stream interrupted; resuming from the checkpoint", "error", err, "retry_in", pause)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, s.MaxBackoff)
	}
}

func (s *Stream) setFollowing(on bool) {
	s.following.Store(on)
	if f, ok := s.Model.(Following); ok {
		f.SetFollowing(on)
	}
}

// follow opens one stream at the checkpoint and takes it batch by batch
// until it ends or a batch fails.
func (s *Stream) follow(ctx context.Context) (progressed bool, err error) {
	cp, err := s.Model.Checkpoint(ctx)
	if err != nil {
		return false, err
	}
	start := fabricclient.FromBlock(s.StartBlock)
	if !cp.IsZero() {
		start = fabricclient.FromCheckpoint(cp)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := s.Source.ChaincodeEvents(ctx, start)
	if err != nil {
		return false, err
	}
	s.setFollowing(true)
	defer s.setFollowing(false)
	batch := make([]fabricclient.Event, 0, s.MaxBatch)
	for ev := range events {
		batch = append(batch[:0], ev)
	drain: // take what the stream already has, without waiting for more
		for len(batch) < s.MaxBatch {
			select {
			case ev, ok := <-events:
				if !ok {
					break drain
				}
				batch = append(batch, ev)
			default:
				break drain
			}
		}
		if err := s.take(ctx, batch); err != nil {
			return progressed, err
		}
		progressed = true
	}
	return progressed, errStreamEnded
}

// take applies one batch to the read model, delivers its TierChain events
// to the consumers and moves the checkpoint past it. Without consumers the
// read model moves the checkpoint in its own transaction.
func (s *Stream) take(ctx context.Context, batch []fabricclient.Event) error {
	if len(s.Consumers) == 0 {
		_, err := s.Model.ApplyEvents(ctx, batch, true)
		return err
	}
	events, err := s.Model.ApplyEvents(ctx, batch, false)
	if err != nil {
		return err
	}
	for _, e := range events {
		if ctx.Err() != nil {
			break
		}
		for _, c := range s.Consumers {
			if err := c(ctx, e); err != nil {
				return fmt.Errorf("ledgerstream: a consumer of tx %s: %w", e.TxID, err)
			}
		}
	}
	// A consumer interrupted by ctx may not have finished: then the
	// checkpoint stays, and the next run delivers the batch again.
	if err := ctx.Err(); err != nil {
		return err
	}
	last := batch[len(batch)-1]
	return s.Model.SaveCheckpoint(ctx, Checkpoint{Block: last.BlockNumber, TxID: last.TxID})
}
