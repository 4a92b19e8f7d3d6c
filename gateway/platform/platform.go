// Package platform assembles ONE organisation's TierChain gateway on a
// network: the directory of the enterprises it acts for (its founding
// enterprise, and at the operator's the suppliers it hosts), their wallets,
// the business API, and the ledger event feed and indexer, both reading
// from the organisation's own peer. It is configured with the plain
// description of that organisation (internal/orgconfig, version 2), not
// with the launcher that started its nodes; `tierchain serve` runs it, and
// the end-to-end tests start one per organisation (platformtest).
//
// What a gateway holds is its own organisation's only: the identities and
// the founding enterprise's HPKE key from its description's files (the
// wallet imports the key; it is never generated here), the regulator's
// audit key in the regulator's gateway alone (read from its file, kept in
// memory, stored in no database). The operator's gateway registers its own
// enterprise with its organisation's Admin, then every enterprise card of
// the consortium (internal/enterprisecard) not on the ledger yet, at start
// and again on a timer; it alone serves onboarding and the OPRF. The other
// gateways wait, not ready ("registered"), until their enterprise is on
// the ledger. The regulator's gateway is read-only.
package platform

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/gateway/console"
	"github.com/tierchain/tierchain/gateway/ledgerfeed"
	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/internal/fabricca"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/orgconfig"
	"github.com/tierchain/tierchain/services/audit"
	"github.com/tierchain/tierchain/services/custody"
	"github.com/tierchain/tierchain/services/directory"
	"github.com/tierchain/tierchain/services/indexer"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/services/ledgerstream"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/wallet"
	"github.com/tierchain/tierchain/services/webhook"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/oprf"
)

// Config locates the network and the gateway's own state.
type Config struct {
	// Org describes the organisation the gateway runs for: its peer, its
	// identities, its founding enterprise and its keys' files, the channel
	// and the chaincode (internal/orgconfig; `tierchain up` writes one per
	// organisation with internal/fabnet, a deployment writes its own).
	Org orgconfig.Description
	// DataDir keeps the gateway's database (unless DSN says otherwise), its
	// master key and the dev API tokens.
	DataDir string
	DSN     string // default sqlite:<DataDir>/gateway.db
	// MasterKey seals keys at rest; default: read (or create, mode 0600)
	// <DataDir>/master.key.
	MasterKey []byte
	Logger    *slog.Logger
	// Gateway tunes the HTTP server (timeouts, limits, idempotency lock);
	// zero fields take the gateway's defaults. The founding enterprise's
	// dev token is added to its Tokens, and its Host is set from Org.
	Gateway gateway.Config
	// CardsEvery is how often the operator's gateway looks for enterprise
	// cards to register, and another gateway whether its enterprise is
	// registered yet (default 5s).
	CardsEvery time.Duration
	// OPRF reaches the operator's OPRF from a gateway that is not the
	// operator's: a core's gateway needs it to confirm invoices. Zero: the
	// description's (Operator, evaluated over HTTP with SignedOPRF), or
	// none, and that gateway fingerprints nothing (invoice confirmation
	// fails).
	OPRF OPRF
	// WalletWasm is the self-custody page's WebAssembly wallet (built from
	// cmd/tierwallet-wasm), served at /console/wallet.wasm; empty: not
	// served.
	WalletWasm string
	// WebhookAllow are the non-public networks the hosted enterprises'
	// webhooks may reach (their systems on this gateway's private network);
	// every other loopback, private or link-local address is refused
	// (services/webhook, destination.go).
	WebhookAllow []netip.Prefix
}

// OPRF is the operator's OPRF as another organisation's gateway reaches
// it: the operator's published public key (every evaluation is checked
// against it) and where to evaluate.
type OPRF struct {
	PublicKey *oprf.ServerPublicKey
	Evaluator invoice.Evaluator
}

// Platform is a running gateway's parts.
type Platform struct {
	Server    *gateway.Server
	Directory *directory.Directory
	Wallet    *wallet.Wallet
	DB        *store.DB
	// Custody records the enterprises that hold their own keys.
	Custody *custody.Store
	// Org is the organisation the gateway runs for; Enterprise its
	// founding enterprise's ID.
	Org        orgconfig.Org
	Enterprise string
	// Tokens are the dev API tokens of the enterprises the gateway was
	// started with (its founding enterprise), by ID.
	Tokens      map[string]string
	log         *slog.Logger
	api         *api.API
	chainStream *ledgerstream.Stream // the one reader of the org's peer: read model, then feed
	client      *fabricclient.Client // the founding enterprise's, on the org's own peer
	cards       *cardRegistrar       // the operator's
	every       time.Duration
	registered  atomic.Bool
	auditKey    *elgamal.PrivateKey   // the regulator's
	oprfPublic  *oprf.ServerPublicKey // the operator's
	opts        fabricclient.Options
	hooks       *webhook.Service // notifications to the hosted enterprises' systems
	wg          sync.WaitGroup
}

// New opens the database, sets up the founding enterprise (directory,
// wallet key) and builds the server. The operator's gateway registers its
// enterprise and the consortium's cards on the ledger before it returns.
func New(ctx context.Context, cfg Config) (*Platform, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if cfg.CardsEvery <= 0 {
		cfg.CardsEvery = 5 * time.Second
	}
	if err := cfg.Org.Validate(); err != nil {
		return nil, fmt.Errorf("platform: %w", err)
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, err
	}
	if cfg.DSN == "" {
		cfg.DSN = "sqlite:" + filepath.Join(cfg.DataDir, "gateway.db")
	}
	if cfg.MasterKey == nil {
		k, err := secretFile(filepath.Join(cfg.DataDir, "master.key"), 32)
		if err != nil {
			return nil, err
		}
		cfg.MasterKey = k
	}
	db, err := store.Open(ctx, cfg.DSN)
	if err != nil {
		return nil, err
	}
	p, err := build(ctx, cfg, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return p, nil
}

func build(ctx context.Context, cfg Config, db *store.DB) (_ *Platform, err error) {
	d := cfg.Org
	o := d.Org
	role := model.Role(o.Role)
	dorg, err := directoryOrg(o)
	if err != nil {
		return nil, err
	}
	pctx := protocol.Context{Channel: d.Channel, Chaincode: d.Chaincode}
	opts := fabricclient.Options{Channel: d.Channel, Chaincode: d.Chaincode, MVCCRetries: 2}
	dir, err := directory.New(ctx, db, cfg.MasterKey, []directory.Org{dorg}, opts)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			dir.Close() // the ledger connections opened so far
		}
	}()
	w, err := wallet.New(ctx, db, cfg.MasterKey, wallet.Config{Context: pctx})
	if err != nil {
		return nil, err
	}
	p := &Platform{Directory: dir, Wallet: w, DB: db, log: cfg.Logger, Org: o, Enterprise: o.Enterprise.ID, every: cfg.CardsEvery, opts: opts}
	if err := p.setUpFounder(ctx, o); err != nil {
		return nil, fmt.Errorf("platform: %w", err)
	}
	if p.client, err = dir.Client(ctx, o.Enterprise.ID); err != nil {
		return nil, err
	}
	repo, err := invoice.NewRepo(ctx, db)
	if err != nil {
		return nil, err
	}
	reuse, err := invoice.NewReuseLog(ctx, db)
	if err != nil {
		return nil, err
	}
	// Which of this gateway's enterprises hold their own keys (the relay).
	cust, err := custody.New(ctx, db, nil)
	if err != nil {
		return nil, err
	}
	p.Custody = cust
	deps := api.Deps{Log: cfg.Logger, Directory: dir, Wallet: w, Reuse: reuse, Custody: cust,
		Tokens: gateway.NewTokenStore(db, time.Now), Context: pctx, Org: o.Name, Self: o.Enterprise.ID}
	invoices := &invoice.Service{Repo: repo}
	// The regulator's report lists the invoice uploads the operator's
	// intake refused: its record is the operator's, read with signed
	// requests when the description names the operator's gateway.
	var reuseSource audit.ReuseSource = api.ReuseSource{Log: reuse}
	switch o.Role {
	case orgconfig.RoleOperator:
		if err := p.registerSelf(ctx, o); err != nil {
			return nil, fmt.Errorf("platform: register the operator: %w", err)
		}
		p.cards = &cardRegistrar{dir: d.CardsDir, by: p.client, self: o.Enterprise.ID, log: cfg.Logger}
		p.cards.run(ctx) // failures are logged and retried on the timer
		oprfKey, err := enterprisecard.ReadOPRFKey(o.Enterprise.OPRFKeyPath)
		if err != nil {
			return nil, fmt.Errorf("platform: the OPRF key: %w", err)
		}
		p.oprfPublic = oprfKey.Public()
		server := oprf.NewServer(oprfKey)
		deps.OPRF, deps.Onboarding, deps.Parties = server, true, p.cards
		invoices.Fingerprinter = invoice.NewOPRFFingerprinter(oprfKey.Public(), invoice.LocalEvaluator{Server: server})
	}
	if d.Operator != nil && o.Role != orgconfig.RoleOperator {
		sc, err := signedClient(d)
		if err != nil {
			return nil, err
		}
		if cfg.OPRF.PublicKey == nil {
			if cfg.OPRF, err = operatorOPRF(d, sc); err != nil {
				return nil, err
			}
		}
		reuseSource = SignedReuse{Client: sc}
	}
	switch o.Role {
	case orgconfig.RoleRegulator:
		if p.auditKey, err = enterprisecard.ReadAuditKey(o.Enterprise.AuditKeyPath); err != nil {
			return nil, fmt.Errorf("platform: the audit key: %w", err)
		}
		regKey, err := w.PrivateKey(ctx, o.Enterprise.ID)
		if err != nil {
			return nil, err
		}
		cache, err := audit.OpenCache(ctx, db, p.auditKey)
		if err != nil {
			return nil, err
		}
		if deps.Auditor, err = audit.New(audit.Config{Ledger: p.client, AuditKey: p.auditKey, EnvelopeKey: regKey,
			Cache: cache, Reuse: reuseSource, Logger: cfg.Logger}); err != nil {
			return nil, err
		}
	}
	if invoices.Fingerprinter == nil && cfg.OPRF.PublicKey != nil && cfg.OPRF.Evaluator != nil {
		invoices.Fingerprinter = invoice.NewOPRFFingerprinter(cfg.OPRF.PublicKey, cfg.OPRF.Evaluator)
	}
	deps.Invoices = invoices
	if p.Tokens, err = devTokens(filepath.Join(cfg.DataDir, "tokens.json"), o.Enterprise.ID); err != nil {
		return nil, err
	}
	index, err := indexer.New(ctx, db, p.client, indexer.Options{Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	// One stream of the org's peer feeds the read model, then (the
	// consumers, added below) the event feed: both at one height.
	p.chainStream = index.Stream(p.client)
	deps.Index = index
	gcfg := cfg.Gateway
	if gcfg.TimeZone == "" {
		gcfg.TimeZone = cfg.Org.TimeZone
	}
	gcfg.Host = gateway.Host{Org: o.Name, MSPID: o.MSPID, ReadOnly: o.Role == orgconfig.RoleRegulator}
	// Prometheus scrapes /metrics with this token (credentials_file), not
	// with an API token that could also act on the ledger.
	scrape, err := secretFile(filepath.Join(cfg.DataDir, "metrics.token"), 32)
	if err != nil {
		return nil, err
	}
	gcfg.MetricsTokens = append(slices.Clone(gcfg.MetricsTokens), gateway.HashToken(hex.EncodeToString(scrape)))
	broker := gateway.NewBroker(gcfg.EventsBuffer) // the ledger feed's and the API's events
	deps.Events = broker
	a := api.New(deps)
	// Webhook subscriptions' secrets are sealed with the gateway's master key.
	hooks, err := webhook.New(ctx, db, webhook.Config{MasterKey: cfg.MasterKey, Logger: cfg.Logger, AllowNetworks: cfg.WebhookAllow})
	if err != nil {
		return nil, err
	}
	a.SetWebhooks(hooks)
	p.hooks = hooks
	gcfg.Tokens = append(append([]gateway.SeedToken(nil), gcfg.Tokens...), gateway.SeedToken{Token: p.Tokens[o.Enterprise.ID], Label: "dev",
		Principal: gateway.Principal{EnterpriseID: o.Enterprise.ID, Role: role, MSPID: o.MSPID}})
	srv, err := gateway.New(gcfg, gateway.Deps{
		Logger: cfg.Logger, DB: db, Broker: broker,
		// A lost write is looked up on the caller's own peer, through the
		// client its writes go through.
		LookupTx: func(ctx context.Context, p gateway.Principal, txID string) (*fabricclient.Transaction, error) {
			c, err := dir.Client(ctx, p.EnterpriseID)
			if err != nil {
				return nil, err
			}
			return c.Transaction(ctx, txID)
		},
		ReadyChecks: map[string]func(context.Context) error{"ledger": p.client.Ping, "indexer": index.Ready, "registered": p.checkRegistered},
		Routes:      []func(*gateway.Routes){a.Register, gateway.BaselineRoutes(p.client)},
		Console:     console.HandlerWithWallet(cfg.WalletWasm),
	})
	if err != nil {
		return nil, err
	}
	p.Server = srv
	p.api = a
	feed := &ledgerfeed.Feed{Publisher: srv.Broker(), Logger: cfg.Logger}
	// In this order, after the read model, at least once (docs/gateway.md):
	// receipts re-check a token; the webhook outbox drops an event it has,
	// and an outbox that cannot take one holds the stream until it can.
	p.chainStream.Consumers = []ledgerstream.Consumer{ledgerstream.Notify(feed.Receive), ledgerstream.Notify(a.ReceiveEvent), hooks.ReceiveEvent}
	return p, nil
}

// Serve runs the ledger stream (read model and feed) and serves HTTP on ln
// until ctx ends.
func (p *Platform) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.wg.Go(func() { p.api.RunReceipts(ctx) })
	p.wg.Go(func() { p.watchRegistration(ctx) })
	p.wg.Go(func() {
		if err := p.hooks.Run(ctx, webhookPass); err != nil && ctx.Err() == nil {
			p.log.Error("webhook delivery stopped", "error", err)
		}
	})
	p.wg.Go(func() { p.sweepMaturities(ctx) })
	p.wg.Go(func() {
		if err := p.chainStream.Run(ctx); err != nil && ctx.Err() == nil {
			p.log.Error("ledger stream stopped", "error", err)
		}
	})
	err := p.Server.Serve(ctx, ln)
	cancel()
	p.wg.Wait()
	return err
}

// Close releases the ledger connections and the database.
func (p *Platform) Close() error {
	return errors.Join(p.Directory.Close(), p.DB.Close())
}

// directoryOrg is the hosted organisation as the directory reaches it,
// with the operator's signing CA.
func directoryOrg(o orgconfig.Org) (directory.Org, error) {
	tlsCA, err := o.Peer.TLSCACert()
	if err != nil {
		return directory.Org{}, err
	}
	org := directory.Org{Name: o.Name, MSPID: o.MSPID, PeerAddress: o.Peer.Address, TLSCACert: tlsCA}
	if o.CA != nil {
		certPEM, keyPEM, err := o.CA.Read()
		if err != nil {
			return directory.Org{}, err
		}
		if org.CA, err = fabricca.Load(certPEM, keyPEM); err != nil {
			return directory.Org{}, fmt.Errorf("platform: the signing CA of %s: %w", o.Name, err)
		}
	}
	return org, nil
}

// secretFile reads a random secret of n bytes from path, creating it (mode
// 0600) when absent.
func secretFile(path string, n int) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err == nil {
		k, err := hex.DecodeString(string(trimNL(b)))
		if err != nil || len(k) < n {
			return nil, fmt.Errorf("platform: %s: want %d hex-encoded bytes", path, n)
		}
		return k, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	k := make([]byte, n)
	if _, err := rand.Read(k); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(k)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return k, nil
}

func trimNL(b []byte) []byte {
	for len(b) > 0 && (b[len(b)-1] == '\n' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// devTokens reads (or creates, mode 0600) the API tokens of the given
// enterprises (the gateway's founding enterprise): a development
// convenience; production onboarding issues tokens through the operator's
// API.
func devTokens(path string, ids ...string) (map[string]string, error) {
	out := map[string]string{}
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &out); err != nil {
			return nil, fmt.Errorf("platform: %s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	changed := false
	for _, id := range ids {
		if out[id] == "" {
			out[id] = gateway.NewToken()
			changed = true
		}
	}
	if changed {
		b, _ := json.MarshalIndent(out, "", "  ")
		if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
			return nil, err
		}
	}
	return out, nil
}
