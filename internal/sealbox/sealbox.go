// Package sealbox encrypts secrets at rest (Fabric private keys, audit
// keys) under a master key: XChaCha20-Poly1305 with a key derived by
// HKDF-SHA256 from the master key and a purpose label, and associated data
// that names what the secret belongs to, so a sealed value moved to
// another row or purpose does not open.
package sealbox

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// MinMasterKeySize is the shortest master key accepted.
const MinMasterKeySize = 32

var (
	// ErrMasterKey reports a master key that is too short.
	ErrMasterKey = errors.New("sealbox: master key shorter than 32 bytes")
	// ErrOpen reports a sealed value that does not open: a wrong master
	// key, a wrong binding or a tampered value.
	ErrOpen = errors.New("sealbox: cannot open sealed value (wrong master key or tampered)")
)

// New derives the sealer of purpose (e.g. "tierchain/directory/v1") from
// master.
func New(master []byte, purpose string) (*Sealer, error) {
	if len(master) < MinMasterKeySize {
		return nil, ErrMasterKey
	}
	key, err := hkdf.Key(sha256.New, master, nil, purpose, chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("sealbox: %w", err)
	}
	aead, err := chacha20poly1305.NewX(key)
	if err != nil {
		return nil, fmt.Errorf("sealbox: %w", err)
	}
	return &Sealer{seal: aead.Seal, open: aead.Open, nonceSize: aead.NonceSize(), overhead: aead.Overhead()}, nil
}

// Sealer seals and opens values for one purpose.
type Sealer struct {
	seal      func(dst, nonce, pt, ad []byte) []byte
	open      func(dst, nonce, ct, ad []byte) ([]byte, error)
	nonceSize int
	overhead  int
}

// Seal encrypts plaintext bound to ad (what the secret belongs to).
func (s *Sealer) Seal(plaintext, ad []byte) ([]byte, error) {
	nonce := make([]byte, s.nonceSize, s.nonceSize+len(plaintext)+s.overhead)
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("sealbox: %w", err)
	}
	return s.seal(nonce, nonce, plaintext, ad), nil
}

// Open decrypts a value Seal made with the same ad, or returns ErrOpen.
func (s *Sealer) Open(sealed, ad []byte) ([]byte, error) {
	if len(sealed) < s.nonceSize+s.overhead {
		return nil, ErrOpen
	}
	pt, err := s.open(nil, sealed[:s.nonceSize], sealed[s.nonceSize:], ad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}
