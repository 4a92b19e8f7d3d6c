package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"
	_ "time/tzdata" // TimeZone names an IANA zone on any host, with or without its zoneinfo

	"github.com/tierchain/tierchain/services/store"
)

// Config is the gateway's tunables. Zero fields take the defaults shown.
type Config struct {
	// Addr is the listen address for Run (":8080").
	Addr string

	// http.Server timeouts. WriteTimeout bounds ordinary responses; the
	// events stream lifts it for itself.
	ReadHeaderTimeout time.Duration // 5s
	ReadTimeout       time.Duration // 30s
	WriteTimeout      time.Duration // 2m
	IdleTimeout       time.Duration // 2m
	ShutdownTimeout   time.Duration // 20s: in-flight requests finish within it
	MaxHeaderBytes    int           // 64 KiB

	// ReadTimeoutPerRoute and WriteTimeoutPerRoute are the context deadlines
	// of the two route classes: queries, and writes that wait for a commit.
	ReadTimeoutPerRoute  time.Duration // 15s
	WriteTimeoutPerRoute time.Duration // 90s

	// MaxBodyBytes bounds request bodies unless a route says otherwise.
	MaxBodyBytes int64 // 1 MiB

	// IdempotencyTTL is how long a stored response is replayed for a key.
	IdempotencyTTL time.Duration // 24h
	// IdempotencyLock is how long an in-flight key blocks duplicates before
	// another request may take it over (a crashed process leaves it behind).
	IdempotencyLock time.Duration // WriteTimeoutPerRoute + 30s
	// Instance labels this gateway's Idempotency-Key claims and its runs in
	// the database (the owner columns of gateway_idempotency and
	// gateway_runs), for operators; "-" leaves them unlabelled. It plays no
	// part in deciding which claims are abandoned: that is each run's
	// heartbeat (RunStaleAfter), so gateways may share a name.
	Instance string // the host name

	// EventsHeartbeat is the interval of the events stream's keep-alive
	// comments; EventsBuffer the number of recent events kept for
	// Last-Event-ID resumption.
	EventsHeartbeat time.Duration // 15s
	EventsBuffer    int           // 1024

	// ReadyCheckTimeout bounds each readiness check.
	ReadyCheckTimeout time.Duration // 2s

	// Tokens are seeded into the token table at Prepare (dev and demo).
	Tokens []SeedToken

	// MetricsTokens are the hex SHA-256 hashes (HashToken) of scrape-only
	// bearer tokens for /metrics. The operator's API tokens work too; no
	// other credential does.
	MetricsTokens []string

	// AuthFailures failed authentications (unknown or revoked tokens) per
	// client address, and per token prefix, in AuthFailureWindow block
	// that address or prefix with 429 until the window ends. At most
	// AuthFailureKeys addresses and prefixes are tracked each.
	AuthFailures      int           // 10
	AuthFailureWindow time.Duration // 5m
	AuthFailureKeys   int           // 65536

	// TrustedProxies are the addresses or CIDRs of reverse proxies whose
	// X-Forwarded-For names the client (for the failure limiter and
	// logs); none by default, so the TCP peer is the client.
	TrustedProxies []string

	// Host is the organisation this gateway runs for (one gateway per
	// organisation); zero: the gateway does not check (tests of the
	// plumbing alone). See Host.
	Host Host
	// TimeZone is the platform's IANA time zone ("Asia/Shanghai", the
	// default), given to clients by GET /v1/me: the console shows dates in
	// it and reads a maturity date as the end of that day there.
	TimeZone string
}

// Host is the organisation a gateway runs for.
type Host struct {
	// Org names it (e.g. "BankB"). Every response carries it in the
	// TierChain-Org header, so a client sees which gateway served it; a
	// request whose TierChain-Org header names another organisation is
	// refused with 403 NOT_HOSTED before anything else is done.
	Org string
	// MSPID is its MSP: a request acting for an enterprise of another MSP
	// is refused with 403 NOT_HOSTED (its identity is not here to sign
	// with).
	MSPID string
	// ReadOnly refuses every write on /v1 with 403 READ_ONLY before it
	// touches the ledger (the regulator's gateway).
	ReadOnly bool
}

// DefaultTimeZone is the platform's time zone when the configuration names
// none.
const DefaultTimeZone = "Asia/Shanghai"

func (c Config) withDefaults() Config {
	dur := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.Addr == "" {
		c.Addr = ":8080"
	}
	if c.TimeZone == "" {
		c.TimeZone = DefaultTimeZone
	}
	dur(&c.ReadHeaderTimeout, 5*time.Second)
	dur(&c.ReadTimeout, 30*time.Second)
	dur(&c.WriteTimeout, 2*time.Minute)
	dur(&c.IdleTimeout, 2*time.Minute)
	dur(&c.ShutdownTimeout, 20*time.Second)
	if c.MaxHeaderBytes <= 0 {
		c.MaxHeaderBytes = 64 << 10
	}
	dur(&c.ReadTimeoutPerRoute, 15*time.Second)
	dur(&c.WriteTimeoutPerRoute, 90*time.Second)
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	dur(&c.IdempotencyTTL, 24*time.Hour)
	dur(&c.IdempotencyLock, c.WriteTimeoutPerRoute+30*time.Second)
	switch c.Instance {
	case "":
		c.Instance, _ = os.Hostname()
	case "-":
		c.Instance = ""
	}
	dur(&c.EventsHeartbeat, 15*time.Second)
	if c.EventsBuffer <= 0 {
		c.EventsBuffer = 1024
	}
	dur(&c.ReadyCheckTimeout, 2*time.Second)
	if c.AuthFailures <= 0 {
		c.AuthFailures = 10
	}
	dur(&c.AuthFailureWindow, 5*time.Minute)
	if c.AuthFailureKeys <= 0 {
		c.AuthFailureKeys = 1 << 16
	}
	return c
}

// Deps are the gateway's collaborators. DB and Logger are required.
type Deps struct {
	Logger *slog.Logger
	// DB holds the gateway's tables (tokens, idempotency keys); component
	// "gateway" in schema_migrations.
	DB *store.DB
	// LookupTx finds a write's lost transaction on the principal's peer, so
	// that a retry after 504 OUTCOME_UNKNOWN gets the committed result
	// (see idempotency.Resolve). Nil: a key with a lost transaction is held until
	// IdempotencyLock, then the request runs again.
	LookupTx TxLookup
	// ReadyChecks are probed by /readyz beside the database ping, e.g.
	// {"ledger": client.Ping}. Names appear in the response; errors only
	// in the log.
	ReadyChecks map[string]func(ctx context.Context) error
	// Broker feeds /v1/events; nil makes a new one (see Server.Broker).
	Broker *Broker
	// Routes register the business routes on the authenticated /v1 group.
	Routes []func(*Routes)
	// Console, when set, serves the web console's static pages under
	// /console/ (the handler sees paths with the prefix stripped).
	Console http.Handler
	// Now is the clock (time.Now when nil); tests move it.
	Now func() time.Time
}

// ErrConfig reports a Config or Deps that New cannot use.
var ErrConfig = errors.New("gateway: bad config")

func (d Deps) check() error {
	switch {
	case d.Logger == nil:
		return fmt.Errorf("%w: no logger", ErrConfig)
	case d.DB == nil:
		return fmt.Errorf("%w: no database", ErrConfig)
	}
	return nil
}
