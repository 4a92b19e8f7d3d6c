// Package selfcustody is a self-custody enterprise's device: its keys in a
// passphrase-sealed file, a wallet of its openings rebuilt from the chain
// (services/wallet on a local SQLite file), and the relay client through
// which it reads and writes the ledger via its organisation's gateway.
// `tierchain wallet` and the tests drive it.
package selfcustody

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/tierchain/tierchain/zk/envelope"
)

var (
	// ErrWrongPassphrase: the key file does not open with the passphrase
	// (or was altered: the two are indistinguishable by design).
	ErrWrongPassphrase = errors.New("selfcustody: wrong passphrase or altered key file")
	// ErrCorruptKeyFile: the key file is not a key file of this format.
	ErrCorruptKeyFile = errors.New("selfcustody: corrupt key file")
	// ErrPermissions: the key file (or its folder) is readable or writable
	// by others than its owner.
	ErrPermissions = errors.New("selfcustody: key file permissions too open")
	// ErrExists: a key file is already there.
	ErrExists = errors.New("selfcustody: key file exists")
)

// Keys are what the device keeps secret, and the public facts that go
// with them.
type Keys struct {
	EnterpriseID string
	Gateway      string // base URL of its organisation's gateway
	MSPID        string // set once onboarded
	CertPEM      []byte // set once onboarded
	APIToken     string // set once onboarded; a secret too
	Signing      *ecdsa.PrivateKey
	Encryption   *envelope.PrivateKey
}

// String redacts the secrets.
func (k Keys) String() string { return fmt.Sprintf("selfcustody.Keys{%s, REDACTED}", k.EnterpriseID) }

// KeyFileVersion is the format written.
const KeyFileVersion = 1

// kdf parameters (Argon2id, RFC 9106's second recommended option with
// 64 MiB); a file records its own, within bounds.
type kdfParams struct {
	Time    uint32 `json:"time"`
	Memory  uint32 `json:"memoryKiB"`
	Threads uint8  `json:"threads"`
}

// DefaultKDF is used for new key files.
var DefaultKDF = kdfParams{Time: 3, Memory: 64 << 10, Threads: 2}

type keyFile struct {
	Version    int       `json:"version"`
	Enterprise string    `json:"enterprise"`
	Gateway    string    `json:"gateway"`
	MSPID      string    `json:"mspId,omitempty"`
	CertPEM    string    `json:"certificate,omitempty"`
	KDF        kdfParams `json:"kdf"`
	Salt       []byte    `json:"salt"`
	Nonce      []byte    `json:"nonce"`
	Sealed     []byte    `json:"sealed"`
}

type secrets struct {
	SigningKey    []byte `json:"signingKey"` // PKCS#8 DER
	EncryptionKey []byte `json:"encryptionKey"`
	APIToken      string `json:"apiToken,omitempty"`
}

// associated binds the ciphertext to the file's public fields: editing the
// enterprise, gateway, MSP or certificate makes it not open.
func (f *keyFile) associated() []byte {
	b, _ := json.Marshal([]any{"tierchain/keyfile/v1", f.Version, f.Enterprise, f.Gateway, f.MSPID, f.CertPEM, f.KDF, f.Salt})
	return b
}

func (p kdfParams) valid() bool {
	return p.Time >= 1 && p.Time <= 16 && p.Memory >= 8<<10 && p.Memory <= 1<<20 && p.Threads >= 1 && p.Threads <= 16
}

// NewKeys makes a fresh P-256 signing key and X25519 encryption key.
func NewKeys(enterpriseID, gateway string) (Keys, error) {
	sk, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return Keys{}, err
	}
	ek, err := envelope.GenerateKey(nil)
	if err != nil {
		return Keys{}, err
	}
	return Keys{EnterpriseID: enterpriseID, Gateway: gateway, Signing: sk, Encryption: ek}, nil
}

// Save writes k to path sealed under passphrase, with mode 0600 (its
// folder made 0700 if new). With create it refuses to overwrite.
func Save(path, passphrase string, k Keys, create bool) error {
	return saveWith(path, passphrase, k, create, DefaultKDF)
}

func saveWith(path, passphrase string, k Keys, create bool, p kdfParams) error {
	if len(passphrase) < 8 {
		return errors.New("selfcustody: a passphrase of at least 8 characters")
	}
	if k.Signing == nil || k.Encryption == nil {
		return errors.New("selfcustody: keys missing")
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.Signing)
	if err != nil {
		return err
	}
	pt, err := json.Marshal(secrets{SigningKey: der, EncryptionKey: k.Encryption.Bytes(), APIToken: k.APIToken})
	if err != nil {
		return err
	}
	f := keyFile{Version: KeyFileVersion, Enterprise: k.EnterpriseID, Gateway: k.Gateway, MSPID: k.MSPID, CertPEM: string(k.CertPEM),
		KDF: p, Salt: make([]byte, 16), Nonce: make([]byte, chacha20poly1305.NonceSizeX)}
	if _, err := rand.Read(f.Salt); err != nil {
		return err
	}
	if _, err := rand.Read(f.Nonce); err != nil {
		return err
	}
	aead, err := chacha20poly1305.NewX(argon2.IDKey([]byte(passphrase), f.Salt, p.Time, p.Memory, p.Threads, chacha20poly1305.KeySize))
	if err != nil {
		return err
	}
	f.Sealed = aead.Seal(nil, f.Nonce, pt, f.associated())
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	// Write a sibling and rename, so a crash never leaves half a key file.
	tmp := path + ".tmp"
	w, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := w.Write(append(out, '\n')); err != nil {
		w.Close()
		return err
	}
	if err := w.Sync(); err != nil {
		w.Close()
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	if create {
		if _, err := os.Stat(path); err == nil {
			os.Remove(tmp)
			return fmt.Errorf("%w: %s", ErrExists, path)
		}
	}
	return os.Rename(tmp, path)
}

// CheckPermissions refuses a key file that others may read or write, or
// in a folder others may write.
func CheckPermissions(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%w: %s is not a regular file", ErrPermissions, path)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%w: %s is %s; chmod 600 it", ErrPermissions, path, st.Mode().Perm())
	}
	dir, err := os.Stat(filepath.Dir(path))
	if err != nil {
		return err
	}
	if dir.Mode().Perm()&0o022 != 0 {
		return fmt.Errorf("%w: its folder %s is writable by others (%s)", ErrPermissions, filepath.Dir(path), dir.Mode().Perm())
	}
	return nil
}

// Load opens the key file at path with passphrase, after checking its
// permissions.
func Load(path, passphrase string) (Keys, error) {
	if err := CheckPermissions(path); err != nil {
		return Keys{}, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return Keys{}, err
	}
	return decode(raw, passphrase)
}

// decode parses and opens a key file's bytes.
func decode(raw []byte, passphrase string) (Keys, error) {
	var f keyFile
	if len(raw) > 64<<10 || json.Unmarshal(raw, &f) != nil || f.Version != KeyFileVersion || !f.KDF.valid() ||
		len(f.Salt) != 16 || len(f.Nonce) != chacha20poly1305.NonceSizeX || len(f.Sealed) < chacha20poly1305.Overhead {
		return Keys{}, ErrCorruptKeyFile
	}
	aead, err := chacha20poly1305.NewX(argon2.IDKey([]byte(passphrase), f.Salt, f.KDF.Time, f.KDF.Memory, f.KDF.Threads, chacha20poly1305.KeySize))
	if err != nil {
		return Keys{}, err
	}
	pt, err := aead.Open(nil, f.Nonce, f.Sealed, f.associated())
	if err != nil {
		return Keys{}, ErrWrongPassphrase
	}
	var s secrets
	if err := json.Unmarshal(pt, &s); err != nil {
		return Keys{}, ErrCorruptKeyFile
	}
	k, err := x509.ParsePKCS8PrivateKey(s.SigningKey)
	if err != nil {
		return Keys{}, ErrCorruptKeyFile
	}
	sk, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return Keys{}, ErrCorruptKeyFile
	}
	ek, err := envelope.DecodePrivateKey(s.EncryptionKey)
	if err != nil {
		return Keys{}, ErrCorruptKeyFile
	}
	out := Keys{EnterpriseID: f.Enterprise, Gateway: f.Gateway, MSPID: f.MSPID, APIToken: s.APIToken, Signing: sk, Encryption: ek}
	if f.CertPEM != "" {
		out.CertPEM = []byte(f.CertPEM)
		blk, _ := pem.Decode(out.CertPEM)
		if blk == nil {
			return Keys{}, ErrCorruptKeyFile
		}
		cert, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return Keys{}, ErrCorruptKeyFile
		}
		if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(&sk.PublicKey) {
			return Keys{}, ErrCorruptKeyFile
		}
	}
	return out, nil
}
