// Package platform assembles a TierChain gateway on a network: the
// directory of the enterprises it acts for, their wallets, invoice intake
// with the operator's OPRF, the business API, the ledger event feed, and
// the first enterprises of a fresh network (the operator, a core
// enterprise, two banks and the regulator, with their organisations' user
// identities). It is configured with a plain description of the
// organisations it hosts (internal/orgconfig), not with the launcher that
// started their nodes. `tierchain serve` runs it; the end-to-end tests
// start it on their own network through the description fabnet writes.
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
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/gateway/api"
	"github.com/tierchain/tierchain/gateway/console"
	"github.com/tierchain/tierchain/gateway/ledgerfeed"
	"github.com/tierchain/tierchain/internal/fabricca"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/orgconfig"
	"github.com/tierchain/tierchain/services/audit"
	"github.com/tierchain/tierchain/services/directory"
	"github.com/tierchain/tierchain/services/indexer"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/wallet"
	"github.com/tierchain/tierchain/zk/oprf"
)

// Config locates the network and the gateway's own state.
type Config struct {
	// Orgs describe the organisations the gateway hosts, one description
	// each: their peers, identities and the operator's signing CA, the
	// channel and the chaincode (internal/orgconfig; `tierchain up` writes
	// them with internal/fabnet, a deployment writes its own). Today the
	// gateway hosts every founding organisation, so it must describe all
	// of them.
	Orgs []orgconfig.Description
	// DataDir keeps the gateway's database (unless DSN says otherwise), its
	// master key and the dev API tokens.
	DataDir string
	DSN     string // default sqlite:<DataDir>/gateway.db
	// MasterKey seals keys at rest; default: read (or create, mode 0600)
	// <DataDir>/master.key.
	MasterKey []byte
	Currency  string // default NOK
	Logger    *slog.Logger
	// Gateway tunes the HTTP server (timeouts, limits, idempotency lock);
	// zero fields take the gateway's defaults. The founders' dev tokens are
	// added to its Tokens.
	Gateway gateway.Config
}

// Platform is a running gateway's parts.
type Platform struct {
	Server    *gateway.Server
	Directory *directory.Directory
	Wallet    *wallet.Wallet
	DB        *store.DB
	// Tokens are the dev API tokens of the founding enterprises, by ID.
	Tokens      map[string]string
	log         *slog.Logger
	feed        *ledgerfeed.Feed
	api         *api.API
	index       *indexer.Indexer
	indexSource indexer.Source
	wg          sync.WaitGroup
}

// New opens the database, bootstraps the founding enterprises on the
// ledger if they are not there yet, and builds the server.
func New(ctx context.Context, cfg Config) (*Platform, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if cfg.Currency == "" {
		cfg.Currency = "NOK"
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
	c, err := consortiumOf(cfg.Orgs)
	if err != nil {
		return nil, err
	}
	if err := describesFounders(c); err != nil {
		return nil, err
	}
	orgs, err := orgsOf(c)
	if err != nil {
		return nil, err
	}
	pctx := protocol.Context{Channel: c.Channel, Chaincode: c.Chaincode}
	opts := fabricclient.Options{Channel: c.Channel, Chaincode: c.Chaincode, MVCCRetries: 2}
	dir, err := directory.New(ctx, db, cfg.MasterKey, orgs, opts)
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
	p := &Platform{Directory: dir, Wallet: w, DB: db, log: cfg.Logger}
	if err := p.bootstrap(ctx, c); err != nil {
		return nil, fmt.Errorf("platform: bootstrap: %w", err)
	}
	oprfKey, err := p.oprfKey(ctx)
	if err != nil {
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
	if p.Tokens, err = devTokens(filepath.Join(cfg.DataDir, "tokens.json")); err != nil {
		return nil, err
	}
	var seeds []gateway.SeedToken
	for _, f := range founders {
		seeds = append(seeds, gateway.SeedToken{Token: p.Tokens[f.id], Label: "dev",
			Principal: gateway.Principal{EnterpriseID: f.id, Role: f.role, MSPID: orgMSP(orgs, f.org)}})
	}
	operator, err := dir.Client(ctx, founderOperator)
	if err != nil {
		return nil, err
	}
	regulator, err := dir.Client(ctx, founderRegulator)
	if err != nil {
		return nil, err
	}
	auditKey, err := p.AuditKey(ctx)
	if err != nil {
		return nil, err
	}
	regKey, err := w.PrivateKey(ctx, founderRegulator)
	if err != nil {
		return nil, err
	}
	cache, err := audit.OpenCache(ctx, db, auditKey)
	if err != nil {
		return nil, err
	}
	auditor, err := audit.New(audit.Config{Ledger: regulator, AuditKey: auditKey, EnvelopeKey: regKey,
		Cache: cache, Reuse: api.ReuseSource{Log: reuse}, Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	index, err := indexer.New(ctx, db, regulator, indexer.Options{Logger: cfg.Logger})
	if err != nil {
		return nil, err
	}
	p.index, p.indexSource = index, regulator
	oprfServer := oprf.NewServer(oprfKey)
	invoices := &invoice.Service{Repo: repo,
		Fingerprinter: invoice.NewOPRFFingerprinter(oprfKey.Public(), invoice.LocalEvaluator{Server: oprfServer})}
	gcfg := cfg.Gateway
	// Prometheus scrapes /metrics with this token (credentials_file), not
	// with an API token that could also act on the ledger.
	scrape, err := secretFile(filepath.Join(cfg.DataDir, "metrics.token"), 32)
	if err != nil {
		return nil, err
	}
	gcfg.MetricsTokens = append(slices.Clone(gcfg.MetricsTokens), gateway.HashToken(hex.EncodeToString(scrape)))
	broker := gateway.NewBroker(gcfg.EventsBuffer) // the ledger feed's and the API's events
	a := api.New(api.Deps{Log: cfg.Logger, Directory: dir, Wallet: w, Invoices: invoices, Reuse: reuse,
		Tokens: gateway.NewTokenStore(db, time.Now), Currency: cfg.Currency, Context: pctx, OPRF: oprfServer, Auditor: auditor, Index: index,
		Events: broker})
	gcfg.Tokens = append(append([]gateway.SeedToken(nil), gcfg.Tokens...), seeds...)
	srv, err := gateway.New(gcfg, gateway.Deps{
		Logger: cfg.Logger, DB: db, Ledger: operator, Broker: broker,
		// A lost write is looked up on the caller's own peer, through the
		// client its writes go through.
		LookupTx: func(ctx context.Context, p gateway.Principal, txID string) (*fabricclient.Transaction, error) {
			c, err := dir.Client(ctx, p.EnterpriseID)
			if err != nil {
				return nil, err
			}
			return c.Transaction(ctx, txID)
		},
		ReadyChecks: map[string]func(context.Context) error{"ledger": operator.Ping, "indexer": index.Ready},
		Routes:      []func(*gateway.Routes){a.Register},
		Console:     console.Handler(),
	})
	if err != nil {
		return nil, err
	}
	p.Server = srv
	p.api = a
	p.feed = &ledgerfeed.Feed{Source: regulator, Publisher: srv.Broker(), DB: db, Logger: cfg.Logger, OnEvent: a.ReceiveEvent}
	return p, nil
}

// Serve runs the ledger feed and serves HTTP on ln until ctx ends.
func (p *Platform) Serve(ctx context.Context, ln net.Listener) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	p.wg.Go(func() {
		if err := p.feed.Run(ctx); err != nil && ctx.Err() == nil {
			p.log.Error("ledger feed stopped", "error", err)
		}
	})
	p.wg.Go(func() { p.api.RunReceipts(ctx) })
	p.wg.Go(func() {
		if err := p.index.Run(ctx, p.indexSource); err != nil && ctx.Err() == nil {
			p.log.Error("indexer stopped", "error", err)
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

// ErrNotDescribed reports a consortium description that lacks an
// organisation, identity or signing CA the gateway needs for its founding
// enterprises.
var ErrNotDescribed = errors.New("platform: not in the consortium description")

// describesFounders checks, before anything touches the ledger, that the
// description holds every founder's organisation and identity, the
// operator's Admin (it registers the operator) and the host organisation's
// signing CA (it issues the hosted enterprises' identities).
func describesFounders(c consortium) error {
	for _, f := range founders {
		if _, err := described(c, f.org, f.user); err != nil {
			return err
		}
	}
	if _, err := described(c, founders[0].org, "Admin"); err != nil {
		return err
	}
	if o, _ := c.Org(api.HostOrg); o.CA == nil {
		return fmt.Errorf("%w: the signing CA of %s (orgs[].ca)", ErrNotDescribed, api.HostOrg)
	}
	return nil
}

func orgsOf(c consortium) ([]directory.Org, error) {
	var orgs []directory.Org
	for _, o := range c.Orgs {
		tlsCA, err := o.Peer.TLSCACert()
		if err != nil {
			return nil, err
		}
		org := directory.Org{Name: o.Name, MSPID: o.MSPID, PeerAddress: o.Peer.Address, TLSCACert: tlsCA}
		if o.CA != nil {
			certPEM, keyPEM, err := o.CA.Read()
			if err != nil {
				return nil, err
			}
			if org.CA, err = fabricca.Load(certPEM, keyPEM); err != nil {
				return nil, fmt.Errorf("platform: the signing CA of %s: %w", o.Name, err)
			}
		}
		orgs = append(orgs, org)
	}
	return orgs, nil
}

// consortium is the organisations a gateway hosts, from their
// descriptions.
type consortium struct {
	Channel, Chaincode string
	Orgs               []orgconfig.Org
}

func consortiumOf(ds []orgconfig.Description) (consortium, error) {
	if len(ds) == 0 {
		return consortium{}, fmt.Errorf("%w: no organisation", ErrNotDescribed)
	}
	c := consortium{Channel: ds[0].Channel, Chaincode: ds[0].Chaincode}
	for _, d := range ds {
		if err := d.Validate(); err != nil {
			return consortium{}, fmt.Errorf("platform: %w", err)
		}
		if d.Channel != c.Channel || d.Chaincode != c.Chaincode {
			return consortium{}, fmt.Errorf("platform: %s is on %s/%s, not %s/%s", d.Org.Name, d.Channel, d.Chaincode, c.Channel, c.Chaincode)
		}
		if _, dup := c.Org(d.Org.Name); dup {
			return consortium{}, fmt.Errorf("platform: %s described twice", d.Org.Name)
		}
		c.Orgs = append(c.Orgs, d.Org)
	}
	return c, nil
}

// Org returns the organisation with the given name.
func (c consortium) Org(name string) (orgconfig.Org, bool) {
	for _, o := range c.Orgs {
		if o.Name == name {
			return o, true
		}
	}
	return orgconfig.Org{}, false
}

func orgMSP(orgs []directory.Org, name string) string {
	for _, o := range orgs {
		if o.Name == name {
			return o.MSPID
		}
	}
	return ""
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

// devTokens reads (or creates, mode 0600) the founding enterprises' API
// tokens: a development convenience; production onboarding issues tokens
// through the operator's API.
func devTokens(path string) (map[string]string, error) {
	out := map[string]string{}
	if b, err := os.ReadFile(path); err == nil {
		if err := json.Unmarshal(b, &out); err != nil {
			return nil, fmt.Errorf("platform: %s: %w", path, err)
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	changed := false
	for _, f := range founders {
		if out[f.id] == "" {
			out[f.id] = gateway.NewToken()
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
