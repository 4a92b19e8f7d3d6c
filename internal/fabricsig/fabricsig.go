// Package fabricsig makes the signatures Fabric's MSP accepts, with no
// dependency beyond the standard library: small enough for the browser's
// WebAssembly wallet.
package fabricsig

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/asn1"
	"math/big"
)

// SignDigest signs a SHA-256 digest with key: ASN.1 ECDSA with s in the
// lower half of the group order (Fabric refuses a high s).
func SignDigest(key *ecdsa.PrivateKey, digest []byte) ([]byte, error) {
	r, s, err := ecdsa.Sign(rand.Reader, key, digest)
	if err != nil {
		return nil, err
	}
	n := key.Curve.Params().N
	if s.Cmp(new(big.Int).Rsh(n, 1)) > 0 {
		s = new(big.Int).Sub(n, s)
	}
	return asn1.Marshal(struct{ R, S *big.Int }{r, s})
}
