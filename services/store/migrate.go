package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// ErrMigration reports a schema that Migrate cannot bring up to date: one newer
// than the code, or an applied migration whose text has since changed.
var ErrMigration = errors.New("store: migration")

// migrationsLockKey is the Postgres advisory lock that serialises Migrate
// across processes (SQLite's BEGIN IMMEDIATE does that by itself).
const migrationsLockKey = 0x7469657263686169 // "tierchai"

const schemaMigrationsDDL = `CREATE TABLE IF NOT EXISTS schema_migrations (
	component  TEXT    NOT NULL,
	version    INTEGER NOT NULL,
	checksum   TEXT    NOT NULL,
	applied_at BIGINT  NOT NULL,
	PRIMARY KEY (component, version)
)`

// Migrate brings component's schema up to date. migrations[i] is version i+1;
// the list is append-only: never edit or reorder an applied migration, add a
// new one. Each pending migration runs in its own transaction together with
// its row in schema_migrations(component, version), so a failure leaves the
// schema at the last good version. Running Migrate again is a no-op.
//
// A migration may hold several statements; it is executed as one string, so
// write it for db.Dialect (DDL types differ between SQLite and Postgres).
// The SHA-256 of each migration is recorded and checked on later runs.
func (db *DB) Migrate(ctx context.Context, component string, migrations []string) error {
	if component == "" {
		return fmt.Errorf("%w: empty component name", ErrMigration)
	}
	for version := 0; version <= len(migrations); version++ {
		done := false
		// READ COMMITTED, not InTx's SERIALIZABLE: on Postgres every statement
		// after the advisory lock must see what the previous lock holder
		// committed, which a snapshot taken at the lock statement would not.
		// SQLite is serializable whatever is asked.
		err := db.inTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted}, func(tx *sql.Tx) error {
			var err error
			done, err = db.migrateStep(ctx, tx, component, version, migrations)
			return err
		})
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
	return nil
}

// migrateStep applies migration number version+1 if it is still pending. Step
// 0 only creates the bookkeeping table and checks what is already applied; it
// reports done when nothing is pending.
func (db *DB) migrateStep(ctx context.Context, tx *sql.Tx, component string, version int, migrations []string) (done bool, err error) {
	if db.Dialect == Postgres {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationsLockKey)); err != nil {
			return false, fmt.Errorf("store: migrate %s: lock: %w", component, err)
		}
	}
	if _, err := tx.ExecContext(ctx, schemaMigrationsDDL); err != nil {
		return false, fmt.Errorf("store: migrate %s: create schema_migrations: %w", component, err)
	}
	applied, err := db.appliedMigrations(ctx, tx, component)
	if err != nil {
		return false, err
	}
	if len(applied) > len(migrations) {
		return false, fmt.Errorf("%w: %s schema is at version %d, this program knows only %d",
			ErrMigration, component, len(applied), len(migrations))
	}
	for i, sum := range applied {
		if sum != checksum(migrations[i]) {
			return false, fmt.Errorf("%w: %s migration %d was changed after it was applied",
				ErrMigration, component, i+1)
		}
	}
	if version == 0 {
		return len(applied) == len(migrations), nil
	}
	if version <= len(applied) {
		return false, nil // another process applied it meanwhile
	}
	if _, err := tx.ExecContext(ctx, migrations[version-1]); err != nil {
		return false, fmt.Errorf("store: migrate %s to version %d: %w", component, version, err)
	}
	_, err = tx.ExecContext(ctx, db.Rebind(
		`INSERT INTO schema_migrations (component, version, checksum, applied_at) VALUES (?, ?, ?, ?)`),
		component, version, checksum(migrations[version-1]), time.Now().UnixMicro())
	if err != nil {
		return false, fmt.Errorf("store: migrate %s: record version %d: %w", component, version, err)
	}
	return version == len(migrations), nil
}

// appliedMigrations returns the checksums of component's applied migrations in
// version order, and checks that the versions are exactly 1..n.
func (db *DB) appliedMigrations(ctx context.Context, tx *sql.Tx, component string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, db.Rebind(
		`SELECT version, checksum FROM schema_migrations WHERE component = ? ORDER BY version`), component)
	if err != nil {
		return nil, fmt.Errorf("store: migrate %s: read schema_migrations: %w", component, err)
	}
	defer rows.Close()
	var sums []string
	for rows.Next() {
		var version int
		var sum string
		if err := rows.Scan(&version, &sum); err != nil {
			return nil, fmt.Errorf("store: migrate %s: read schema_migrations: %w", component, err)
		}
		if version != len(sums)+1 {
			return nil, fmt.Errorf("%w: %s versions are not contiguous at %d", ErrMigration, component, version)
		}
		sums = append(sums, sum)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: migrate %s: read schema_migrations: %w", component, err)
	}
	return sums, nil
}

func checksum(migration string) string {
	sum := sha256.Sum256([]byte(migration))
	return hex.EncodeToString(sum[:])
}
