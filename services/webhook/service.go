package webhook

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/services/store"
)

// Bounds and defaults.
const (
	MaxURLLength      = 2048
	MaxSubscriptions  = 16 // per enterprise
	SecretSize        = 32
	DefaultMinBackoff = time.Second
	DefaultMaxBackoff = time.Hour
	DefaultTimeout    = 10 * time.Second
	DefaultBatch      = 64
	DefaultLease      = time.Minute
)

// Config configures a Service. Zero values take the defaults.
type Config struct {
	Client     *http.Client     // its Timeout bounds each delivery; redirects are never followed
	Now        func() time.Time // the clock (tests move it)
	Logger     *slog.Logger
	Random     io.Reader // secrets and IDs (crypto/rand)
	MinBackoff time.Duration
	MaxBackoff time.Duration
	Batch      int           // rows per Deliver pass
	Lease      time.Duration // how long a row being sent is reserved for this deliverer
	// MasterKey, when set (MasterKeySize bytes), encrypts the subscriptions'
	// secrets at rest (AES-256-GCM); without it they are stored as they are.
	MasterKey []byte
	// AllowNetworks are the non-public networks deliveries may reach (a
	// bank's systems on the gateway's private network); every other
	// non-public address is refused (destination.go).
	AllowNetworks []netip.Prefix
}

// Service keeps subscriptions and the outbox, and delivers.
type Service struct {
	db  *store.DB
	cfg Config
}

// New migrates the webhook schema in db and returns the service.
func New(ctx context.Context, db *store.DB, cfg Config) (*Service, error) {
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: DefaultTimeout}
	}
	c := cfg.guardClient(cfg.Client)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	cfg.Client = c
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Random == nil {
		cfg.Random = rand.Reader
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = DefaultMinBackoff
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = max(DefaultMaxBackoff, cfg.MinBackoff)
	}
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.MasterKey != nil && len(cfg.MasterKey) != MasterKeySize {
		return nil, fmt.Errorf("webhook: master key of %d bytes, want %d", len(cfg.MasterKey), MasterKeySize)
	}
	if err := db.Migrate(ctx, component, migrations(db.Dialect)); err != nil {
		return nil, err
	}
	return &Service{db: db, cfg: cfg}, nil
}

// Subscription is an enterprise's endpoint. The secret is returned once,
// by Subscribe.
type Subscription struct {
	ID         string      `json:"id"`
	Enterprise string      `json:"enterprise"`
	URL        string      `json:"url"`
	Events     []EventType `json:"events"` // empty: every type
	CreatedAt  time.Time   `json:"createdAt"`
}

// ValidateURL accepts absolute http and https URLs with a host and no user
// information, at most MaxURLLength bytes.
func ValidateURL(raw string) error {
	if len(raw) > MaxURLLength {
		return ErrBadURL.With("longer than 2048 bytes")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return ErrBadURL.With("not a URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return ErrBadURL.With("scheme " + strings.ToLower(u.Scheme))
	}
	if u.Host == "" || u.Hostname() == "" || u.User != nil || u.Opaque != "" {
		return ErrBadURL.With("a host and no user information")
	}
	return nil
}

func (s *Service) newID(prefix string) (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(s.cfg.Random, b); err != nil {
		return "", err
	}
	return prefix + hex.EncodeToString(b), nil
}

// Subscribe registers url for enterprise's notifications of events (all
// types when empty) and returns the subscription and its HMAC secret.
func (s *Service) Subscribe(ctx context.Context, enterprise, rawURL string, events []EventType) (*Subscription, []byte, error) {
	if err := model.ValidateID("enterprise", enterprise); err != nil {
		return nil, nil, err
	}
	if err := ValidateURL(rawURL); err != nil {
		return nil, nil, err
	}
	if u, _ := url.Parse(rawURL); u != nil {
		if err := s.cfg.checkHost(u); err != nil {
			return nil, nil, err
		}
	}
	names := make([]string, 0, len(events))
	for _, e := range events {
		if !slices.Contains(EventTypes, e) {
			return nil, nil, ErrBadEvent.With(string(e))
		}
		if !slices.Contains(names, string(e)) {
			names = append(names, string(e))
		}
	}
	slices.Sort(names)
	id, err := s.newID("wh")
	if err != nil {
		return nil, nil, err
	}
	secret := make([]byte, SecretSize)
	if _, err := io.ReadFull(s.cfg.Random, secret); err != nil {
		return nil, nil, err
	}
	stored, err := s.sealSecret(id, secret)
	if err != nil {
		return nil, nil, err
	}
	now := s.cfg.Now()
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM webhook_subscriptions WHERE enterprise = ?`), enterprise).Scan(&n); err != nil {
			return err
		}
		if n >= MaxSubscriptions {
			return ErrTooMany.With(enterprise)
		}
		_, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO webhook_subscriptions (id, enterprise, url, events, secret, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`), id, enterprise, rawURL, strings.Join(names, " "), stored, now.UnixMilli())
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	sub := &Subscription{ID: id, Enterprise: enterprise, URL: rawURL, Events: toTypes(names), CreatedAt: time.UnixMilli(now.UnixMilli()).UTC()}
	return sub, secret, nil
}

func toTypes(names []string) []EventType {
	out := make([]EventType, 0, len(names))
	for _, n := range names {
		if n != "" {
			out = append(out, EventType(n))
		}
	}
	return out
}

// Subscriptions lists enterprise's subscriptions.
func (s *Service) Subscriptions(ctx context.Context, enterprise string) ([]Subscription, error) {
	return store.QueryAll(ctx, s.db.SQL, func(r store.Scanner) (Subscription, error) {
		sub := Subscription{Enterprise: enterprise}
		var events string
		var created int64
		err := r.Scan(&sub.ID, &sub.URL, &events, &created)
		sub.Events, sub.CreatedAt = toTypes(strings.Fields(events)), time.UnixMilli(created).UTC()
		return sub, err
	}, s.db.Rebind(`SELECT id, url, events, created_at FROM webhook_subscriptions
		WHERE enterprise = ? ORDER BY created_at, id`), enterprise)
}

// Unsubscribe deletes one of enterprise's subscriptions with its
// undelivered notifications.
func (s *Service) Unsubscribe(ctx context.Context, enterprise, id string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM webhook_outbox WHERE subscription_id IN
			(SELECT id FROM webhook_subscriptions WHERE id = ? AND enterprise = ?)`), id, enterprise); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, s.db.Rebind(`DELETE FROM webhook_subscriptions WHERE id = ? AND enterprise = ?`), id, enterprise)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return ErrNotFound.With(id)
		}
		return nil
	})
}

// HandleEvent puts the notifications a chaincode event gives into the
// outbox of every matching subscription, and returns how many rows it
// added. An event handled twice adds nothing the second time.
func (s *Service) HandleEvent(ctx context.Context, ev model.Event) (int, error) {
	return s.enqueue(ctx, noticesOf(ev))
}

// ReceiveEvent is HandleEvent as a consumer of the gateway's ledger stream
// (a ledgerstream.Consumer, for every chaincode event of its peer): a
// failure is logged and returned, which holds the stream, and the event is
// handled again when the stream delivers it again.
func (s *Service) ReceiveEvent(ctx context.Context, ev model.Event) error {
	if _, err := s.HandleEvent(ctx, ev); err != nil {
		s.cfg.Logger.LogAttrs(ctx, slog.LevelError, "webhook: event not queued", slog.String("tx", ev.TxID),
			slog.String("kind", ev.Kind), slog.String("error", err.Error()))
		return err
	}
	return nil
}

// TokenLister lists the tokens a bank holds (the gateway's ledger or its
// read model).
type TokenLister func(ctx context.Context, bank string) ([]model.TokenView, error)

// SweepMaturities runs MaturityDue for every enterprise with a
// subscription that holds tokens, as of now with horizon: call it daily.
func (s *Service) SweepMaturities(ctx context.Context, list TokenLister, horizon time.Duration) (int, error) {
	ents, err := store.QueryAll(ctx, s.db.SQL, scanString, `SELECT DISTINCT enterprise FROM webhook_subscriptions ORDER BY enterprise`)
	if err != nil {
		return 0, err
	}
	added, now := 0, s.cfg.Now()
	for _, e := range ents {
		tokens, err := list(ctx, e)
		if err != nil {
			return added, err
		}
		n, err := s.MaturityDue(ctx, e, tokens, now, horizon)
		added += n
		if err != nil {
			return added, err
		}
	}
	return added, nil
}

// MaturityDue notifies bank of each token it holds FINANCED (or
// DEFAULTED) that matures by now + horizon: once per token.
func (s *Service) MaturityDue(ctx context.Context, bank string, tokens []model.TokenView, now time.Time, horizon time.Duration) (int, error) {
	var ns []notice
	for _, t := range tokens {
		if t.Holder != bank || (t.LedgerStatus != model.TokenFinanced && t.LedgerStatus != model.TokenDefaulted) || t.Maturity.After(now.Add(horizon)) {
			continue
		}
		ns = append(ns, notice{to: bank, typ: MaturityDue, key: string(MaturityDue) + "/" + t.ID + "/" + bank,
			data: map[string]string{"token": t.ID, "maturity": t.Maturity.UTC().Format(time.RFC3339)}})
	}
	return s.enqueue(ctx, ns)
}

func (s *Service) enqueue(ctx context.Context, ns []notice) (int, error) {
	if len(ns) == 0 {
		return 0, nil
	}
	now := s.cfg.Now()
	added := 0
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		added = 0
		for _, n := range ns {
			type target struct{ id, events string }
			subs, err := store.QueryAll(ctx, tx, func(r store.Scanner) (target, error) {
				var t target
				return t, r.Scan(&t.id, &t.events)
			}, s.db.Rebind(`SELECT id, events FROM webhook_subscriptions WHERE enterprise = ? ORDER BY id`), n.to)
			if err != nil {
				return err
			}
			for _, sub := range subs {
				if f := strings.Fields(sub.events); len(f) > 0 && !slices.Contains(f, string(n.typ)) {
					continue
				}
				id, err := s.newID("ev")
				if err != nil {
					return err
				}
				body, err := json.Marshal(Notification{ID: id, Type: n.typ, Enterprise: n.to, CreatedAt: now.UTC().Truncate(time.Millisecond),
					TxID: n.tx, Data: n.data})
				if err != nil {
					return err
				}
				var exists int
				err = tx.QueryRowContext(ctx, s.db.Rebind(`SELECT COUNT(*) FROM webhook_outbox WHERE subscription_id = ? AND event_key = ?`),
					sub.id, n.key).Scan(&exists)
				if err != nil {
					return err
				}
				if exists > 0 {
					continue
				}
				if _, err := tx.ExecContext(ctx, s.db.Rebind(`INSERT INTO webhook_outbox (id, subscription_id, event_key, event_type, payload,
					attempts, next_attempt_at, lease_until, delivered_at, last_error, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, 0, NULL, '', ?)`),
					id, sub.id, n.key, string(n.typ), body, now.UnixMilli(), now.UnixMilli()); err != nil {
					return err
				}
				added++
			}
		}
		return nil
	})
	return added, err
}

// backoff is the wait after the n-th failed attempt (n ≥ 1): MinBackoff
// doubling, capped at MaxBackoff.
func (s *Service) backoff(n int) time.Duration {
	d := s.cfg.MinBackoff
	for i := 1; i < n && d < s.cfg.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, s.cfg.MaxBackoff)
}

// due is one outbox row ready to send.
type due struct {
	id, sub, url, typ string
	secret, body      []byte
	attempts          int
}

// Deliver makes one pass over the due notifications: each is leased, sent
// and marked delivered on a 2xx, or rescheduled with backoff. It returns
// how many were delivered and how many failed this pass.
func (s *Service) Deliver(ctx context.Context) (delivered, failed int, err error) {
	now := s.cfg.Now()
	batch, err := store.QueryAll(ctx, s.db.SQL, func(r store.Scanner) (due, error) {
		var d due
		return d, r.Scan(&d.id, &d.sub, &d.url, &d.typ, &d.secret, &d.body, &d.attempts)
	}, s.db.Rebind(`SELECT o.id, s.id, s.url, o.event_type, s.secret, o.payload, o.attempts
		FROM webhook_outbox o JOIN webhook_subscriptions s ON s.id = o.subscription_id
		WHERE o.delivered_at IS NULL AND o.next_attempt_at <= ? AND o.lease_until <= ?
		ORDER BY o.next_attempt_at, o.created_at, o.id LIMIT ?`), now.UnixMilli(), now.UnixMilli(), s.cfg.Batch)
	if err != nil {
		return 0, 0, err
	}
	for _, d := range batch {
		// Lease the row: another deliverer (another gateway process on
		// the same database) skips it until the lease ends.
		res, err := s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE webhook_outbox SET lease_until = ?
			WHERE id = ? AND delivered_at IS NULL AND lease_until <= ?`), now.Add(s.cfg.Lease).UnixMilli(), d.id, now.UnixMilli())
		if err != nil {
			return delivered, failed, err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			continue
		}
		var sendErr error
		if d.secret, err = s.openSecret(d.sub, d.secret); err != nil {
			sendErr = err // not sent unsigned: retried, and logged, until the key is right
		} else {
			sendErr = s.send(ctx, d)
		}
		done := s.cfg.Now()
		if sendErr == nil {
			_, err = s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE webhook_outbox SET delivered_at = ?, attempts = ?, lease_until = 0, last_error = ''
				WHERE id = ?`), done.UnixMilli(), d.attempts+1, d.id)
			delivered++
		} else {
			msg := sendErr.Error()
			if len(msg) > 500 {
				msg = msg[:500]
			}
			_, err = s.db.SQL.ExecContext(ctx, s.db.Rebind(`UPDATE webhook_outbox SET attempts = ?, next_attempt_at = ?, lease_until = 0, last_error = ?
				WHERE id = ?`), d.attempts+1, done.Add(s.backoff(d.attempts+1)).UnixMilli(), msg, d.id)
			failed++
			s.cfg.Logger.LogAttrs(ctx, slog.LevelWarn, "webhook delivery failed", slog.String("event", d.id),
				slog.String("type", d.typ), slog.Int("attempt", d.attempts+1), slog.String("error", msg))
		}
		if err != nil {
			return delivered, failed, err
		}
	}
	return delivered, failed, nil
}

func (s *Service) send(ctx context.Context, d due) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(d.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "TierChain-Webhook/1")
	req.Header.Set(HeaderEventID, d.id)
	req.Header.Set(HeaderEventType, d.typ)
	req.Header.Set(HeaderSignature, Sign(d.secret, d.body, s.cfg.Now()))
	res, err := s.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	if res.StatusCode < 200 || res.StatusCode > 299 {
		return fmt.Errorf("receiver answered %d", res.StatusCode)
	}
	return nil
}

// Run delivers every interval until ctx ends.
func (s *Service) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, _, err := s.Deliver(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.cfg.Logger.LogAttrs(ctx, slog.LevelError, "webhook delivery pass", slog.String("error", err.Error()))
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Delivery is one notification's delivery state, for its enterprise.
type Delivery struct {
	ID           string     `json:"id"`
	Subscription string     `json:"subscription"`
	Type         EventType  `json:"type"`
	Attempts     int        `json:"attempts"`
	NextAttempt  time.Time  `json:"nextAttemptAt"`
	DeliveredAt  *time.Time `json:"deliveredAt,omitempty"`
	LastError    string     `json:"lastError,omitempty"`
	CreatedAt    time.Time  `json:"createdAt"`
}

// Deliveries lists enterprise's latest notifications, newest first.
func (s *Service) Deliveries(ctx context.Context, enterprise string, limit int) ([]Delivery, error) {
	return store.QueryAll(ctx, s.db.SQL, func(r store.Scanner) (Delivery, error) {
		var d Delivery
		var next, created int64
		var delivered sql.NullInt64
		err := r.Scan(&d.ID, &d.Subscription, &d.Type, &d.Attempts, &next, &delivered, &d.LastError, &created)
		d.NextAttempt, d.CreatedAt = time.UnixMilli(next).UTC(), time.UnixMilli(created).UTC()
		if delivered.Valid {
			t := time.UnixMilli(delivered.Int64).UTC()
			d.DeliveredAt = &t
		}
		return d, err
	}, s.db.Rebind(`SELECT o.id, o.subscription_id, o.event_type, o.attempts, o.next_attempt_at,
		o.delivered_at, o.last_error, o.created_at FROM webhook_outbox o JOIN webhook_subscriptions s ON s.id = o.subscription_id
		WHERE s.enterprise = ? ORDER BY o.created_at DESC, o.id LIMIT ?`), enterprise, limit)
}

// scanString reads a row of one text column.
func scanString(r store.Scanner) (string, error) {
	var s string
	return s, r.Scan(&s)
}
