// Package keyseal seals a self-custody enterprise's keys under a
// passphrase, as bytes: the CLI's key file and the browser's IndexedDB
// record are the same sealed JSON (Argon2id, XChaCha20-Poly1305, the
// public fields as associated data). No file, network or SQL import, so the
// browser's WebAssembly wallet uses it as is.
package keyseal

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"

	"github.com/tierchain/tierchain/zk/envelope"
)

var (
	// ErrWrongPassphrase: the sealed keys do not open with the passphrase
	// (or were altered: the two are indistinguishable by design).
	ErrWrongPassphrase = errors.New("keyseal: wrong passphrase or altered key file")
	// ErrCorrupt: the bytes are not sealed keys of this format.
	ErrCorrupt = errors.New("keyseal: corrupt key file")
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
func (k Keys) String() string { return fmt.Sprintf("keyseal.Keys{%s, REDACTED}", k.EnterpriseID) }

// Version is the format written.
const Version = 1

// kdf parameters (Argon2id, RFC 9106's second recommended option with
// 64 MiB); a file records its own, within bounds.
type KDF struct {
	Time    uint32 `json:"time"`
	Memory  uint32 `json:"memoryKiB"`
	Threads uint8  `json:"threads"`
}

// DefaultKDF is used for new key files.
var DefaultKDF = KDF{Time: 3, Memory: 64 << 10, Threads: 2}

type keyFile struct {
	Version    int    `json:"version"`
	Enterprise string `json:"enterprise"`
	Gateway    string `json:"gateway"`
	MSPID      string `json:"mspId,omitempty"`
	CertPEM    string `json:"certificate,omitempty"`
	KDF        KDF    `json:"kdf"`
	Salt       []byte `json:"salt"`
	Nonce      []byte `json:"nonce"`
	Sealed     []byte `json:"sealed"`
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

func (p KDF) valid() bool {
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

// Seal seals k under passphrase with the KDF parameters p.
func Seal(passphrase string, k Keys, p KDF) ([]byte, error) {
	if len(passphrase) < 8 {
		return nil, errors.New("keyseal: a passphrase of at least 8 characters")
	}
	if k.Signing == nil || k.Encryption == nil {
		return nil, errors.New("keyseal: keys missing")
	}
	if !p.valid() {
		return nil, errors.New("keyseal: KDF parameters out of bounds")
	}
	der, err := x509.MarshalPKCS8PrivateKey(k.Signing)
	if err != nil {
		return nil, err
	}
	pt, err := json.Marshal(secrets{SigningKey: der, EncryptionKey: k.Encryption.Bytes(), APIToken: k.APIToken})
	if err != nil {
		return nil, err
	}
	f := keyFile{Version: Version, Enterprise: k.EnterpriseID, Gateway: k.Gateway, MSPID: k.MSPID, CertPEM: string(k.CertPEM),
		KDF: p, Salt: make([]byte, 16), Nonce: make([]byte, chacha20poly1305.NonceSizeX)}
	if _, err := rand.Read(f.Salt); err != nil {
		return nil, err
	}
	if _, err := rand.Read(f.Nonce); err != nil {
		return nil, err
	}
	aead, err := chacha20poly1305.NewX(argon2.IDKey([]byte(passphrase), f.Salt, p.Time, p.Memory, p.Threads, chacha20poly1305.KeySize))
	if err != nil {
		return nil, err
	}
	f.Sealed = aead.Seal(nil, f.Nonce, pt, f.associated())
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// Open parses sealed keys and opens them with passphrase.
func Open(raw []byte, passphrase string) (Keys, error) {
	var f keyFile
	if len(raw) > 64<<10 || json.Unmarshal(raw, &f) != nil || f.Version != Version || !f.KDF.valid() ||
		len(f.Salt) != 16 || len(f.Nonce) != chacha20poly1305.NonceSizeX || len(f.Sealed) < chacha20poly1305.Overhead {
		return Keys{}, ErrCorrupt
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
		return Keys{}, ErrCorrupt
	}
	k, err := x509.ParsePKCS8PrivateKey(s.SigningKey)
	if err != nil {
		return Keys{}, ErrCorrupt
	}
	sk, ok := k.(*ecdsa.PrivateKey)
	if !ok {
		return Keys{}, ErrCorrupt
	}
	ek, err := envelope.DecodePrivateKey(s.EncryptionKey)
	if err != nil {
		return Keys{}, ErrCorrupt
	}
	out := Keys{EnterpriseID: f.Enterprise, Gateway: f.Gateway, MSPID: f.MSPID, APIToken: s.APIToken, Signing: sk, Encryption: ek}
	if f.CertPEM != "" {
		out.CertPEM = []byte(f.CertPEM)
		blk, _ := pem.Decode(out.CertPEM)
		if blk == nil {
			return Keys{}, ErrCorrupt
		}
		cert, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return Keys{}, ErrCorrupt
		}
		if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(&sk.PublicKey) {
			return Keys{}, ErrCorrupt
		}
	}
	return out, nil
}

// WithIdentity returns k with the identity the operator issued: its MSP,
// its certificate (which must be of k's signing key) and its API token.
func WithIdentity(k Keys, mspID string, certPEM []byte, token string) (Keys, error) {
	blk, _ := pem.Decode(certPEM)
	if blk == nil {
		return Keys{}, fmt.Errorf("keyseal: the certificate is not PEM")
	}
	cert, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return Keys{}, err
	}
	if !k.Signing.PublicKey.Equal(cert.PublicKey) {
		return Keys{}, fmt.Errorf("keyseal: the certificate is not of this signing key")
	}
	k.MSPID, k.CertPEM, k.APIToken = mspID, certPEM, token
	return k, nil
}
