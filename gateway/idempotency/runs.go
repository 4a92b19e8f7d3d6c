package idempotency

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/tierchain/tierchain/services/store"
)

// A serving gateway is a run: it registers itself in gateway_runs when it
// starts serving (Beat) and beats every RunHeartbeat until it stops
// (Maintain). A pending key
// claimed by another run whose beat is older than RunStaleAfter (or by a
// run that stopped beating that long ago) lost its process: a retry takes
// it over at once instead of waiting for its lock (Begin). Liveness,
// not a name, tells a dead process from a live one: two gateways with the
// same Options.Instance on one database each see the other beating.
//
// Beats are written and judged in the database's clock (dbNowMicros), so
// gateways sharing a database need no synchronised clocks: every time in
// the comparison comes from one clock. (On SQLite the database's clock is
// the clock of the machine holding the file, which every gateway on it
// shares.) A forward step of that clock by more than RunStaleAfter −
// RunHeartbeat could make a live run look dead until its next beat; a
// takeover then is still caught when the live run records its transaction
// or settles its key (RecordTx, Complete, Release and Hold name their run).
const (
	RunHeartbeat  = 2 * time.Second
	RunStaleAfter = 15 * time.Second
)

// dbNowMicros is the SQL expression for the database's current time in
// microseconds since the Unix epoch (the wall clock, not the transaction's
// start).
func dbNowMicros(d store.Dialect) string {
	if d == store.Postgres {
		return `CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)`
	}
	return `CAST(unixepoch('subsec') * 1000000 AS INTEGER)`
}

// Beat registers the store's run, or refreshes its heartbeat.
func (st *Store) Beat(ctx context.Context) error {
	now := dbNowMicros(st.db.Dialect)
	_, err := st.db.SQL.ExecContext(ctx, st.db.Rebind(fmt.Sprintf(`
		INSERT INTO gateway_runs (run, owner, pid, started_at, beat_at) VALUES (?, ?, ?, %s, %s)
		ON CONFLICT (run) DO UPDATE SET beat_at = excluded.beat_at`, now, now)),
		st.run, st.owner(), os.Getpid())
	if err != nil {
		return fmt.Errorf("idempotency: heartbeat of run %s: %w", st.run, err)
	}
	return nil
}

// abandoned reports a claim whose run is not this one and has stopped
// beating: its process died (or its Server stopped serving) RunStaleAfter
// ago or more, so nothing holds the key any more, whatever its lock says.
// A claim without a run (from before the owner columns) or whose run never
// beat (a gateway Server used only through its Handler, or a gateway from
// before gateway_runs) cannot be known dead: it waits for its lock. beatAt and now
// are in the database's clock.
func (st *Store) abandoned(run sql.NullString, beatAt sql.NullInt64, now int64) bool {
	return run.Valid && run.String != st.run && beatAt.Valid && now-beatAt.Int64 > RunStaleAfter.Microseconds()
}

// SweepRuns forgets runs that stopped beating more than the keys' TTL ago:
// every key they claimed has expired.
func (st *Store) SweepRuns(ctx context.Context) (int64, error) {
	res, err := st.db.SQL.ExecContext(ctx, st.db.Rebind(fmt.Sprintf(
		`DELETE FROM gateway_runs WHERE beat_at < %s - ?`, dbNowMicros(st.db.Dialect))), st.ttl.Microseconds())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// Maintain keeps the run alive and the tables small until ctx ends: it
// beats every RunHeartbeat and sweeps expired keys, and runs that stopped
// beating before them, every hour (and at start). A failed beat is logged
// and the next one tried; if beats fail for RunStaleAfter, other gateways
// take this run's keys for abandoned, and this run's writes under them are
// refused (ErrKeyNotHeld) before they submit.
func (st *Store) Maintain(ctx context.Context, log *slog.Logger) {
	var wg sync.WaitGroup
	wg.Go(func() { st.sweepLoop(ctx, log) })
	wg.Go(func() { st.heartbeat(ctx, log) })
	wg.Wait()
}

func (st *Store) heartbeat(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(RunHeartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		bctx, cancel := context.WithTimeout(ctx, RunStaleAfter/2)
		err := st.Beat(bctx)
		cancel()
		if err != nil && ctx.Err() == nil {
			log.Warn("gateway run heartbeat", "run", st.run, "error", err)
		}
	}
}

func (st *Store) sweepLoop(ctx context.Context, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := st.Sweep(ctx); err != nil && ctx.Err() == nil {
			log.Warn("sweep idempotency keys", "error", err)
		} else if n > 0 {
			log.Debug("swept idempotency keys", "count", n)
		}
		if n, err := st.SweepRuns(ctx); err != nil && ctx.Err() == nil {
			log.Warn("sweep gateway runs", "error", err)
		} else if n > 0 {
			log.Debug("swept gateway runs", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
