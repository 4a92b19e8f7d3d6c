// Package testrand is a deterministic byte stream for reproducible tests and
// known-answer vectors: SHA-512 iterated from a seed. Never for keys.
package testrand

import "crypto/sha512"

// Reader yields SHA-512(state) blocks, state ← SHA-512(state), from a seed.
type Reader struct {
	state [64]byte
	buf   []byte
}

// New returns a reader seeded with seed.
func New(seed string) *Reader { return &Reader{state: sha512.Sum512([]byte(seed))} }

// Read fills p; it never fails.
func (r *Reader) Read(p []byte) (int, error) {
	for n := 0; n < len(p); {
		if len(r.buf) == 0 {
			r.state = sha512.Sum512(r.state[:])
			r.buf = r.state[:]
		}
		c := copy(p[n:], r.buf)
		r.buf = r.buf[c:]
		n += c
	}
	return len(p), nil
}
