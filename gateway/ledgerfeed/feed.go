// Package ledgerfeed turns the chaincode's events into the gateway's
// server-sent events: it follows fabricclient.ChaincodeEvents from a
// persisted checkpoint, and publishes each TierChain transaction
// (model.Event, "tierchain.v1") to the parties it concerns — the holders
// and banks of its tokens, the supplier and buyer of its invoices, the core
// and bank of its credit lines, the enterprises it registered — and to the
// regulator and the operator. New tokens and financing requests reach
// their holders and banks this way.
//
// Delivery to browsers is best effort (the broker's ring buffer); the
// checkpoint makes the feed itself resume without gaps after a restart.
package ledgerfeed

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"slices"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/store"
)

// Source is where chaincode events come from; *fabricclient.Client is one.
type Source interface {
	ChaincodeEvents(ctx context.Context, opts ...fabricclient.EventsOption) (<-chan fabricclient.Event, error)
}

var _ Source = (*fabricclient.Client)(nil)

// Publisher receives the server-sent events; *gateway.Broker is one.
type Publisher interface {
	Publish(ev gateway.Event) (gateway.Event, error)
}

// Feed follows the ledger into a Publisher.
type Feed struct {
	Source    Source
	Publisher Publisher
	DB        *store.DB
	Logger    *slog.Logger
	// Name keys the checkpoint row, one per feed ("gateway" by default).
	Name string
	// Backoff is the pause before reconnecting a broken stream (1s).
	Backoff time.Duration
	// OnEvent, when set, is called with each TierChain event after it is
	// published, before the checkpoint moves past it (the gateway's wallet
	// checks the envelopes of new tokens it holds keys for). It must
	// return promptly: the feed waits for it.
	OnEvent func(context.Context, model.Event)
}

// EventType is the SSE type of a ledger transaction: "ledger." + its kind.
func EventType(kind string) string { return "ledger." + kind }

var migrations = []string{`CREATE TABLE ledgerfeed_checkpoints (
	name         TEXT   NOT NULL PRIMARY KEY,
	block_number BIGINT NOT NULL,
	tx_id        TEXT   NOT NULL
)`}

// Run follows events until ctx ends, reconnecting from the checkpoint
// whenever the stream breaks. It returns ctx's error, or a database error.
func (f *Feed) Run(ctx context.Context) error {
	if f.Name == "" {
		f.Name = "gateway"
	}
	if f.Backoff <= 0 {
		f.Backoff = time.Second
	}
	if err := f.DB.Migrate(ctx, "ledgerfeed", migrations); err != nil {
		return err
	}
	for {
		cp, err := f.load(ctx)
		if err != nil {
			return err
		}
		if err := f.follow(ctx, cp); err != nil && ctx.Err() == nil {
			f.Logger.Warn("ledger feed interrupted; reconnecting", "feed", f.Name, "error", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(f.Backoff):
		}
	}
}

// checkpoint is the position after the last published event.
type checkpoint struct {
	block uint64
	txID  string
}

func (c checkpoint) BlockNumber() uint64   { return c.block }
func (c checkpoint) TransactionID() string { return c.txID }

func (f *Feed) load(ctx context.Context) (checkpoint, error) {
	var cp checkpoint
	err := f.DB.SQL.QueryRowContext(ctx, f.DB.Rebind(
		`SELECT block_number, tx_id FROM ledgerfeed_checkpoints WHERE name = ?`), f.Name).Scan(&cp.block, &cp.txID)
	if errors.Is(err, sql.ErrNoRows) {
		return checkpoint{}, nil
	}
	return cp, err
}

func (f *Feed) save(ctx context.Context, cp checkpoint) error {
	return f.DB.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, f.DB.Rebind(`DELETE FROM ledgerfeed_checkpoints WHERE name = ?`), f.Name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, f.DB.Rebind(
			`INSERT INTO ledgerfeed_checkpoints (name, block_number, tx_id) VALUES (?, ?, ?)`), f.Name, cp.block, cp.txID)
		return err
	})
}

// follow streams from cp until the stream ends. A first run (no
// checkpoint) starts at the next committed block: the feed announces what
// happens from now on, the read model (services/indexer) holds the past.
func (f *Feed) follow(ctx context.Context, cp checkpoint) error {
	var opts []fabricclient.EventsOption
	if cp.block != 0 || cp.txID != "" {
		opts = append(opts, fabricclient.FromCheckpoint(cp))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	events, err := f.Source.ChaincodeEvents(ctx, opts...)
	if err != nil {
		return err
	}
	for ev := range events {
		if ev.Name == model.EventName {
			if e, ok := f.publish(ev); ok && f.OnEvent != nil {
				f.OnEvent(ctx, e)
			}
		}
		if err := f.save(ctx, checkpoint{block: ev.BlockNumber, txID: ev.TxID}); err != nil {
			return err
		}
	}
	return errors.New("event stream ended")
}

func (f *Feed) publish(ev fabricclient.Event) (model.Event, bool) {
	var e model.Event
	if err := json.Unmarshal(ev.Payload, &e); err != nil {
		f.Logger.Warn("undecodable chaincode event", "tx_id", ev.TxID, "block", ev.BlockNumber, "error", err)
		return e, false
	}
	data, err := json.Marshal(e)
	if err != nil {
		return e, false
	}
	if _, err := f.Publisher.Publish(gateway.Event{
		Type:  EventType(e.Kind),
		Data:  data,
		To:    Parties(e),
		Roles: []model.Role{model.RoleRegulator, model.RoleOperator},
	}); err != nil {
		f.Logger.Debug("publish ledger event", "tx_id", ev.TxID, "error", err)
	}
	return e, true
}

// Parties are the enterprises a transaction concerns, sorted, without
// duplicates: its actor and every party of the records it changed.
func Parties(e model.Event) []string {
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" {
				out = append(out, id)
			}
		}
	}
	if e.Actor != "bootstrap" {
		add(e.Actor)
	}
	for _, t := range e.Tokens {
		add(t.Holder, t.Bank)
	}
	for _, i := range e.Invoices {
		add(i.Supplier, i.Buyer)
	}
	for _, c := range e.CreditLines {
		add(c.Core, c.Bank)
	}
	for _, en := range e.Enterprises {
		add(en.ID)
	}
	for _, d := range e.Disputes {
		add(d.Holder, d.Sender)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
