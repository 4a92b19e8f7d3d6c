package gateway

import (
	"context"

	"github.com/tierchain/tierchain/services/store"
)

// migrationComponent is the gateway's name in schema_migrations.
const migrationComponent = "gateway"

// migrations is append-only (store.Migrate checks the text of applied ones).
// They are written for store.Dialect.DDL ({{blob}} for a binary column).
var migrations = []string{
	`CREATE TABLE gateway_tokens (
	token_hash    TEXT   NOT NULL PRIMARY KEY,
	enterprise_id TEXT   NOT NULL,
	role          TEXT   NOT NULL,
	msp_id        TEXT   NOT NULL,
	label         TEXT   NOT NULL DEFAULT '',
	created_at    BIGINT NOT NULL,
	revoked_at    BIGINT
);
CREATE TABLE gateway_idempotency (
	principal    TEXT    NOT NULL,
	idem_key     TEXT    NOT NULL,
	request_hash TEXT    NOT NULL,
	state        TEXT    NOT NULL,
	status       INTEGER NOT NULL DEFAULT 0,
	header       TEXT    NOT NULL DEFAULT '',
	body         {{blob}},
	created_at   BIGINT  NOT NULL,
	expires_at   BIGINT  NOT NULL,
	locked_until BIGINT  NOT NULL,
	PRIMARY KEY (principal, idem_key)
);
CREATE INDEX gateway_idempotency_expires ON gateway_idempotency (expires_at);`,
	// The transaction a pending key's request submitted when its outcome
	// was lost (ErrUnknownOutcome): a retry asks the ledger for it.
	`ALTER TABLE gateway_idempotency ADD COLUMN tx_id TEXT;`,
	// Which gateway run claimed a pending key (Config.Instance and the
	// Server's run ID). Since gateway_runs, a key is abandoned when its
	// run's heartbeat is stale; the owner is only a label for operators.
	`ALTER TABLE gateway_idempotency ADD COLUMN owner TEXT;
ALTER TABLE gateway_idempotency ADD COLUMN owner_run TEXT;`,
	// The gateway runs (one per serving Server) and their heartbeats, in
	// microseconds of the database's clock (runs.go): a claim is abandoned
	// when its run's heartbeat is stale, whatever the run's owner.
	`CREATE TABLE gateway_runs (
	run        TEXT    NOT NULL PRIMARY KEY,
	owner      TEXT,
	pid        INTEGER NOT NULL DEFAULT 0,
	started_at BIGINT  NOT NULL,
	beat_at    BIGINT  NOT NULL
);`,
}

// MigrateDB brings the gateway's tables up to date.
func MigrateDB(ctx context.Context, db *store.DB) error {
	return db.Migrate(ctx, migrationComponent, dialectMigrations(db.Dialect))
}

// dialectMigrations are the migrations as written for dialect d.
func dialectMigrations(d store.Dialect) []string {
	r := d.DDL()
	ms := make([]string, len(migrations))
	for i, m := range migrations {
		ms[i] = r.Replace(m)
	}
	return ms
}
