package indexer

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/store"
)

// Source is where chaincode events come from; *fabricclient.Client is one.
type Source interface {
	ChaincodeEvents(ctx context.Context, opts ...fabricclient.EventsOption) (<-chan fabricclient.Event, error)
}

// Ledger answers the chaincode's queries; *fabricclient.Client is one. The
// indexer calls GetEnterprise, GetInvoice, GetCreditLine and GetToken of
// the "tierchain" contract, as a registered enterprise (the regulator's or
// the operator's identity reads everything).
type Ledger interface {
	Evaluate(ctx context.Context, contract, fn string, args ...string) ([]byte, error)
}

var (
	_ Source = (*fabricclient.Client)(nil)
	_ Ledger = (*fabricclient.Client)(nil)
)

// Contract is the chaincode contract the indexer queries.
const Contract = "tierchain"

// Options tune an Indexer; the zero value is the default.
type Options struct {
	Logger *slog.Logger // slog.Default() when nil
	// Name keys the checkpoint row ("indexer"): two indexers of different
	// names could share a database, but not its read-model tables.
	Name string
	// StartBlock is where a first run (no checkpoint yet) starts: 0, the
	// genesis block, so the read model holds the whole history.
	StartBlock uint64
	// Backoff is the first pause before reconnecting a broken stream (1s);
	// it doubles while the stream keeps failing without progress, up to
	// MaxBackoff (30s).
	Backoff, MaxBackoff time.Duration
	// StaleWait bounds how long a record read from the ledger may lag
	// behind its event before it is taken as it is (2s); see fetch.go.
	StaleWait time.Duration
	// Fetchers bounds the ledger queries of a batch in flight at once (8).
	Fetchers int
	// MaxBatch bounds the events applied in one SQL transaction (64). The
	// indexer batches only what the stream has ready, so a live stream
	// applies each event at once and a catch-up amortises commits.
	MaxBatch int
}

func (o Options) withDefaults() Options {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Name == "" {
		o.Name = "indexer"
	}
	if o.Backoff <= 0 {
		o.Backoff = time.Second
	}
	if o.MaxBackoff < o.Backoff {
		o.MaxBackoff = max(30*time.Second, o.Backoff)
	}
	if o.StaleWait <= 0 {
		o.StaleWait = 2 * time.Second
	}
	if o.Fetchers <= 0 {
		o.Fetchers = 8
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 64
	}
	return o
}

// Indexer follows the ledger into the read model and answers queries on
// it. Its readers are safe for concurrent use with Run; run one Run per
// database and Name at a time.
type Indexer struct {
	db        *store.DB
	ledger    Ledger
	opts      Options
	log       *slog.Logger
	connected atomic.Bool
}

// New migrates the read model (component "indexer") in db and returns an
// Indexer that reads full records from ledger.
func New(ctx context.Context, db *store.DB, ledger Ledger, opts Options) (*Indexer, error) {
	if db == nil || ledger == nil {
		return nil, errors.New("indexer: New needs a database and a ledger")
	}
	if err := db.Migrate(ctx, Component, migrations(db.Dialect)); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	return &Indexer{db: db, ledger: ledger, opts: opts, log: opts.Logger}, nil
}

// Connected reports whether Run has an event stream open right now.
func (ix *Indexer) Connected() bool { return ix.connected.Load() }

var errStreamEnded = errors.New("indexer: event stream ended")

// Run follows the chaincode's events from the checkpoint until ctx ends,
// and returns ctx's error. Whenever the stream breaks, or a batch cannot
// be applied (ledger or database unavailable), it pauses and reconnects
// from the checkpoint, so nothing is skipped and nothing applied twice.
// Malformed events are logged and recorded, never fatal.
func (ix *Indexer) Run(ctx context.Context, src Source) error {
	pause := ix.opts.Backoff
	for {
		progressed, err := ix.follow(ctx, src)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if progressed {
			pause = ix.opts.Backoff
		}
		ix.log.Warn("indexer: event stream interrupted; resuming from the checkpoint", "error", err, "retry_in", pause)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, ix.opts.MaxBackoff)
	}
}

// follow opens one stream at the checkpoint and applies it batch by batch
// until it ends or a batch fails.
func (ix *Indexer) follow(ctx context.Context, src Source) (progressed bool, err error) {
	cp, err := ix.Checkpoint(ctx)
	if err != nil {
		return false, err
	}
	start := fabricclient.FromBlock(ix.opts.StartBlock)
	if !cp.IsZero() {
		start = fabricclient.FromCheckpoint(cp)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := src.ChaincodeEvents(ctx, start)
	if err != nil {
		return false, err
	}
	ix.connected.Store(true)
	defer ix.connected.Store(false)
	batch := make([]fabricclient.Event, 0, ix.opts.MaxBatch)
	for ev := range events {
		batch = append(batch[:0], ev)
	drain: // take what the stream already has, without waiting for more
		for len(batch) < ix.opts.MaxBatch {
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
		res, err := ix.apply(ctx, batch)
		if err != nil {
			return progressed, err
		}
		progressed = true
		for _, r := range res.rejected {
			ix.log.Warn("indexer: malformed event recorded and skipped", "tx_id", r.TxID, "block", r.BlockNumber, "reason", r.Reason)
		}
	}
	return progressed, errStreamEnded
}
