// Package rulestest provides an in-memory rules.State with Fabric's
// semantics where they matter to the rules, and a fixture world of
// enterprises, identities and keys, for fast tests and benchmarks of the
// chaincode without Fabric.
package rulestest

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/tierchain/tierchain/chaincode/rules"
)

// Event is a chaincode event as set by a transaction.
type Event struct {
	Name    string
	Payload []byte
}

// Memory is an in-memory world state plus the proposal of the transaction
// in progress (caller, ID, time, channel, chaincode). Writes go straight to
// the map, so a rule that failed half-way would show in a Snapshot; reading
// a key written earlier in the same transaction is an error, because Fabric
// would return the committed value there.
//
// A Memory made by Overlay reads through to its parent and writes only to
// itself: a cheap throwaway state for one transaction.
type Memory struct {
	parent  *Memory
	data    map[string][]byte // nil value: deleted in this overlay
	written map[string]bool

	Channel   string
	Chaincode string
	Submitter rules.Identity
	Tx        string
	Now       time.Time
	Events    []Event // events set by the current transaction
}

var _ rules.State = (*Memory)(nil)

// NewMemory returns an empty state on channel "tierchain", chaincode
// "tierchain".
func NewMemory() *Memory {
	return &Memory{data: map[string][]byte{}, written: map[string]bool{}, Channel: "tierchain", Chaincode: "tierchain"}
}

// Begin starts a transaction: who submits it, its ID and its timestamp.
func (m *Memory) Begin(caller rules.Identity, txID string, now time.Time) {
	m.Submitter, m.Tx, m.Now = caller, txID, now
	m.written = map[string]bool{}
	m.Events = nil
}

// Overlay returns a state that reads through to m and writes only to
// itself, with m's proposal fields.
func (m *Memory) Overlay() *Memory {
	o := *m
	o.parent, o.data, o.written, o.Events = m, map[string][]byte{}, map[string]bool{}, nil
	return &o
}

// Clone returns an independent deep copy of m's flattened contents.
func (m *Memory) Clone() *Memory {
	c := *m
	c.parent, c.data, c.written, c.Events = nil, m.Snapshot(), map[string]bool{}, nil
	return &c
}

// Snapshot returns a copy of every key and value (overlays flattened).
func (m *Memory) Snapshot() map[string][]byte {
	out := map[string][]byte{}
	if m.parent != nil {
		out = m.parent.Snapshot()
	}
	for k, v := range m.data {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = bytes.Clone(v)
		}
	}
	return out
}

// Diff describes how the current state differs from a snapshot, or returns
// "" when it is byte-for-byte the same.
func (m *Memory) Diff(before map[string][]byte) string {
	now := m.Snapshot()
	var diffs []string
	for _, k := range slices.Sorted(maps.Keys(now)) {
		if old, ok := before[k]; !ok {
			diffs = append(diffs, "added "+printable(k))
		} else if !bytes.Equal(old, now[k]) {
			diffs = append(diffs, "changed "+printable(k))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(before)) {
		if _, ok := now[k]; !ok {
			diffs = append(diffs, "deleted "+printable(k))
		}
	}
	return strings.Join(diffs, "; ")
}

func printable(k string) string { return strings.ReplaceAll(k, "\x00", "/") }

// GetState implements rules.State.
func (m *Memory) GetState(key string) ([]byte, error) {
	if m.written[key] {
		return nil, fmt.Errorf("rulestest: %q read after it was written in the same transaction", printable(key))
	}
	return m.get(key), nil
}

func (m *Memory) get(key string) []byte {
	if v, ok := m.data[key]; ok {
		return bytes.Clone(v)
	}
	if m.parent != nil {
		return m.parent.get(key)
	}
	return nil
}

// PutState implements rules.State.
func (m *Memory) PutState(key string, value []byte) error {
	if key == "" || len(value) == 0 {
		return errors.New("rulestest: empty key or value")
	}
	m.written[key] = true
	m.data[key] = bytes.Clone(value)
	return nil
}

// DelState implements rules.State.
func (m *Memory) DelState(key string) error {
	m.written[key] = true
	if m.parent != nil {
		m.data[key] = nil
	} else {
		delete(m.data, key)
	}
	return nil
}

func (m *Memory) keysWithPrefix(prefix string) []string {
	var keys []string
	for k, v := range m.Snapshot() {
		if strings.HasPrefix(k, prefix) && v != nil {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

// GetStateByPartialCompositeKey implements rules.State.
func (m *Memory) GetStateByPartialCompositeKey(objectType string, attrs []string, limit int) ([]rules.KV, error) {
	keys := m.keysWithPrefix(rules.CompositeKey(objectType, attrs...))
	if len(keys) > limit+1 {
		keys = keys[:limit+1]
	}
	return m.kvs(keys), nil
}

// GetStateByPartialCompositeKeyWithPagination implements rules.State. The
// bookmark is the key the next page starts at.
func (m *Memory) GetStateByPartialCompositeKeyWithPagination(objectType string, attrs []string, pageSize int32, bookmark string) ([]rules.KV, string, error) {
	if pageSize <= 0 {
		return nil, "", errors.New("rulestest: page size must be positive")
	}
	keys := m.keysWithPrefix(rules.CompositeKey(objectType, attrs...))
	start, _ := slices.BinarySearch(keys, bookmark)
	keys = keys[start:]
	next := ""
	if len(keys) > int(pageSize) {
		next, keys = keys[pageSize], keys[:pageSize]
	}
	return m.kvs(keys), next, nil
}

func (m *Memory) kvs(keys []string) []rules.KV {
	out := make([]rules.KV, len(keys))
	for i, k := range keys {
		out[i] = rules.KV{Key: k, Value: m.get(k)}
	}
	return out
}

// TxID implements rules.State.
func (m *Memory) TxID() string { return m.Tx }

// TxTimestamp implements rules.State.
func (m *Memory) TxTimestamp() (time.Time, error) { return m.Now, nil }

// Caller implements rules.State.
func (m *Memory) Caller() (rules.Identity, error) { return m.Submitter, nil }

// ChannelID implements rules.State.
func (m *Memory) ChannelID() string { return m.Channel }

// ChaincodeName implements rules.State.
func (m *Memory) ChaincodeName() (string, error) { return m.Chaincode, nil }

// SetEvent implements rules.State.
func (m *Memory) SetEvent(name string, payload []byte) error {
	m.Events = append(m.Events, Event{Name: name, Payload: bytes.Clone(payload)})
	return nil
}
