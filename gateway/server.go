package gateway

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/tierchain/tierchain/gateway/idempotency"
	"github.com/tierchain/tierchain/internal/problem"
)

// Server is the gateway: a Gin engine with TierChain's middleware and
// routes, and the http.Server that runs it.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	now     func() time.Time
	engine  *gin.Engine
	metrics *metrics
	tokens  *TokenStore
	guard   *authGuard
	idem    *idempotency.Store
	broker  *Broker

	prepareOnce sync.Once
	prepareErr  error
}

// New builds the server and registers every route. It touches neither the
// network nor the database: Prepare (called by Run) migrates and seeds.
func New(cfg Config, deps Deps) (*Server, error) {
	if err := deps.check(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	if _, err := time.LoadLocation(cfg.TimeZone); err != nil {
		return nil, fmt.Errorf("gateway: time zone %q: %w", cfg.TimeZone, err)
	}
	s := &Server{cfg: cfg, deps: deps, log: deps.Logger, now: deps.Now, broker: deps.Broker}
	if s.now == nil {
		s.now = time.Now
	}
	if s.broker == nil {
		s.broker = NewBroker(cfg.EventsBuffer)
	}
	s.metrics = newMetrics(prometheus.NewRegistry())
	s.tokens = NewTokenStore(deps.DB, s.now)
	s.guard = newAuthGuard(cfg)
	for i, h := range cfg.MetricsTokens {
		if b, err := hex.DecodeString(h); err != nil || len(b) != sha256.Size {
			return nil, fmt.Errorf("%w: metrics token %d: want the token's SHA-256, 64 hex digits", ErrConfig, i)
		}
	}
	s.idem = idempotency.NewStore(deps.DB, idempotency.Options{Now: s.now, TTL: cfg.IdempotencyTTL,
		Lock: cfg.IdempotencyLock, Instance: cfg.Instance})

	e := gin.New()
	e.HandleMethodNotAllowed = true
	e.RedirectTrailingSlash = false
	e.RedirectFixedPath = false
	e.ContextWithFallback = true // c.Done/c.Value follow the request's context
	// Only the configured proxies may name the client in X-Forwarded-For:
	// otherwise any client could pick the address the failure limiter counts.
	if err := e.SetTrustedProxies(cfg.TrustedProxies); err != nil {
		return nil, fmt.Errorf("%w: trusted proxies: %v", ErrConfig, err)
	}
	e.Use(s.recoverPanics, assignRequestID, s.accessLog, s.renderErrors, s.announceHost)
	e.NoRoute(Handle(func(c *gin.Context) error { return NotFound("no such resource") }))
	e.NoMethod(Handle(func(c *gin.Context) error {
		return problem.New(http.StatusMethodNotAllowed, problem.CodeMethodNotAllowed, "the resource does not support this method")
	}))
	s.engine = e

	e.GET("/healthz", Handle(s.healthz))
	e.GET("/readyz", Handle(s.readyz))
	e.GET("/metrics", s.authenticateMetrics, s.metrics.handler())
	if deps.Console != nil {
		// The web console: static pages, no auth (they call /v1 with the
		// user's API token); "/" leads to it.
		console := gin.WrapH(http.StripPrefix("/console", deps.Console))
		e.GET("/console/*path", console)
		e.HEAD("/console/*path", console)
		e.GET("/", func(c *gin.Context) { c.Redirect(http.StatusFound, "/console/") })
	}

	r := &Routes{s: s, group: e.Group("/v1", s.hostedOrg, s.authenticate, s.hostedPrincipal)}
	r.GET("/me", s.me)
	r.Stream("/events", s.streamEvents)
	for _, register := range deps.Routes {
		register(r)
	}
	return s, nil
}

// Handler is the server's http.Handler, for tests and for embedding.
func (s *Server) Handler() http.Handler { return s.engine }

// Broker is the events broker; services publish to it.
func (s *Server) Broker() *Broker { return s.broker }

// Tokens is the API token store.
func (s *Server) Tokens() *TokenStore { return s.tokens }

// Prepare migrates the gateway's tables and seeds the configured tokens.
// It runs once; Run calls it.
func (s *Server) Prepare(ctx context.Context) error {
	s.prepareOnce.Do(func() {
		if err := MigrateDB(ctx, s.deps.DB); err != nil {
			s.prepareErr = fmt.Errorf("gateway: migrate: %w", err)
			return
		}
		if err := s.tokens.Seed(ctx, s.cfg.Tokens); err != nil {
			s.prepareErr = fmt.Errorf("%w: %v", ErrConfig, err)
		}
	})
	return s.prepareErr
}

// Run prepares the database, listens on Config.Addr and serves until ctx
// ends, then shuts down gracefully (see Serve).
func (s *Server) Run(ctx context.Context) error {
	if err := s.Prepare(ctx); err != nil {
		return err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("gateway: listen: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve serves on ln until ctx ends. Then it stops accepting, closes the
// event streams, and waits up to ShutdownTimeout for in-flight requests;
// requests still running after that have their contexts canceled.
//
// While it serves, the Server's run beats in gateway_runs
// (idempotency.Store.Maintain), so
// that other gateways on the database leave its keys alone. The beat stops
// when Serve returns and the run's row stays: other gateways take its keys
// over RunStaleAfter later. The row is not deleted at once even after a
// clean shutdown: a handler that outlived ShutdownTimeout (its context
// canceled, but not necessarily returned) could then still submit beside a
// retry that took its key over.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if err := s.Prepare(ctx); err != nil {
		ln.Close()
		return err
	}
	if err := s.idem.Beat(ctx); err != nil {
		ln.Close()
		return err
	}
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           s.engine,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	var background sync.WaitGroup
	background.Go(func() { s.idem.Maintain(base, s.log) })
	s.log.Info("gateway listening", "addr", ln.Addr().String())

	var err error
	select {
	case err = <-served:
		// The listener failed on its own.
	case <-ctx.Done():
		s.broker.Close()
		sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
		err = srv.Shutdown(sctx)
		cancel()
		if err != nil {
			s.log.Warn("graceful shutdown timed out; canceling the remaining requests", "error", err)
			cancelBase()
			srv.Close()
		}
		if serr := <-served; !errors.Is(serr, http.ErrServerClosed) && err == nil {
			err = serr
		}
	}
	cancelBase()
	background.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}
