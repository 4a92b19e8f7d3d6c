// Package networktest drives the gateway over HTTP against a real Fabric
// network (internal/fabnet): request → auth → idempotency → fabricclient →
// endorsement, ordering, commit → read back. One network per test binary,
// kept out of package gateway so its unit tests stay fast.
package networktest
