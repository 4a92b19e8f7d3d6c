package envelope

import (
	"bytes"
	"encoding/hex"
	"flag"
	"testing"

	"github.com/tierchain/tierchain/zk/internal/testrand"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// go test ./zk/envelope -run Vectors -update rewrites testdata/vectors-v1.json.
var update = flag.Bool("update", false, "rewrite the known-answer vectors")

type vector struct {
	Seed       string `json:"seed"`
	PrivateKey string `json:"privateKey"`
	PublicKey  string `json:"publicKey"`
	Value      uint64 `json:"value"`
	Blinding   string `json:"blinding"`
	Commitment string `json:"commitment"`
	TokenID    string `json:"tokenID"`
	Purpose    string `json:"purpose"`
	Sealed     string `json:"sealed"`
}

// makeVector is the generator: recipient key, opening and envelope, all
// from one seeded reader.
func makeVector(t *testing.T, seed string, value uint64, token, purpose string) vector {
	rnd := testrand.New(seed)
	k := must(GenerateKey(rnd))
	o := must(pedersen.NewOpening(value, rnd))
	b := Binding{Commitment: o.Commitment(), TokenID: token, Purpose: purpose}
	sealed := must(Seal(k.Public(), o, b, rnd))
	return vector{Seed: seed, PrivateKey: hex.EncodeToString(k.Bytes()), PublicKey: hex.EncodeToString(k.Public().Bytes()),
		Value: value, Blinding: hex.EncodeToString(o.Blinding.Bytes()), Commitment: hex.EncodeToString(b.Commitment.Bytes()),
		TokenID: token, Purpose: purpose, Sealed: hex.EncodeToString(sealed)}
}

// TestVectors: envelopes sealed by v1 still open to the same opening, and
// Seal reproduces them byte for byte from the same randomness.
func TestVectors(t *testing.T) {
	type vectorCase struct {
		seed, token, purpose string
		value                uint64
	}
	cases := []vectorCase{
		{"v1/a", "tok-1", "holder", 0},
		{"v1/b", "tok-1/2", "regulator", 400_000_00},
		{"v1/c", "", "bank", 1<<64 - 1},
	}
	vs := testrand.VectorsOf(t, "testdata/vectors-v1.json", *update, cases, func(c vectorCase) vector {
		return makeVector(t, c.seed, c.value, c.token, c.purpose)
	})
	hx := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	for _, v := range vs {
		k, err := DecodePrivateKey(hx(v.PrivateKey))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(k.Public().Bytes(), hx(v.PublicKey)) {
			t.Errorf("%s: public key changed", v.Seed)
		}
		c, err := pedersen.DecodeCommitment(hx(v.Commitment))
		if err != nil {
			t.Fatal(err)
		}
		o, err := Open(k, hx(v.Sealed), Binding{Commitment: c, TokenID: v.TokenID, Purpose: v.Purpose})
		if err != nil {
			t.Errorf("%s: frozen envelope no longer opens: %v", v.Seed, err)
			continue
		}
		if o.Value != v.Value || !bytes.Equal(o.Blinding.Bytes(), hx(v.Blinding)) {
			t.Errorf("%s: frozen envelope opens to another opening", v.Seed)
		}
		if again := makeVector(t, v.Seed, v.Value, v.TokenID, v.Purpose); again != v {
			t.Errorf("%s: output changed for the same randomness", v.Seed)
		}
	}
}

// TestRFC9180Suite checks that suite is exactly RFC 9180's DHKEM(X25519,
// HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305 in base mode: the first
// encryption of the RFC's test vector for (mode 0, kem 0x0020, kdf 0x0001,
// aead 0x0003), RFC 9180 Appendix A.2.1, copied from circl v1.6.5
// hpke/testdata/vectors_rfc9180_5f503c5.json.gz.
func TestRFC9180Suite(t *testing.T) {
	hx := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	var (
		ikmE  = hx("909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b")
		ikmR  = hx("1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df")
		skRm  = hx("8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb")
		pkRm  = hx("4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a")
		enc   = hx("1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a")
		info  = hx("4f6465206f6e2061204772656369616e2055726e")
		aad   = hx("436f756e742d30")
		pt    = hx("4265617574792069732074727574682c20747275746820626561757479")
		ct    = hx("1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db21993c62ce81883d2dd1b51a28")
		recip = must(GenerateKey(bytes.NewReader(ikmR)))
	)
	if !bytes.Equal(recip.Bytes(), skRm) || !bytes.Equal(recip.Public().Bytes(), pkRm) {
		t.Fatal("DeriveKeyPair differs from RFC 9180")
	}
	sender, err := suite.NewSender(recip.Public().pk, info)
	if err != nil {
		t.Fatal(err)
	}
	gotEnc, sealer, err := sender.Setup(bytes.NewReader(ikmE))
	if err != nil {
		t.Fatal(err)
	}
	gotCT, err := sealer.Seal(pt, aad)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(gotEnc, enc) || !bytes.Equal(gotCT, ct) {
		t.Fatalf("suite differs from RFC 9180: enc %x ct %x", gotEnc, gotCT)
	}
}

// must returns v, or panics (failing the test) on a generator error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
