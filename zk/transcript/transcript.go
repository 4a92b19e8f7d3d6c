// Package transcript is the Fiat–Shamir transcript shared by every TierChain
// proof. A transcript starts from a versioned protocol label (for example
// "tierchain/rangeproof/v1"), absorbs labelled public inputs, and squeezes
// challenges that depend on everything absorbed before them.
//
// Construction: a 64-byte chaining value updated with SHA-512 over an
// unambiguous encoding of each operation:
//
//	state' = SHA-512(state ‖ op ‖ len(label) ‖ label ‖ len(data) ‖ data)
//
// with op one byte ('D' domain, 'A' append, 'C' challenge, 'R' ratchet) and
// lengths as 8-byte big-endian integers. A challenge is
// SHA-512(state ‖ 'C' ‖ label) (64 bytes, reduced modulo ℓ for scalars),
// after which the state ratchets over the challenge, so two challenges with
// the same label differ. See docs/crypto/transcript.md.
package transcript

import (
	"crypto/sha512"
	"encoding/binary"
	"hash"

	"github.com/tierchain/tierchain/zk/group"
)

const (
	opDomain    = 'D'
	opAppend    = 'A'
	opChallenge = 'C'
	opRatchet   = 'R'
)

// Transcript is a Fiat–Shamir transcript. The zero value is not usable; call New.
type Transcript struct {
	state [sha512.Size]byte
	h     hash.Hash
}

// New returns a transcript for the protocol named by the versioned label.
func New(protocol string) *Transcript {
	t := &Transcript{h: sha512.New()}
	t.absorb(opDomain, "protocol", []byte(protocol))
	return t
}

// Clone returns an independent copy of t.
func (t *Transcript) Clone() *Transcript {
	return &Transcript{state: t.state, h: sha512.New()}
}

// AppendMessage absorbs a labelled byte string.
func (t *Transcript) AppendMessage(label string, msg []byte) { t.absorb(opAppend, label, msg) }

// AppendString absorbs a labelled string.
func (t *Transcript) AppendString(label, s string) { t.absorb(opAppend, label, []byte(s)) }

// AppendUint64 absorbs a labelled integer (8 bytes, big-endian).
func (t *Transcript) AppendUint64(label string, v uint64) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], v)
	t.absorb(opAppend, label, b[:])
}

// AppendElement absorbs the canonical encoding of a group element.
func (t *Transcript) AppendElement(label string, e *group.Element) {
	t.absorb(opAppend, label, e.Bytes())
}

// AppendScalar absorbs the canonical encoding of a scalar.
func (t *Transcript) AppendScalar(label string, s *group.Scalar) {
	t.absorb(opAppend, label, s.Bytes())
}

// ChallengeBytes squeezes 64 challenge bytes and ratchets the state.
func (t *Transcript) ChallengeBytes(label string) []byte {
	t.h.Reset()
	t.h.Write(t.state[:])
	t.h.Write([]byte{opChallenge})
	writeLenPrefixed(t.h, []byte(label))
	out := t.h.Sum(nil)
	t.absorb(opRatchet, label, out)
	return out
}

// ChallengeScalar squeezes a uniformly distributed scalar.
func (t *Transcript) ChallengeScalar(label string) *group.Scalar {
	s, err := group.NewScalar().SetUniformBytes(t.ChallengeBytes(label))
	if err != nil {
		panic(err) // 64 bytes always reduce
	}
	return s
}

// BindContext absorbs where a proof is valid: channel, chaincode and
// transaction kind. Every on-ledger proof binds its context, so a proof made
// for one channel, chaincode or transaction kind fails everywhere else.
func (t *Transcript) BindContext(c Context) {
	t.AppendString("ctx/channel", c.Channel)
	t.AppendString("ctx/chaincode", c.Chaincode)
	t.AppendString("ctx/kind", c.Kind)
}

// Context names where a proof is valid.
type Context struct {
	Channel   string // Fabric channel name
	Chaincode string // chaincode name
	Kind      string // transaction kind, e.g. "split"
}

func (t *Transcript) absorb(op byte, label string, data []byte) {
	t.h.Reset()
	t.h.Write(t.state[:])
	t.h.Write([]byte{op})
	writeLenPrefixed(t.h, []byte(label))
	writeLenPrefixed(t.h, data)
	t.h.Sum(t.state[:0])
}

func writeLenPrefixed(h hash.Hash, b []byte) {
	var l [8]byte
	binary.BigEndian.PutUint64(l[:], uint64(len(b)))
	h.Write(l[:])
	h.Write(b)
}
