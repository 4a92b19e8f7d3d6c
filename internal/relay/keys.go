package relay

import (
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/binary"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"

	"github.com/cloudflare/circl/hpke"

	"github.com/tierchain/tierchain/internal/fabricsig"
)

// OnboardDigest is what a self-custody enterprise signs with its new
// Fabric key when it asks to be onboarded: proof that whoever sent the
// public keys holds the signing key, bound to its enterprise ID and its
// encryption key.
func OnboardDigest(enterpriseID string, signingKey *ecdsa.PublicKey, encryptionKey []byte) ([]byte, error) {
	der, err := x509.MarshalPKIXPublicKey(signingKey)
	if err != nil {
		return nil, err
	}
	return lpDigest("tierchain/custody/onboard/v1", []byte(enterpriseID), der, encryptionKey), nil
}

// OnboardRequest is the body of POST /v1/custody/enterprises that the
// operator sends after KYC: the device's public keys and its proof of
// possession of the signing key.
type OnboardRequest struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	LegalID       string `json:"legalId"`
	SigningKey    string `json:"signingKey"` // PEM "PUBLIC KEY"
	EncryptionKey []byte `json:"encryptionKey"`
	Proof         []byte `json:"proof"`
}

// NewOnboardRequest builds the onboarding request of enterprise id, signed
// with its new signing key.
func NewOnboardRequest(id, name, legalID string, signing *ecdsa.PrivateKey, encryptionKey []byte) (OnboardRequest, error) {
	pubDER, err := x509.MarshalPKIXPublicKey(&signing.PublicKey)
	if err != nil {
		return OnboardRequest{}, err
	}
	digest, err := OnboardDigest(id, &signing.PublicKey, encryptionKey)
	if err != nil {
		return OnboardRequest{}, err
	}
	proof, err := SignDigest(signing, digest)
	if err != nil {
		return OnboardRequest{}, err
	}
	return OnboardRequest{ID: id, Name: name, LegalID: legalID, SigningKey: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})),
		EncryptionKey: encryptionKey, Proof: proof}, nil
}

// ImportDigest is what a self-custody enterprise signs to hand its keys
// back to the gateway: bound to its ID and the time it asked.
func ImportDigest(enterpriseID string, unix int64) []byte {
	return lpDigest("tierchain/custody/import/v1", []byte(enterpriseID), binary.BigEndian.AppendUint64(nil, uint64(unix)))
}

func lpDigest(label string, parts ...[]byte) []byte {
	h := sha256.New()
	for _, p := range append([][]byte{[]byte(label)}, parts...) {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(p))))
		h.Write(p)
	}
	return h.Sum(nil)
}

// ExportedKeys are what a hosted enterprise takes with it to self-custody.
// Secret: it never reaches a log (String redacts).
type ExportedKeys struct {
	EnterpriseID  string `json:"enterpriseId"`
	MSPID         string `json:"mspId"`
	CertPEM       string `json:"certificate"`
	SigningKeyPEM string `json:"signingKey"`    // PKCS#8 PEM
	EncryptionKey []byte `json:"encryptionKey"` // X25519 private key
}

// String redacts the keys.
func (ExportedKeys) String() string { return "relay.ExportedKeys{REDACTED}" }

var exportSuite = hpke.NewSuite(hpke.KEM_X25519_HKDF_SHA256, hpke.KDF_HKDF_SHA256, hpke.AEAD_ChaCha20Poly1305)

const exportInfo = "tierchain/custody/export/v1"

// ErrSealed: an export that does not open under the transport key.
var ErrSealed = errors.New("relay: sealed export does not open")

// SealExport encrypts k to the device's one-time X25519 transport key
// (HPKE base mode), bound to the enterprise ID: the gateway's idempotency
// record of the export response then holds only ciphertext.
func SealExport(transportKey []byte, k ExportedKeys, random io.Reader) ([]byte, error) {
	if random == nil {
		random = rand.Reader
	}
	pub, err := hpke.KEM_X25519_HKDF_SHA256.Scheme().UnmarshalBinaryPublicKey(transportKey)
	if err != nil {
		return nil, fmt.Errorf("relay: transport key: %w", err)
	}
	sender, err := exportSuite.NewSender(pub, []byte(exportInfo))
	if err != nil {
		return nil, err
	}
	enc, sealer, err := sender.Setup(random)
	if err != nil {
		return nil, err
	}
	pt, err := json.Marshal(k)
	if err != nil {
		return nil, err
	}
	ct, err := sealer.Seal(pt, []byte(k.EnterpriseID))
	if err != nil {
		return nil, err
	}
	return append(enc, ct...), nil
}

// NewTransportKey returns a one-time X25519 key pair for an export: the
// public key to send, the private key to open the answer with.
func NewTransportKey() (public, private []byte, err error) {
	pk, sk, err := hpke.KEM_X25519_HKDF_SHA256.Scheme().GenerateKeyPair()
	if err != nil {
		return nil, nil, err
	}
	if public, err = pk.MarshalBinary(); err != nil {
		return nil, nil, err
	}
	if private, err = sk.MarshalBinary(); err != nil {
		return nil, nil, err
	}
	return public, private, nil
}

// OpenExport decrypts SealExport's output with the transport private key.
func OpenExport(transportPrivate []byte, enterpriseID string, sealed []byte) (ExportedKeys, error) {
	sch := hpke.KEM_X25519_HKDF_SHA256.Scheme()
	sk, err := sch.UnmarshalBinaryPrivateKey(transportPrivate)
	if err != nil {
		return ExportedKeys{}, fmt.Errorf("%w: %v", ErrSealed, err)
	}
	n := sch.CiphertextSize()
	if len(sealed) <= n {
		return ExportedKeys{}, fmt.Errorf("%w: too short", ErrSealed)
	}
	receiver, err := exportSuite.NewReceiver(sk, []byte(exportInfo))
	if err != nil {
		return ExportedKeys{}, err
	}
	opener, err := receiver.Setup(sealed[:n])
	if err != nil {
		return ExportedKeys{}, fmt.Errorf("%w: %v", ErrSealed, err)
	}
	pt, err := opener.Open(sealed[n:], []byte(enterpriseID))
	if err != nil {
		return ExportedKeys{}, fmt.Errorf("%w: %v", ErrSealed, err)
	}
	var k ExportedKeys
	if err := json.Unmarshal(pt, &k); err != nil || k.EnterpriseID != enterpriseID {
		return ExportedKeys{}, fmt.Errorf("%w: not this enterprise's keys", ErrSealed)
	}
	return k, nil
}

// SignDigest signs a SHA-256 digest the way Fabric's MSP accepts it
// (fabricsig.SignDigest).
func SignDigest(key *ecdsa.PrivateKey, digest []byte) ([]byte, error) {
	return fabricsig.SignDigest(key, digest)
}
