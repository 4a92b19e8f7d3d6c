// Package custody records, per enterprise a gateway serves, who holds its
// keys: the gateway (hosted, the default) or the enterprise itself
// (self-custody, the gateway a relay). For a self-custody enterprise it
// keeps only public facts: its certificate, to check the signatures it
// relays, and the transaction IDs already relayed, so that no signed
// proposal or transaction is forwarded twice. Every change of custody goes
// into an append-only log the operator's auditors read.
package custody

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tierchain/tierchain/services/store"
)

// Mode is who holds an enterprise's keys.
type Mode string

// Modes.
const (
	Hosted Mode = "hosted" // the gateway (services/directory and services/wallet)
	Self   Mode = "self"   // the enterprise's own device
)

var (
	// ErrNotSelf: the enterprise is not in self-custody here.
	ErrNotSelf = errors.New("custody: the enterprise is not in self-custody")
	// ErrReplayed: a signed proposal or transaction was relayed before.
	ErrReplayed = errors.New("custody: already relayed")
	// ErrUnknownTx: a transaction whose proposal this gateway did not endorse
	// for the enterprise.
	ErrUnknownTx = errors.New("custody: no endorsed proposal with this transaction ID")
)

// Enterprise is a self-custody enterprise's public record.
type Enterprise struct {
	ID      string
	MSPID   string
	CertPEM []byte
	LegalID string // how invoices name it; kept for a move back to hosted
	Since   time.Time
}

// Event is one line of the custody log.
type Event struct {
	Seq        int64     `json:"seq"`
	Enterprise string    `json:"enterprise"`
	Action     string    `json:"action"` // Log actions below
	Actor      string    `json:"actor"`  // the enterprise that asked
	Detail     string    `json:"detail"`
	At         time.Time `json:"at"`
}

// Log actions.
const (
	ActionOnboardedSelf = "onboarded-self-custody"
	ActionExported      = "keys-exported-and-deleted" // hosted → self
	ActionImported      = "keys-imported"             // self → hosted
)

// Store is safe for concurrent use.
type Store struct {
	db  *store.DB
	now func() time.Time
}

// New migrates the schema (component "custody").
func New(ctx context.Context, db *store.DB, now func() time.Time) (*Store, error) {
	if now == nil {
		now = time.Now
	}
	if err := db.Migrate(ctx, "custody", []string{db.Dialect.DDL().Replace(`
CREATE TABLE custody_self (
	enterprise_id TEXT   PRIMARY KEY,
	msp_id        TEXT   NOT NULL,
	cert_pem      {{blob}} NOT NULL,
	legal_id      TEXT   NOT NULL,
	since         BIGINT NOT NULL
);
CREATE TABLE custody_relayed (
	tx_id         TEXT   NOT NULL,
	stage         TEXT   NOT NULL,
	enterprise_id TEXT   NOT NULL,
	at            BIGINT NOT NULL,
	PRIMARY KEY (tx_id, stage)
);
CREATE TABLE custody_log (
	seq           INTEGER PRIMARY KEY,
	enterprise_id TEXT   NOT NULL,
	action        TEXT   NOT NULL,
	actor         TEXT   NOT NULL,
	detail        TEXT   NOT NULL,
	at            BIGINT NOT NULL
)`)}); err != nil {
		return nil, err
	}
	return &Store{db: db, now: now}, nil
}

// Mode returns who holds id's keys: Self when recorded here, else Hosted.
func (s *Store) Mode(ctx context.Context, id string) (Mode, error) {
	_, err := s.Get(ctx, id)
	if errors.Is(err, ErrNotSelf) {
		return Hosted, nil
	}
	if err != nil {
		return "", err
	}
	return Self, nil
}

// Get returns the self-custody record of id, or ErrNotSelf.
func (s *Store) Get(ctx context.Context, id string) (Enterprise, error) {
	e := Enterprise{ID: id}
	var since int64
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT msp_id, cert_pem, legal_id, since FROM custody_self WHERE enterprise_id = ?`), id).
		Scan(&e.MSPID, &e.CertPEM, &e.LegalID, &since)
	if errors.Is(err, sql.ErrNoRows) {
		return Enterprise{}, fmt.Errorf("%w: %s", ErrNotSelf, id)
	}
	if err != nil {
		return Enterprise{}, err
	}
	e.Since = time.Unix(since, 0).UTC()
	return e, nil
}

// ByLegalID returns the self-custody enterprise whose legal ID (canonical,
// as onboarding recorded it) is legalID, or ErrNotSelf. The directory holds
// the hosted enterprises' legal IDs; these are the others that invoices on
// this gateway may name.
func (s *Store) ByLegalID(ctx context.Context, legalID string) (Enterprise, error) {
	var id string
	err := s.db.SQL.QueryRowContext(ctx, s.db.Rebind(`SELECT enterprise_id FROM custody_self WHERE legal_id = ? ORDER BY enterprise_id LIMIT 1`), legalID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) || legalID == "" {
		return Enterprise{}, fmt.Errorf("%w: legal ID %s", ErrNotSelf, legalID)
	}
	if err != nil {
		return Enterprise{}, err
	}
	return s.Get(ctx, id)
}

// SetSelf records e in self-custody and logs ev, in one transaction; with
// forget, it runs forget(tx) in the same transaction (the gateway's copies
// of the keys deleted, or nothing is). Idempotent for the same certificate.
func (s *Store) SetSelf(ctx context.Context, e Enterprise, ev Event, also func(*sql.Tx) error) error {
	now := s.now().UTC().Truncate(time.Second)
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM custody_self WHERE enterprise_id = ?`), e.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO custody_self (enterprise_id, msp_id, cert_pem, legal_id, since) VALUES (?, ?, ?, ?, ?)`),
			e.ID, e.MSPID, e.CertPEM, e.LegalID, now.Unix()); err != nil {
			return err
		}
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		return s.logTx(ctx, tx, ev, now)
	})
}

// SetHosted ends id's self-custody and logs ev, with also in the same
// transaction (the keys imported).
func (s *Store) SetHosted(ctx context.Context, id string, ev Event, also func(*sql.Tx) error) error {
	now := s.now().UTC().Truncate(time.Second)
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM custody_self WHERE enterprise_id = ?`), id); err != nil {
			return err
		}
		if also != nil {
			if err := also(tx); err != nil {
				return err
			}
		}
		return s.logTx(ctx, tx, ev, now)
	})
}

func (s *Store) logTx(ctx context.Context, tx *sql.Tx, ev Event, now time.Time) error {
	var next int64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) + 1 FROM custody_log`).Scan(&next); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO custody_log (seq, enterprise_id, action, actor, detail, at) VALUES (?, ?, ?, ?, ?, ?)`),
		next, ev.Enterprise, ev.Action, ev.Actor, ev.Detail, now.Unix())
	return err
}

// Log returns the custody log of id (every enterprise when id is empty),
// oldest first.
func (s *Store) Log(ctx context.Context, id string) ([]Event, error) {
	q, args := `SELECT seq, enterprise_id, action, actor, detail, at FROM custody_log ORDER BY seq`, []any{}
	if id != "" {
		q, args = `SELECT seq, enterprise_id, action, actor, detail, at FROM custody_log WHERE enterprise_id = ? ORDER BY seq`, []any{id}
	}
	return store.QueryAll(ctx, s.db.SQL, func(r store.Scanner) (Event, error) {
		var ev Event
		var at int64
		err := r.Scan(&ev.Seq, &ev.Enterprise, &ev.Action, &ev.Actor, &ev.Detail, &at)
		ev.At = time.Unix(at, 0).UTC()
		return ev, err
	}, s.db.Rebind(q), args...)
}

// Relay stages, each of which a transaction ID passes at most once.
const (
	StageEvaluate = "evaluate"
	StageEndorse  = "endorse"
	StageSubmit   = "submit"
)

// Claim records that txID of enterprise id passes stage now: ErrReplayed
// when it passed before. A submit needs the endorsement it follows
// (ErrUnknownTx otherwise).
func (s *Store) Claim(ctx context.Context, id, txID, stage string) error {
	now := s.now().UTC().Unix()
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if stage == StageSubmit {
			var owner string
			err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT enterprise_id FROM custody_relayed WHERE tx_id = ? AND stage = ?`), txID, StageEndorse).Scan(&owner)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && owner != id) {
				return fmt.Errorf("%w: %s", ErrUnknownTx, txID)
			}
			if err != nil {
				return err
			}
		}
		if stage == StageEndorse || stage == StageEvaluate {
			// A proposal is relayed once, whichever way.
			var n int
			if err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM custody_relayed WHERE tx_id = ? AND stage IN (?, ?)`),
				txID, StageEndorse, StageEvaluate).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("%w: proposal %s", ErrReplayed, txID)
			}
		}
		_, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO custody_relayed (tx_id, stage, enterprise_id, at) VALUES (?, ?, ?, ?)`), txID, stage, id, now)
		if store.IsUniqueViolation(err) {
			return fmt.Errorf("%w: %s %s", ErrReplayed, stage, txID)
		}
		return err
	})
}
