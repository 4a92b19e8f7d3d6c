package wallet

import (
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/tierchain/tierchain/internal/sealbox"
)

// MasterKeySize is the size of the master key given to New.
const MasterKeySize = sealbox.MinMasterKeySize

// At-rest encryption is internal/sealbox's (XChaCha20-Poly1305, random
// 192-bit nonces, key = HKDF-SHA256(master, info = atRestDomain)), with
// associated data
//
//	ad = "tierchain/wallet/v1" ‖ lp(enterprise) ‖ lp(purpose) ‖ lp(record)…
//
// where lp(x) is x prefixed with its 32-bit big-endian length. The purposes
// are the constants below; the record fields are the row's ID and, for an
// opening, its commitment, so a ciphertext moved to another enterprise,
// purpose, row or commitment does not decrypt.
const (
	atRestDomain = "tierchain/wallet/v1"

	purposeMasterCheck = "master-key-check"
	purposePrivateKey  = "hpke-private-key"
	purposeOpening     = "opening"
)

// masterCheckPlaintext is sealed once per database; opening it proves the
// master key is the database's.
var masterCheckPlaintext = []byte("tierchain wallet master key check v1")

// sealer encrypts and decrypts records under the key derived from the
// master key.
type sealer struct{ box *sealbox.Sealer }

func newSealer(master []byte) (*sealer, error) {
	if len(master) != MasterKeySize {
		return nil, ErrInvalidArgument.With(fmt.Sprintf("master key must be %d bytes", MasterKeySize))
	}
	box, err := sealbox.New(master, atRestDomain)
	if err != nil {
		return nil, err
	}
	return &sealer{box: box}, nil
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

func (s *sealer) seal(plaintext, ad []byte) ([]byte, error) { return s.box.Seal(plaintext, ad) }

// errOpen is what open returns for any failure; callers turn it into
// ErrWrongMasterKey or ErrCorrupt.
var errOpen = errors.New("wallet: record does not decrypt")

func (s *sealer) open(sealed, ad []byte) ([]byte, error) {
	pt, err := s.box.Open(sealed, ad)
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
