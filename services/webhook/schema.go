package webhook

import (
	"github.com/tierchain/tierchain/services/store"
)

// component is the package's name in schema_migrations.
const component = "webhook"

// migrations is append-only (store.Migrate checks the checksums).
//
//   - webhook_subscriptions: an enterprise's endpoint, the event types it
//     wants (space-separated, empty: all) and the HMAC secret.
//   - webhook_outbox: one row per notification and subscription, unique on
//     (subscription, event key) so that an event learned twice is sent
//     once; delivered_at is set on a 2xx, until then next_attempt_at
//     (Unix ms) is when Deliver tries next and lease_until keeps two
//     deliverers from sending the same row at once.
func migrations(d store.Dialect) []string {
	r := d.DDL()
	return []string{r.Replace(`
CREATE TABLE webhook_subscriptions (
	id          TEXT     NOT NULL PRIMARY KEY,
	enterprise  TEXT     NOT NULL,
	url         TEXT     NOT NULL,
	events      TEXT     NOT NULL,
	secret      {{blob}} NOT NULL,
	created_at  BIGINT   NOT NULL
);
CREATE INDEX webhook_subscriptions_enterprise ON webhook_subscriptions (enterprise);
CREATE TABLE webhook_outbox (
	id              TEXT     NOT NULL PRIMARY KEY,
	subscription_id TEXT     NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
	event_key       TEXT     NOT NULL,
	event_type      TEXT     NOT NULL,
	payload         {{blob}} NOT NULL,
	attempts        INTEGER  NOT NULL,
	next_attempt_at BIGINT   NOT NULL,
	lease_until     BIGINT   NOT NULL,
	delivered_at    BIGINT,
	last_error      TEXT     NOT NULL,
	created_at      BIGINT   NOT NULL,
	UNIQUE (subscription_id, event_key)
);
CREATE INDEX webhook_outbox_due ON webhook_outbox (delivered_at, next_attempt_at);
`)}
}
