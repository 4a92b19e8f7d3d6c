package idempotency

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/tierchain/tierchain/services/store"
)

// Outcome is what Store.Begin found for a key.
type Outcome int

const (
	BeginNew      Outcome = iota + 1 // this request owns the key now
	BeginReplay                      // a stored response exists
	BeginMismatch                    // the key was used for another request
	BeginInFlight                    // another request holds the key
	BeginResolve                     // this request owns the key and must settle its lost transaction first
)

func (o Outcome) String() string {
	switch o {
	case BeginNew:
		return "new"
	case BeginReplay:
		return "replay"
	case BeginMismatch:
		return "mismatch"
	case BeginInFlight:
		return "in flight"
	case BeginResolve:
		return "resolve"
	}
	return "outcome(" + strconv.Itoa(int(o)) + ")"
}

// LostTx is a pending key's transaction whose outcome was lost: the
// request that claimed the key at ClaimedAt submitted it, and its answer
// never came (fabricclient.ErrUnknownOutcome), or its process died.
type LostTx struct {
	TxID      string
	ClaimedAt time.Time
}

// Begun is what Begin found for a key.
type Begun struct {
	Outcome Outcome
	Stored  *Response // BeginReplay: the response to replay
	Lost    *LostTx   // BeginResolve: the transaction to settle
	// RetryAfter (BeginInFlight) is when a retry may find the key free:
	// at once for a live run's request, which is likely about to finish;
	// when its run's heartbeat turns stale for a run that has stopped
	// beating (crashed: its key is then settled through the ledger); when
	// the lock expires for a claim whose run cannot be judged.
	RetryAfter time.Duration
}

// Response is a response kept for replay.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// replayedHeaders are the response headers kept with a stored response.
var replayedHeaders = []string{"Content-Type", "Location", "ETag", "Last-Modified", "Content-Language"}

// Store keeps keys in gateway_idempotency, scoped per principal. Each
// claim names its run (one gateway Server, a random ID), whose heartbeat in
// gateway_runs tells other runs whether its process is alive (runs.go),
// and its owner (Options.Instance), a label for operators.
type Store struct {
	db       *store.DB
	now      func() time.Time
	ttl      time.Duration
	lock     time.Duration
	instance string // "" leaves claims unlabelled
	run      string
}

// Options configure a Store.
type Options struct {
	Now      func() time.Time // time.Now when nil
	TTL      time.Duration    // how long a key and its response are kept
	Lock     time.Duration    // how long an in-flight key blocks duplicates
	Instance string           // the gateway's label in the owner columns ("" for none)
	Run      string           // this run's ID (a fresh random one when "")
}

// NewStore returns the store over db, whose gateway tables are migrated
// (gateway.MigrateDB).
func NewStore(db *store.DB, o Options) *Store {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Run == "" {
		o.Run = rand.Text()
	}
	return &Store{db: db, now: o.Now, ttl: o.TTL, lock: o.Lock, instance: o.Instance, run: o.Run}
}

// Run is the ID of the store's run.
func (st *Store) Run() string { return st.run }

// owner is the value stored in the owner columns: NULL without an instance.
func (st *Store) owner() sql.NullString {
	return sql.NullString{String: st.instance, Valid: st.instance != ""}
}

// Begin claims (principal, key) for a request with hash, or reports why it
// cannot. A row past its expiry counts as absent; a pending row whose lock
// ran out, or whose claim another run made that has stopped beating
// (abandoned: that process died), is taken over. A pending row with a transaction (a
// lost answer's, or one its run recorded before submitting and then
// crashed) is claimed for resolution: BeginResolve with that transaction,
// and the lock keeps other retries out meanwhile. A taken-over row without
// a transaction runs afresh: its run would have recorded one before
// submitting anything (RecordTx).
func (st *Store) Begin(ctx context.Context, principal, key, hash string) (Begun, error) {
	for attempt := 0; ; attempt++ {
		var (
			out     Outcome
			resp    *Response
			pending *LostTx
			wait    time.Duration
		)
		err := st.db.InTx(ctx, func(tx *sql.Tx) error {
			out, resp, pending, wait = 0, nil, nil, 0
			now := st.now().UnixMicro()
			var (
				gotHash, state, header            string
				status                            int
				body                              []byte
				createdAt, expiresAt, lockedUntil int64
				txID, run                         sql.NullString
				beatAt                            sql.NullInt64 // the claim's run's heartbeat
				dbNow                             int64         // in the heartbeat's clock
			)
			err := st.db.QueryRow(ctx, tx, fmt.Sprintf(`
				SELECT i.request_hash, i.state, i.status, i.header, i.body, i.created_at, i.expires_at, i.locked_until,
					i.tx_id, i.owner_run, r.beat_at, %s
				FROM gateway_idempotency i LEFT JOIN gateway_runs r ON r.run = i.owner_run
				WHERE i.principal = ? AND i.idem_key = ?`, dbNowMicros(st.db.Dialect)), principal, key).
				Scan(&gotHash, &state, &status, &header, &body, &createdAt, &expiresAt, &lockedUntil, &txID, &run, &beatAt, &dbNow)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				out = BeginNew
				return st.insert(ctx, tx, principal, key, hash, now)
			case err != nil:
				return err
			case expiresAt <= now:
				out = BeginNew
				if _, err := st.db.Exec(ctx, tx, `DELETE FROM gateway_idempotency WHERE principal = ? AND idem_key = ?`, principal, key); err != nil {
					return err
				}
				return st.insert(ctx, tx, principal, key, hash, now)
			case gotHash != hash:
				out = BeginMismatch
				return nil
			case state == stateDone:
				out = BeginReplay
				resp = &Response{Status: status, Body: body, Header: http.Header{}}
				if header != "" {
					if err := json.Unmarshal([]byte(header), &resp.Header); err != nil {
						return fmt.Errorf("idempotency: stored headers: %w", err)
					}
				}
				return nil
			case lockedUntil > now && !st.abandoned(run, beatAt, dbNow):
				out = BeginInFlight
				wait = st.inFlightWait(run, beatAt, dbNow, time.Duration(lockedUntil-now)*time.Microsecond)
				return nil
			case txID.Valid: // a lost transaction: this request settles it
				out = BeginResolve
				pending = &LostTx{TxID: txID.String, ClaimedAt: time.UnixMicro(createdAt)}
				_, err := st.db.Exec(ctx, tx, `
					UPDATE gateway_idempotency SET locked_until = ?, owner = ?, owner_run = ?
					WHERE principal = ? AND idem_key = ?`,
					now+st.lock.Microseconds(), st.owner(), st.run, principal, key)
				return err
			default: // stale or abandoned pending row: take it over
				out = BeginNew
				return st.claim(ctx, tx, principal, key, now)
			}
		})
		// Two first requests raced to insert: the loser looks again and
		// finds the winner's row.
		if err != nil && store.IsUniqueViolation(err) && attempt < 3 {
			continue
		}
		return Begun{Outcome: out, Stored: resp, Lost: pending, RetryAfter: wait}, err
	}
}

// inFlightWait is how long a retry of an in-flight key should wait: lock
// is what is left of the key's lock; run, beatAt and dbNow as in Begin.
// A claim of this run, or of a run that beat within the last two
// heartbeats, is a request still running: a second. A run that has missed
// beats is presumed dead, and its key is free (to be settled through the
// ledger) once its heartbeat is RunStaleAfter old. A claim whose run never
// beat waits for its lock.
func (st *Store) inFlightWait(run sql.NullString, beatAt sql.NullInt64, dbNow int64, lock time.Duration) time.Duration {
	switch {
	case run.Valid && run.String == st.run:
		return time.Second
	case run.Valid && beatAt.Valid:
		silent := time.Duration(dbNow-beatAt.Int64) * time.Microsecond
		if silent <= 2*RunHeartbeat {
			return time.Second
		}
		// abandoned needs a silence longer than RunStaleAfter.
		return min(RunStaleAfter-silent+time.Microsecond, lock)
	}
	return lock
}

// claim makes a pending row this request's: a fresh run, with no
// transaction yet, claimed now.
func (st *Store) claim(ctx context.Context, tx *sql.Tx, principal, key string, now int64) error {
	_, err := st.db.Exec(ctx, tx, `
		UPDATE gateway_idempotency SET tx_id = NULL, created_at = ?, locked_until = ?, owner = ?, owner_run = ?
		WHERE principal = ? AND idem_key = ? AND state = ?`,
		now, now+st.lock.Microseconds(), st.owner(), st.run, principal, key, statePending)
	return err
}

// ErrKeyNotHeld: a run's pending key is no longer its own (another run
// took it over, judging this one dead), so it must not submit, and must
// leave the key to its new holder.
var ErrKeyNotHeld = errors.New("idempotency: the Idempotency-Key is no longer held by this request")

// held checks that an UPDATE or DELETE of a key this run holds (WHERE …
// owner_run = the run) found it.
func held(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return errors.Join(ErrKeyNotHeld, err)
	}
	return nil
}

// RecordTx keeps the transaction a run is about to submit with its pending
// key, before the orderer sees it (fabricclient.WithBeforeSubmit). If the
// process then dies, the key's next claim asks the ledger about txID, like
// a lost answer's; a key without one was never submitted. A read-conflict
// retry records its new transaction over the last.
func (st *Store) RecordTx(ctx context.Context, principal, key, txID string) error {
	res, err := st.db.Exec(ctx, nil, `
		UPDATE gateway_idempotency SET tx_id = ?
		WHERE principal = ? AND idem_key = ? AND state = ? AND owner_run = ?`,
		txID, principal, key, statePending, st.run)
	if err != nil {
		return fmt.Errorf("idempotency: record transaction %s with its key: %w", txID, err)
	}
	return held(res, nil)
}

// Rerun makes a key whose transaction was settled as not applied
// (invalidated, or never ordered) this request's fresh run.
func (st *Store) Rerun(ctx context.Context, principal, key string) error {
	return st.db.InTx(ctx, func(tx *sql.Tx) error {
		return st.claim(ctx, tx, principal, key, st.now().UnixMicro())
	})
}

// Hold keeps a pending key with the transaction whose outcome was lost,
// and unlocks it: the next retry asks the ledger about txID (begin's
// BeginResolve) instead of waiting for the lock.
func (st *Store) Hold(ctx context.Context, principal, key, txID string) error {
	return held(st.db.Exec(ctx, nil, `
		UPDATE gateway_idempotency SET tx_id = ?, locked_until = ?
		WHERE principal = ? AND idem_key = ? AND state = ? AND owner_run = ?`,
		txID, st.now().UnixMicro(), principal, key, statePending, st.run))
}

func (st *Store) insert(ctx context.Context, tx *sql.Tx, principal, key, hash string, now int64) error {
	_, err := st.db.Exec(ctx, tx, `
		INSERT INTO gateway_idempotency (principal, idem_key, request_hash, state, created_at, expires_at, locked_until, owner, owner_run)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		principal, key, hash, statePending, now, now+st.ttl.Microseconds(), now+st.lock.Microseconds(), st.owner(), st.run)
	return err
}

const (
	statePending = "pending"
	stateDone    = "done"
)

// Complete stores the response for the key this request owns (unless
// another run took it over meanwhile: ErrKeyNotHeld).
func (st *Store) Complete(ctx context.Context, principal, key string, resp Response) error {
	h := http.Header{}
	for _, k := range replayedHeaders {
		if v := resp.Header.Values(k); len(v) > 0 {
			h[k] = v
		}
	}
	header, err := json.Marshal(h)
	if err != nil {
		return err
	}
	return held(st.db.Exec(ctx, nil, `
		UPDATE gateway_idempotency SET state = ?, status = ?, header = ?, body = ?
		WHERE principal = ? AND idem_key = ? AND owner_run = ?`,
		stateDone, resp.Status, string(header), resp.Body, principal, key, st.run))
}

// Release forgets a pending key this run holds, so that a retry runs the
// request again; a key another run took over meanwhile is left to it.
func (st *Store) Release(ctx context.Context, principal, key string) error {
	return held(st.db.Exec(ctx, nil, `DELETE FROM gateway_idempotency WHERE principal = ? AND idem_key = ? AND state = ? AND owner_run = ?`,
		principal, key, statePending, st.run))
}

// Sweep deletes expired keys.
func (st *Store) Sweep(ctx context.Context) (int64, error) {
	res, err := st.db.Exec(ctx, nil, `DELETE FROM gateway_idempotency WHERE expires_at <= ?`, st.now().UnixMicro())
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
