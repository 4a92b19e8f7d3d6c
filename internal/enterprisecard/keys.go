package enterprisecard

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/oprf"
)

// The files of an organisation's enterprise folder.
const (
	EncryptionKeyFile = "encryption.key" // the enterprise's HPKE private key
	AuditKeyFile      = "audit.key"      // the regulator's audit private key
	OPRFKeyFile       = "oprf.key"       // the operator's OPRF server key
)

// ErrKeyFile reports a key file that is not one hex-encoded key, or that
// others than its owner may read.
var ErrKeyFile = errors.New("enterprisecard: bad key file")

// Keys are an enterprise's private keys, as its own organisation keeps
// them.
type Keys struct {
	Encryption *envelope.PrivateKey
	Audit      *elgamal.PrivateKey // the regulator's only
	OPRF       *oprf.ServerKey     // the operator's only
}

// EnsureKeys reads the keys of an enterprise of the given role from dir,
// creating the missing ones (mode 0600, folder 0700) with randomness from
// rand (crypto/rand when nil): an organisation that already made its keys
// keeps them. Every enterprise has an encryption key; the regulator also
// an audit key, the operator an OPRF key.
func EnsureKeys(dir string, role model.Role, rand io.Reader) (Keys, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Keys{}, err
	}
	var k Keys
	var err error
	k.Encryption, err = ensure(filepath.Join(dir, EncryptionKeyFile), ReadEncryptionKey, func() (*envelope.PrivateKey, error) { return envelope.GenerateKey(rand) })
	if err != nil {
		return k, err
	}
	switch role {
	case model.RoleRegulator:
		k.Audit, err = ensure(filepath.Join(dir, AuditKeyFile), ReadAuditKey, func() (*elgamal.PrivateKey, error) { return elgamal.GenerateKey(rand) })
	case model.RoleOperator:
		k.OPRF, err = ensure(filepath.Join(dir, OPRFKeyFile), ReadOPRFKey, func() (*oprf.ServerKey, error) { return oprf.GenerateServerKey(rand) })
	}
	return k, err
}

// ReadOPRFKey reads an OPRF server key file (hex).
func ReadOPRFKey(path string) (*oprf.ServerKey, error) { return readKey(path, oprf.DecodeServerKey) }

// ensure reads the key in path, or generates one and writes it there
// (hex, mode 0600) when there is none.
func ensure[K interface{ Bytes() []byte }](path string, read func(string) (K, error), gen func() (K, error)) (K, error) {
	k, err := read(path)
	if err == nil || !errors.Is(err, os.ErrNotExist) {
		return k, err
	}
	k, err = gen()
	if err != nil {
		return k, err
	}
	if err := writeAtomic(path, []byte(hex.EncodeToString(k.Bytes())+"\n"), 0o600); err != nil {
		return k, err
	}
	return k, nil
}

// ReadEncryptionKey reads an HPKE private key file (hex).
func ReadEncryptionKey(path string) (*envelope.PrivateKey, error) {
	return readKey(path, envelope.DecodePrivateKey)
}

// ReadAuditKey reads an audit private key file (hex).
func ReadAuditKey(path string) (*elgamal.PrivateKey, error) {
	return readKey(path, elgamal.DecodePrivateKey)
}

// readKey reads a key file and decodes the key it holds.
func readKey[K any](path string, decode func([]byte) (K, error)) (K, error) {
	var none K
	b, err := readKeyFile(path)
	if err != nil {
		return none, err
	}
	k, err := decode(b)
	if err != nil {
		return none, fmt.Errorf("%w %s: %w", ErrKeyFile, path, err)
	}
	return k, nil
}

func readKeyFile(path string) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("enterprisecard: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("%w %s: mode %v, want 0600 (readable by its owner only)", ErrKeyFile, path, fi.Mode().Perm())
	}
	if fi.Size() > 1024 {
		return nil, fmt.Errorf("%w %s: too large", ErrKeyFile, path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("enterprisecard: %w", err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(raw)))
	if err != nil {
		return nil, fmt.Errorf("%w %s: not hex", ErrKeyFile, path)
	}
	return b, nil
}

// New makes the card of an enterprise from its identity certificate (PEM)
// and its keys: public halves only.
func New(id, name, legalID string, role model.Role, mspID string, certPEM []byte, k Keys) (Card, error) {
	if k.Encryption == nil {
		return Card{}, fieldErr("encryptionKey", ErrMissing)
	}
	c := Card{Version: Version, ID: id, Name: name, LegalID: legalID, Role: role, MSPID: mspID,
		Certificate: string(certPEM), EncryptionKey: k.Encryption.Public().Bytes()}
	if k.Audit != nil {
		c.AuditKey = k.Audit.Public().Bytes()
	}
	if k.OPRF != nil {
		c.OPRFKey = k.OPRF.Public().Bytes()
	}
	return c, c.Validate()
}
