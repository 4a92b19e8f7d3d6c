package wallet

import "github.com/tierchain/tierchain/services/store"

// component is the wallet's name in schema_migrations.
const component = "wallet"

// Record kinds of wallet_openings.
const (
	kindToken     = "token"     // a token the enterprise holds or held
	kindFinancing = "financing" // a token whose financing the enterprise (a bank) was asked for
	kindRoot      = "root"      // a receivable the enterprise (a core) issued
	kindInvoice   = "invoice"   // an invoice owed by the enterprise (a core)
)

// migrations is append-only (store.Migrate checks the checksums).
//
//   - wallet_meta: the master-key check record.
//   - wallet_keys: one HPKE key per enterprise; the private key sealed.
//   - wallet_openings: one opening per (enterprise, kind, ledger ID), sealed
//     and bound to the commitment; live is 1 while the ledger still lists
//     it for the enterprise (held, pending, unsettled, owed), status is the
//     ledger's stored status as of the last Sync.
//   - wallet_bad_envelopes (2): the envelopes addressed to the enterprise
//     that did not open their commitment, with the sender the ledger
//     names; keyed like wallet_openings, envelope_hash is SHA-256 of the
//     envelope so the same bad bytes are not opened again, and a row goes
//     when its record opens (another envelope for it).
//   - wallet_openings.currency (3): the ISO 4217 code of the record's
//     amount, from the ledger (” for a record from before currencies, and
//     for a legacy token); a core's outstanding sum is per (bank, currency).
//   - wallet_refs (4): the invoice numbers of a receivable the enterprise
//     holds a piece of, per root, sealed at rest (refs.go).
func migrations(d store.Dialect) []string {
	r := d.DDL()
	return []string{r.Replace(`
CREATE TABLE wallet_meta (
	name  TEXT     NOT NULL PRIMARY KEY,
	value {{blob}} NOT NULL
);
CREATE TABLE wallet_keys (
	enterprise_id      TEXT     NOT NULL PRIMARY KEY,
	public_key         {{blob}} NOT NULL,
	sealed_private_key {{blob}} NOT NULL,
	created_at         BIGINT   NOT NULL
);
CREATE TABLE wallet_openings (
	enterprise_id  TEXT     NOT NULL REFERENCES wallet_keys (enterprise_id) ON DELETE CASCADE,
	kind           TEXT     NOT NULL CHECK (kind IN ('token', 'financing', 'root', 'invoice')),
	id             TEXT     NOT NULL,
	root           TEXT     NOT NULL,
	bank           TEXT     NOT NULL,
	status         TEXT     NOT NULL,
	maturity       BIGINT   NOT NULL,
	live           INTEGER  NOT NULL CHECK (live IN (0, 1)),
	commitment     {{blob}} NOT NULL,
	sealed_opening {{blob}} NOT NULL,
	updated_at     BIGINT   NOT NULL,
	PRIMARY KEY (enterprise_id, kind, id)
);
CREATE INDEX wallet_openings_root ON wallet_openings (enterprise_id, kind, root)`), r.Replace(`
CREATE TABLE wallet_bad_envelopes (
	enterprise_id TEXT     NOT NULL REFERENCES wallet_keys (enterprise_id) ON DELETE CASCADE,
	kind          TEXT     NOT NULL CHECK (kind IN ('token', 'financing', 'root', 'invoice')),
	id            TEXT     NOT NULL,
	root          TEXT     NOT NULL,
	sender        TEXT     NOT NULL,
	reason        TEXT     NOT NULL,
	commitment    {{blob}} NOT NULL,
	envelope_hash {{blob}} NOT NULL,
	sealed_in     TEXT     NOT NULL,
	detected_at   BIGINT   NOT NULL,
	PRIMARY KEY (enterprise_id, kind, id)
)`), `ALTER TABLE wallet_openings ADD COLUMN currency TEXT NOT NULL DEFAULT ''`, r.Replace(`
CREATE TABLE wallet_refs (
	enterprise_id TEXT     NOT NULL REFERENCES wallet_keys (enterprise_id) ON DELETE CASCADE,
	root          TEXT     NOT NULL,
	sealed_refs   {{blob}} NOT NULL,
	updated_at    BIGINT   NOT NULL,
	PRIMARY KEY (enterprise_id, root)
)`)}
}
