package gateway

import (
	"context"
	"strings"

	"github.com/tierchain/tierchain/services/store"
)

// migrationComponent is the gateway's name in schema_migrations.
const migrationComponent = "gateway"

// migrations is append-only (store.Migrate checks the text of applied ones).
// BLOB is written for SQLite and becomes BYTEA for PostgreSQL.
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
	body         BLOB,
	created_at   BIGINT  NOT NULL,
	expires_at   BIGINT  NOT NULL,
	locked_until BIGINT  NOT NULL,
	PRIMARY KEY (principal, idem_key)
);
CREATE INDEX gateway_idempotency_expires ON gateway_idempotency (expires_at);`,
}

// MigrateDB brings the gateway's tables up to date.
func MigrateDB(ctx context.Context, db *store.DB) error {
	ms := migrations
	if db.Dialect == store.Postgres {
		ms = make([]string, len(migrations))
		for i, m := range migrations {
			ms[i] = strings.ReplaceAll(m, " BLOB", " BYTEA")
		}
	}
	return db.Migrate(ctx, migrationComponent, ms)
}
