package protocol

import (
	"sync"

	"github.com/tierchain/tierchain/zk/transcript"
)

// VerifyMemo remembers the statements a process has verified, so that it
// verifies each once. Several peers may endorse a transaction through one
// chaincode server (on one host, every organisation's peer does), and each
// endorsement runs the same verification on the same bytes; with a memo the
// first verifies and the others find it done.
//
// A key is a challenge drawn from the statement's transcript (the context,
// the kind and every public input, ledger facts included) after absorbing
// every proof byte the batch was given. Verification is a deterministic
// function of exactly those, so a key seen verified is the same statement
// with the same proofs; finding one needs a collision in the transcript's
// SHA-512 chain. Only successes are remembered: a refused transaction is
// checked in full each time, which also names its culprit each time.
//
// The memo holds at most its capacity of keys and forgets the oldest first.
// It is safe for concurrent use.
type VerifyMemo struct {
	mu   sync.Mutex
	keys map[memoKey]struct{}
	ring []memoKey
	next int
}

type memoKey [64]byte

// DefaultVerifyMemo is a memo size that covers a few seconds of
// endorsements at any rate this platform reaches (a transaction's
// endorsements arrive within milliseconds of each other).
const DefaultVerifyMemo = 4096

// NewVerifyMemo returns a memo of capacity keys (at least 1).
func NewVerifyMemo(capacity int) *VerifyMemo {
	capacity = max(capacity, 1)
	return &VerifyMemo{keys: make(map[memoKey]struct{}, capacity), ring: make([]memoKey, 0, capacity)}
}

func (m *VerifyMemo) has(k memoKey) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.keys[k]
	return ok
}

func (m *VerifyMemo) add(k memoKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.keys[k]; ok {
		return
	}
	if len(m.ring) < cap(m.ring) {
		m.ring = append(m.ring, k)
	} else {
		delete(m.keys, m.ring[m.next])
		m.ring[m.next] = k
		m.next = (m.next + 1) % len(m.ring)
	}
	m.keys[k] = struct{}{}
}

// Len is the number of keys remembered.
func (m *VerifyMemo) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.keys)
}

// memoKeyOf draws the memo key from a batch's transcript (batchTranscript)
// after every proof's bytes.
func memoKeyOf(t *transcript.Transcript) memoKey {
	return memoKey(t.ChallengeBytes("memo key"))
}
