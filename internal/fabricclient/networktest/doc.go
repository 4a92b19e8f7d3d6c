// Package networktest runs fabricclient against a real Fabric network
// (internal/fabnet): one network per test binary, so the package's fast
// unit tests stay fast.
package networktest
