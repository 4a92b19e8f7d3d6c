package wallet

import (
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"golang.org/x/crypto/chacha20poly1305"
)

// MasterKeySize is the size of the master key given to New.
const MasterKeySize = 32

// At-rest encryption, version 1:
//
//	key    = HKDF-SHA256(master, salt = "tierchain/wallet/v1", info = "at-rest key", 32)
//	sealed = 0x01 ‖ nonce (24 random bytes) ‖ XChaCha20-Poly1305(key, nonce, plaintext, ad)
//	ad     = "tierchain/wallet/v1" ‖ lp(enterprise) ‖ lp(purpose) ‖ lp(record)…
//
// lp(x) is x prefixed with its 32-bit big-endian length. The purposes are
// the constants below; the record fields are the row's ID and, for an
// opening, its commitment, so a ciphertext moved to another enterprise,
// purpose, row or commitment does not decrypt. Random 192-bit nonces make
// nonce reuse negligible however many records one master key seals.
const (
	atRestVersion = 0x01
	atRestDomain  = "tierchain/wallet/v1"

	purposeMasterCheck = "master-key-check"
	purposePrivateKey  = "hpke-private-key"
	purposeOpening     = "opening"
)

// masterCheckPlaintext is sealed once per database; opening it proves the
// master key is the database's.
var masterCheckPlaintext = []byte("tierchain wallet master key check v1")

// sealer encrypts and decrypts records under the key derived from the
// master key.
type sealer struct {
	key  []byte
	rand io.Reader
}

func newSealer(master []byte, rand io.Reader) (*sealer, error) {
	if len(master) != MasterKeySize {
		return nil, ErrInvalidArgument.with(fmt.Sprintf("master key must be %d bytes", MasterKeySize))
	}
	key, err := hkdf.Key(sha256.New, master, []byte(atRestDomain), "at-rest key", chacha20poly1305.KeySize)
	if err != nil {
		return nil, err
	}
	return &sealer{key: key, rand: rand}, nil
}

// associatedData encodes the domain, the enterprise, the purpose and the
// record fields unambiguously.
func associatedData(enterprise, purpose string, record ...[]byte) []byte {
	ad := []byte(atRestDomain)
	for _, f := range append([][]byte{[]byte(enterprise), []byte(purpose)}, record...) {
		ad = binary.BigEndian.AppendUint32(ad, uint32(len(f)))
		ad = append(ad, f...)
	}
	return ad
}

func (s *sealer) seal(plaintext, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(s.key)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 1+aead.NonceSize(), 1+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out[0] = atRestVersion
	r := s.rand
	if r == nil {
		r = rand.Reader
	}
	if _, err := io.ReadFull(r, out[1:]); err != nil {
		return nil, fmt.Errorf("wallet: nonce: %w", err)
	}
	return aead.Seal(out, out[1:], plaintext, ad), nil
}

// errOpen is what open returns for any failure; callers turn it into
// ErrWrongMasterKey or ErrCorrupt.
var errOpen = errors.New("wallet: record does not decrypt")

func (s *sealer) open(sealed, ad []byte) ([]byte, error) {
	aead, err := chacha20poly1305.NewX(s.key)
	if err != nil {
		return nil, err
	}
	if len(sealed) < 1+aead.NonceSize()+aead.Overhead() || sealed[0] != atRestVersion {
		return nil, errOpen
	}
	nonce, ct := sealed[1:1+aead.NonceSize()], sealed[1+aead.NonceSize():]
	pt, err := aead.Open(nil, nonce, ct, ad)
	if err != nil {
		return nil, errOpen
	}
	return pt, nil
}

// checkMaster opens the database's check record, or reports that the
// master key is wrong.
func (s *sealer) checkMaster(sealed []byte) error {
	pt, err := s.open(sealed, associatedData("", purposeMasterCheck))
	if err != nil || subtle.ConstantTimeCompare(pt, masterCheckPlaintext) != 1 {
		return ErrWrongMasterKey
	}
	return nil
}
