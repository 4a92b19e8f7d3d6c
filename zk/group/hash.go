package group

import (
	"crypto"
	_ "crypto/sha512" // registers SHA-512 for the expander
	"encoding/hex"

	"github.com/cloudflare/circl/expander"
	circlgroup "github.com/cloudflare/circl/group"
)

// HashToElement maps msg to a group element with the RFC 9380 suite
// ristretto255_XMD:SHA-512_R255MAP_RO_ and domain separation tag dst. The
// discrete log of the result with respect to any other element is unknown,
// which is what independent generators need.
func HashToElement(dst string, msg []byte) *Element {
	ce := circlgroup.Ristretto255.HashToElement(msg, []byte(dst))
	enc, err := ce.MarshalBinary()
	if err != nil {
		panic("group: circl failed to encode a hashed element: " + err.Error())
	}
	e := new(Element)
	if _, err := e.SetCanonicalBytes(enc); err != nil {
		panic("group: circl produced a non-canonical element")
	}
	return e
}

// HashToScalar maps msg to a uniformly distributed scalar: 64 bytes of
// expand_message_xmd(SHA-512, dst) reduced modulo ℓ (RFC 9380 §5, as
// hash_to_field for ristretto255).
func HashToScalar(dst string, msg []byte) *Scalar {
	exp := expander.NewExpanderMD(crypto.SHA512, []byte(dst))
	u := exp.Expand(msg, 64)
	s := new(Scalar)
	if _, err := s.SetUniformBytes(u); err != nil {
		panic(err)
	}
	return s
}

func hexString(b []byte) string { return hex.EncodeToString(b) }
