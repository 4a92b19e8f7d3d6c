package gateway

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
)

// Routes registers handlers on the authenticated /v1 group. Each method
// attaches, in order: the role check, the route class's deadline, the body
// limit and, for writes, the idempotency middleware.
type Routes struct {
	s     *Server
	group *gin.RouterGroup
}

// Options tune one route. Zero fields take the route class's defaults.
type Options struct {
	Roles        []model.Role  // who may call it (everyone authenticated when empty)
	Timeout      time.Duration // context deadline
	MaxBodyBytes int64         // request body limit
}

// GET registers a read.
func (r *Routes) GET(path string, h HandlerFunc, roles ...model.Role) {
	r.Handle(http.MethodGet, path, Options{Roles: roles}, h)
}

// POST registers a write (Idempotency-Key required).
func (r *Routes) POST(path string, h HandlerFunc, roles ...model.Role) {
	r.Handle(http.MethodPost, path, Options{Roles: roles}, h)
}

// PUT registers a write (Idempotency-Key required).
func (r *Routes) PUT(path string, h HandlerFunc, roles ...model.Role) {
	r.Handle(http.MethodPut, path, Options{Roles: roles}, h)
}

// PATCH registers a write (Idempotency-Key required).
func (r *Routes) PATCH(path string, h HandlerFunc, roles ...model.Role) {
	r.Handle(http.MethodPatch, path, Options{Roles: roles}, h)
}

// DELETE registers a write (Idempotency-Key required).
func (r *Routes) DELETE(path string, h HandlerFunc, roles ...model.Role) {
	r.Handle(http.MethodDelete, path, Options{Roles: roles}, h)
}

// Handle registers h for method and path (Gin syntax: "/tokens/:id").
// GET and HEAD are reads; every other method is a write and requires an
// Idempotency-Key.
func (r *Routes) Handle(method, path string, o Options, h HandlerFunc) {
	write := method != http.MethodGet && method != http.MethodHead
	timeout, limit := r.s.cfg.ReadTimeoutPerRoute, r.s.cfg.MaxBodyBytes
	if write {
		timeout = r.s.cfg.WriteTimeoutPerRoute
	}
	if o.Timeout > 0 {
		timeout = o.Timeout
	}
	if o.MaxBodyBytes > 0 {
		limit = o.MaxBodyBytes
	}
	var chain []gin.HandlerFunc
	if write && r.s.cfg.Host.ReadOnly {
		chain = append(chain, r.s.refuseWrites)
	}
	chain = append(chain, requireRole(o.Roles...), withDeadline(timeout), limitBody(limit))
	if write {
		chain = append(chain, r.s.idempotent)
	}
	r.group.Handle(method, path, append(chain, Handle(h))...)
}

// Stream registers a long-lived GET (server-sent events): no deadline, no
// body.
func (r *Routes) Stream(path string, h HandlerFunc, roles ...model.Role) {
	r.group.GET(path, requireRole(roles...), limitBody(0), Handle(h))
}

// NotHosted registers a route this gateway knows of but does not serve,
// because another organisation's gateway does (audit reports at the
// regulator's, onboarding and the OPRF at the operator's): every caller
// gets 403 NOT_HOSTED with detail, before the role check, the body and
// the Idempotency-Key are looked at.
func (r *Routes) NotHosted(method, path, detail string) {
	r.group.Handle(method, path, Handle(func(*gin.Context) error { return NotHosted(detail) }))
}

// Signed registers a read-class route under /v1 that does not take an API
// token: its handler authenticates the request itself (a signature by a
// registered enterprise's ledger identity, for a service one gateway
// offers the others). The TierChain-Org check, the deadline and the body
// limit apply.
func (r *Routes) Signed(method, path string, h HandlerFunc) {
	open := r.s.engine.Group("/v1", r.s.hostedOrg)
	open.Handle(method, path, withDeadline(r.s.cfg.ReadTimeoutPerRoute), limitBody(r.s.cfg.MaxBodyBytes), Handle(h))
}
