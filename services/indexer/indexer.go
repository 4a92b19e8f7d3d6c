package indexer

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/ledgerstream"
	"github.com/tierchain/tierchain/services/store"
)

// Source is where chaincode events come from; *fabricclient.Client is one.
type Source = ledgerstream.Source

// Ledger answers the chaincode's queries; *fabricclient.Client is one. The
// indexer calls GetEnterprise, GetInvoice, GetCreditLine and GetTokens
// (GetToken of a chaincode without it) of the "tierchain" contract, and
// the system contract's GetMetadata to tell which the chaincode has, as a
// registered enterprise (the regulator's or the operator's identity reads
// everything).
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
	// caps: what the chaincode offers, from its metadata (caps.go).
	caps capsCache
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

// Connected reports whether a stream feeds the read model right now.
func (ix *Indexer) Connected() bool { return ix.connected.Load() }

// SetFollowing is the stream's report that it has a stream open (on) or
// not: Ready answers from it. It makes *Indexer a ledgerstream.Following.
func (ix *Indexer) SetFollowing(on bool) { ix.connected.Store(on) }

var (
	_ ledgerstream.ReadModel = (*Indexer)(nil)
	_ ledgerstream.Following = (*Indexer)(nil)
)

// Run follows the chaincode's events from the checkpoint into the read
// model alone until ctx ends, and returns ctx's error: a ledgerstream.Stream
// with no consumers, tuned by the Options. A gateway, whose event feed
// must stand at the read model's height, runs one Stream with its
// consumers instead (gateway/platform). Whenever the stream breaks, or a
// batch cannot be applied (ledger or database unavailable), it pauses and
// reconnects from the checkpoint, so nothing is skipped and nothing
// applied twice. Malformed events are logged and recorded, never fatal.
func (ix *Indexer) Run(ctx context.Context, src Source) error {
	return ix.Stream(src).Run(ctx)
}

// Stream is the one stream that feeds this read model from src, tuned by
// the Options; add its Consumers before running it.
func (ix *Indexer) Stream(src Source) *ledgerstream.Stream {
	return &ledgerstream.Stream{Source: src, Model: ix, Logger: ix.log, StartBlock: ix.opts.StartBlock,
		Backoff: ix.opts.Backoff, MaxBackoff: ix.opts.MaxBackoff, MaxBatch: ix.opts.MaxBatch}
}

// ApplyEvents writes a batch of events into the read model in one SQL
// transaction (ledgerstream.ReadModel): transactions the events log holds
// are skipped, malformed events are recorded as rejected and logged. With
// advance, the same transaction moves the checkpoint to the batch's last
// event; without, the stream moves it with SaveCheckpoint once its
// consumers have the batch. It returns the batch's well-formed TierChain
// events in block order, the ones it held already included.
func (ix *Indexer) ApplyEvents(ctx context.Context, batch []fabricclient.Event, advance bool) ([]model.Event, error) {
	res, err := ix.applyBatch(ctx, batch, advance)
	if err != nil {
		return nil, err
	}
	for _, r := range res.rejected {
		ix.log.Warn("indexer: malformed event recorded and skipped", "tx_id", r.TxID, "block", r.BlockNumber, "reason", r.Reason)
	}
	return res.valid, nil
}
