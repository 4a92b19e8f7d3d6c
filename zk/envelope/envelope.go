// Package envelope carries a commitment's opening (v, r) to one recipient
// with HPKE (RFC 9180, base mode: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// ChaCha20-Poly1305, from circl). Openings travel on the ledger this way, so
// a wallet can be rebuilt from the chain and its key alone.
//
// The associated data binds the commitment, the token ID and the purpose
// ("holder", "regulator", "bank", …), so an envelope cannot be moved to
// another token or role, and Open checks that the opening really opens the
// commitment. See docs/crypto/envelope.md.
package envelope

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"

	"github.com/cloudflare/circl/dh/x25519"
	"github.com/cloudflare/circl/hpke"
	"github.com/cloudflare/circl/kem"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// Info is the HPKE info string; changing it makes old envelopes unreadable.
const Info = "tierchain/envelope/v1"

const (
	plaintextSize = 8 + group.ScalarSize
	// KeySize is the size of an encoded public or private key.
	KeySize = 32
	// SealedSize is the size of a sealed envelope: enc ‖ ciphertext ‖ tag.
	SealedSize = 32 + plaintextSize + 16
)

var (
	// ErrDecrypt reports an envelope that does not open with this key and
	// binding, or whose opening does not open the bound commitment.
	ErrDecrypt = errors.New("envelope: cannot open")
	// ErrMalformed reports bytes that are not a key or an envelope.
	ErrMalformed = errors.New("envelope: malformed")
	// ErrWrongOpening reports an envelope that decrypts under the key and
	// binding but whose plaintext is not an opening of the bound
	// commitment: its sender sealed a wrong value or blinding. It matches
	// ErrDecrypt too.
	ErrWrongOpening = fmt.Errorf("%w: the opening does not open the commitment", ErrDecrypt)
)

var suite = hpke.NewSuite(hpke.KEM_X25519_HKDF_SHA256, hpke.KDF_HKDF_SHA256, hpke.AEAD_ChaCha20Poly1305)

func scheme() kem.Scheme { return hpke.KEM_X25519_HKDF_SHA256.Scheme() }

// PrivateKey is a recipient's X25519 key. It redacts itself.
type PrivateKey struct {
	sk kem.PrivateKey
	pk *PublicKey
}

// PublicKey is a recipient's X25519 public key.
type PublicKey struct {
	pk kem.PublicKey
}

// GenerateKey returns a key pair derived from 32 bytes of rand (crypto/rand if nil).
func GenerateKey(rand io.Reader) (*PrivateKey, error) {
	seed := make([]byte, scheme().SeedSize())
	if rand == nil {
		rand = cryptoRand
	}
	if _, err := io.ReadFull(rand, seed); err != nil {
		return nil, err
	}
	pk, sk := scheme().DeriveKeyPair(seed)
	return &PrivateKey{sk: sk, pk: &PublicKey{pk: pk}}, nil
}

// Public returns the public key.
func (k *PrivateKey) Public() *PublicKey { return k.pk }

// Bytes returns the private key. Keep it secret.
func (k *PrivateKey) Bytes() []byte {
	b, _ := k.sk.MarshalBinary()
	return b
}

// String redacts the key.
func (k *PrivateKey) String() string { return "envelope.PrivateKey{REDACTED}" }

// GoString redacts the key for %#v.
func (k *PrivateKey) GoString() string { return k.String() }

// LogValue redacts the key.
func (k *PrivateKey) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// DecodePrivateKey parses a 32-byte X25519 private key.
func DecodePrivateKey(b []byte) (*PrivateKey, error) {
	if len(b) != KeySize {
		return nil, ErrMalformed
	}
	sk, err := scheme().UnmarshalBinaryPrivateKey(b)
	if err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	return &PrivateKey{sk: sk, pk: &PublicKey{pk: sk.Public()}}, nil
}

// Bytes returns the 32-byte public key.
func (p *PublicKey) Bytes() []byte {
	b, _ := p.pk.MarshalBinary()
	return b
}

// DecodePublicKey parses a 32-byte X25519 public key. It takes only the
// canonical encoding (u < 2^255 − 19, top bit clear: RFC 7748 decoders
// would otherwise read two encodings as one key) and refuses points of
// small order, to which an HPKE sender cannot seal (the shared secret
// would be all zero, RFC 9180 §7.1.4): a registry that stores such a key
// would leave its owner unreachable.
func DecodePublicKey(b []byte) (*PublicKey, error) {
	if len(b) != KeySize {
		return nil, ErrMalformed
	}
	if !canonicalU(b) {
		return nil, fmt.Errorf("%w: non-canonical X25519 public key", ErrMalformed)
	}
	if smallOrder(b) {
		return nil, fmt.Errorf("%w: X25519 public key of small order", ErrMalformed)
	}
	pk, err := scheme().UnmarshalBinaryPublicKey(b)
	if err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	return &PublicKey{pk: pk}, nil
}

// Binding is what an envelope is sealed to: it is the AEAD's associated data.
type Binding struct {
	Commitment *pedersen.Commitment
	TokenID    string
	Purpose    string
}

// aad encodes the binding unambiguously (length-prefixed fields).
func (b Binding) aad() ([]byte, error) {
	if b.Commitment == nil {
		return nil, fmt.Errorf("%w: binding without commitment", ErrMalformed)
	}
	out := []byte(Info)
	for _, f := range [][]byte{b.Commitment.Bytes(), []byte(b.TokenID), []byte(b.Purpose)} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
		out = append(out, f...)
	}
	return out, nil
}

// Seal encrypts the opening to pub, bound to b.
func Seal(pub *PublicKey, o pedersen.Opening, b Binding, rand io.Reader) ([]byte, error) {
	if o.Blinding == nil {
		return nil, fmt.Errorf("%w: opening without blinding", ErrMalformed)
	}
	aad, err := b.aad()
	if err != nil {
		return nil, err
	}
	if rand == nil {
		rand = cryptoRand
	}
	sender, err := suite.NewSender(pub.pk, []byte(Info))
	if err != nil {
		return nil, err
	}
	enc, sealer, err := sender.Setup(rand)
	if err != nil {
		return nil, err
	}
	pt := binary.BigEndian.AppendUint64(make([]byte, 0, plaintextSize), o.Value)
	pt = append(pt, o.Blinding.Bytes()...)
	ct, err := sealer.Seal(pt, aad)
	if err != nil {
		return nil, err
	}
	return append(enc, ct...), nil
}

// Open decrypts an envelope sealed to k's public key and bound to b, and
// checks that the opening opens b.Commitment.
func Open(k *PrivateKey, sealed []byte, b Binding) (pedersen.Opening, error) {
	if len(sealed) != SealedSize {
		return pedersen.Opening{}, fmt.Errorf("%w: %d bytes", ErrMalformed, len(sealed))
	}
	aad, err := b.aad()
	if err != nil {
		return pedersen.Opening{}, err
	}
	receiver, err := suite.NewReceiver(k.sk, []byte(Info))
	if err != nil {
		return pedersen.Opening{}, err
	}
	opener, err := receiver.Setup(sealed[:32])
	if err != nil {
		return pedersen.Opening{}, ErrDecrypt
	}
	pt, err := opener.Open(sealed[32:], aad)
	if err != nil || len(pt) != plaintextSize {
		return pedersen.Opening{}, ErrDecrypt
	}
	r, err := group.NewScalar().SetCanonicalBytes(pt[8:])
	if err != nil {
		return pedersen.Opening{}, ErrWrongOpening
	}
	o := pedersen.Opening{Value: binary.BigEndian.Uint64(pt[:8]), Blinding: r}
	if !o.Opens(b.Commitment) {
		return pedersen.Opening{}, ErrWrongOpening
	}
	return o, nil
}

// canonicalU reports whether b is the canonical little-endian encoding of
// a field element u < p = 2^255 − 19.
func canonicalU(b []byte) bool {
	if b[31] > 0x7f {
		return false
	}
	if b[31] < 0x7f || b[0] < 0xed {
		return true
	}
	for _, x := range b[1:31] {
		if x != 0xff {
			return true
		}
	}
	return false // p ≤ u < 2^255
}

// smallOrder reports whether u is a point of order dividing 8. X25519
// clamps every scalar to a multiple of 8, so a shared secret with any key
// is all zero exactly for these points; x25519.Shared reports that.
// Variable time: public keys are public.
func smallOrder(b []byte) bool {
	var ss, sk, pk x25519.Key
	sk[0] = 1 // any scalar will do: clamping makes it a multiple of 8
	copy(pk[:], b)
	return !x25519.Shared(&ss, &sk, &pk)
}
