package indexer

import (
	"github.com/tierchain/tierchain/services/store"
)

// Component is the indexer's name in schema_migrations.
const Component = "indexer"

// creditLineTable is the credit lines' columns before currencies, which
// the currency migration rebuilds the table with (the text is checksummed:
// it must not change).
const creditLineTable = `	seq          {{seq}},
	core         TEXT   NOT NULL,
	bank         TEXT   NOT NULL,
	credit_limit TEXT   NOT NULL,
	expiry       BIGINT NOT NULL,
	outstanding  {{blob}}   NOT NULL,
	issued       BIGINT NOT NULL,
	settled      BIGINT NOT NULL,
	granted_at   BIGINT NOT NULL,
	updated_at   BIGINT NOT NULL,
	tx_id        TEXT   NOT NULL,
	block_number BIGINT NOT NULL,
	record       TEXT   NOT NULL,
`

// migrations returns the read model's schema for a dialect: one text for
// both, where only the auto-increment key and the binary type differ.
// Times are Unix microseconds (0 for none); seq is each table's insertion
// order and the keyset of its listings. The list is append-only.
func migrations(d store.Dialect) []string {
	r := d.DDL()
	return []string{r.Replace(`
CREATE TABLE indexer_checkpoints (
	name         TEXT   NOT NULL PRIMARY KEY,
	block_number BIGINT NOT NULL,
	tx_id        TEXT   NOT NULL,
	updated_at   BIGINT NOT NULL
);
CREATE TABLE indexer_events (
	seq          {{seq}},
	tx_id        TEXT   NOT NULL UNIQUE,
	block_number BIGINT NOT NULL,
	kind         TEXT   NOT NULL,
	actor        TEXT   NOT NULL,
	tx_time      BIGINT NOT NULL,
	outcome      TEXT   NOT NULL CHECK (outcome IN ('applied', 'rejected')),
	reason       TEXT   NOT NULL,
	payload      {{blob}} NOT NULL,
	indexed_at   BIGINT NOT NULL
);
CREATE INDEX indexer_events_kind ON indexer_events (kind, seq);
CREATE INDEX indexer_events_actor ON indexer_events (actor, seq);
CREATE INDEX indexer_events_outcome ON indexer_events (outcome, seq);
CREATE TABLE indexer_enterprises (
	seq           {{seq}},
	id            TEXT   NOT NULL UNIQUE,
	name          TEXT   NOT NULL,
	role          TEXT   NOT NULL,
	msp_id        TEXT   NOT NULL,
	status        TEXT   NOT NULL,
	registered_at BIGINT NOT NULL,
	updated_at    BIGINT NOT NULL,
	tx_id         TEXT   NOT NULL,
	block_number  BIGINT NOT NULL,
	record        TEXT   NOT NULL
);
CREATE INDEX indexer_enterprises_role ON indexer_enterprises (role, seq);
CREATE TABLE indexer_invoices (
	seq           {{seq}},
	id            TEXT   NOT NULL UNIQUE,
	supplier      TEXT   NOT NULL,
	buyer         TEXT   NOT NULL,
	status        TEXT   NOT NULL,
	due_date      BIGINT NOT NULL,
	used_by       TEXT   NOT NULL,
	registered_at BIGINT NOT NULL,
	updated_at    BIGINT NOT NULL,
	tx_id         TEXT   NOT NULL,
	block_number  BIGINT NOT NULL,
	record        TEXT   NOT NULL
);
CREATE INDEX indexer_invoices_supplier ON indexer_invoices (supplier, seq);
CREATE INDEX indexer_invoices_buyer ON indexer_invoices (buyer, seq);
CREATE TABLE indexer_credit_lines (
` + creditLineTable + `	UNIQUE (core, bank)
);
CREATE INDEX indexer_credit_lines_bank ON indexer_credit_lines (bank, seq);
CREATE TABLE indexer_tokens (
	seq            {{seq}},
	id             TEXT    NOT NULL UNIQUE,
	root           TEXT    NOT NULL,
	parents        TEXT    NOT NULL,
	tier           INTEGER NOT NULL,
	issuer         TEXT    NOT NULL,
	bank           TEXT    NOT NULL,
	holder         TEXT    NOT NULL,
	status         TEXT    NOT NULL,
	financing_bank TEXT    NOT NULL,
	maturity       BIGINT  NOT NULL,
	commitment     {{blob}} NOT NULL,
	created_at     BIGINT  NOT NULL,
	updated_at     BIGINT  NOT NULL,
	tx_id          TEXT    NOT NULL,
	block_number   BIGINT  NOT NULL,
	last_tx_id     TEXT    NOT NULL,
	last_block     BIGINT  NOT NULL,
	record         TEXT    NOT NULL
);
CREATE INDEX indexer_tokens_holder ON indexer_tokens (holder, seq);
CREATE INDEX indexer_tokens_issuer ON indexer_tokens (issuer, seq);
CREATE INDEX indexer_tokens_root ON indexer_tokens (root, seq);
CREATE INDEX indexer_tokens_bank ON indexer_tokens (bank, seq);
CREATE INDEX indexer_tokens_status ON indexer_tokens (status, seq);
CREATE TABLE indexer_financing_requests (
	seq            {{seq}},
	token_id       TEXT   NOT NULL,
	bank           TEXT   NOT NULL,
	requester      TEXT   NOT NULL,
	status         TEXT   NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED', 'CANCELLED')),
	requested_at   BIGINT NOT NULL,
	decided_at     BIGINT NOT NULL,
	request_tx     TEXT   NOT NULL,
	request_block  BIGINT NOT NULL,
	decision_tx    TEXT   NOT NULL,
	decision_block BIGINT NOT NULL,
	UNIQUE (request_tx, token_id)
);
CREATE INDEX indexer_financing_bank ON indexer_financing_requests (bank, seq);
CREATE INDEX indexer_financing_token ON indexer_financing_requests (token_id, seq)`), currencies(d)}
}

// currencies adds each record's ISO 4217 currency (issue 19): a column on
// tokens, invoices and credit lines, filled from the stored records ("" for
// those before currencies), and a credit line is now one per (core, bank,
// currency). SQLite cannot drop a constraint, so it rebuilds the table
// (keeping seq, the listings' keyset); PostgreSQL replaces the constraint.
func currencies(d store.Dialect) string {
	columns := `ALTER TABLE indexer_tokens ADD COLUMN currency TEXT NOT NULL DEFAULT '';
ALTER TABLE indexer_invoices ADD COLUMN currency TEXT NOT NULL DEFAULT '';
CREATE INDEX indexer_tokens_currency ON indexer_tokens (currency, seq);
`
	if d == store.Postgres {
		return columns + `UPDATE indexer_tokens SET currency = COALESCE(record::json->>'currency', '');
UPDATE indexer_invoices SET currency = COALESCE(record::json->>'currency', '');
ALTER TABLE indexer_credit_lines ADD COLUMN currency TEXT NOT NULL DEFAULT '';
UPDATE indexer_credit_lines SET currency = COALESCE(record::json->>'currency', '');
ALTER TABLE indexer_credit_lines DROP CONSTRAINT indexer_credit_lines_core_bank_key;
ALTER TABLE indexer_credit_lines ADD CONSTRAINT indexer_credit_lines_core_bank_currency_key UNIQUE (core, bank, currency)`
	}
	return d.DDL().Replace(columns + `UPDATE indexer_tokens SET currency = COALESCE(json_extract(record, '$.currency'), '');
UPDATE indexer_invoices SET currency = COALESCE(json_extract(record, '$.currency'), '');
CREATE TABLE indexer_credit_lines_v2 (
` + creditLineTable + `	currency     TEXT   NOT NULL DEFAULT '',
	UNIQUE (core, bank, currency)
);
INSERT INTO indexer_credit_lines_v2
	(seq, core, bank, credit_limit, expiry, outstanding, issued, settled, granted_at, updated_at, tx_id, block_number, record, currency)
	SELECT seq, core, bank, credit_limit, expiry, outstanding, issued, settled, granted_at, updated_at, tx_id, block_number, record,
	COALESCE(json_extract(record, '$.currency'), '') FROM indexer_credit_lines;
DROP TABLE indexer_credit_lines;
ALTER TABLE indexer_credit_lines_v2 RENAME TO indexer_credit_lines;
CREATE INDEX indexer_credit_lines_bank ON indexer_credit_lines (bank, seq)`)
}
