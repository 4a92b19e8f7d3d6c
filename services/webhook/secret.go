package webhook

import (
	"crypto/aes"
	"crypto/cipher"
	"errors"
	"io"
)

// MasterKeySize is the size of Config.MasterKey (AES-256).
const MasterKeySize = 32

// Stored secrets begin with a format byte.
const (
	secretPlain  = 0x00 // no master key configured: the secret itself
	secretSealed = 0x01 // AES-256-GCM under the master key: nonce ‖ ciphertext, bound to the subscription ID
)

// ErrSecretKey reports a stored secret that does not open: sealed with
// another master key, sealed while none is configured, or altered.
var ErrSecretKey = errors.New("webhook: stored secret does not open with the configured master key")

func (s *Service) aead() (cipher.AEAD, error) {
	block, err := aes.NewCipher(s.cfg.MasterKey)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// sealSecret returns the secret as stored for subscription id.
func (s *Service) sealSecret(id string, secret []byte) ([]byte, error) {
	if s.cfg.MasterKey == nil {
		return append([]byte{secretPlain}, secret...), nil
	}
	a, err := s.aead()
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, a.NonceSize())
	if _, err := io.ReadFull(s.cfg.Random, nonce); err != nil {
		return nil, err
	}
	out := append([]byte{secretSealed}, nonce...)
	return a.Seal(out, nonce, secret, []byte("tierchain/webhook-secret/v1\x00"+id)), nil
}

// openSecret is the inverse of sealSecret.
func (s *Service) openSecret(id string, stored []byte) ([]byte, error) {
	if len(stored) == 0 {
		return nil, ErrSecretKey
	}
	switch stored[0] {
	case secretPlain:
		return stored[1:], nil
	case secretSealed:
		if s.cfg.MasterKey == nil {
			return nil, ErrSecretKey
		}
		a, err := s.aead()
		if err != nil {
			return nil, err
		}
		body := stored[1:]
		if len(body) < a.NonceSize() {
			return nil, ErrSecretKey
		}
		pt, err := a.Open(nil, body[:a.NonceSize()], body[a.NonceSize():], []byte("tierchain/webhook-secret/v1\x00"+id))
		if err != nil {
			return nil, ErrSecretKey
		}
		return pt, nil
	}
	return nil, ErrSecretKey
}
