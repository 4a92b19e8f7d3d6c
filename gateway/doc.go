// Package gateway is TierChain's REST server framework on Gin: one error
// renderer (RFC 9457 problem+json), request IDs, structured access logs,
// bearer-token auth mapped to an enterprise principal, per-route-class
// timeouts and body limits, idempotency keys on every write, health and
// readiness, Prometheus metrics and a server-sent events broker.
//
// Two jobs live in their own packages: gateway/bearer keeps the API
// tokens the auth middleware looks up, and gateway/idempotency keeps the
// Idempotency-Key store, the recovery of writes whose answer was lost and
// the run heartbeats; this package binds both to HTTP.
//
// Every route plugs in through Deps.Routes (the plaintext baseline's too:
// BaselineRoutes): each func receives a *Routes
// for the authenticated /v1 group, whose GET/POST/… methods attach the
// per-route middleware (role check, timeout, body limit and, for writes,
// idempotency) so that no route can forget them. Handlers return error; see
// HandlerFunc.
//
// Middleware order, outermost first:
//
//	recover → request ID → access log + metrics → error renderer →
//	auth (/v1 only) → role → timeout → body limit → idempotency (writes) → handler
//
// docs/gateway.md describes the error mapping; docs/api/openapi.yaml is the
// API, and a test keeps it and the registered routes in step.
package gateway
