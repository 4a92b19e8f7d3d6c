package envelope

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/zk/pedersen"
)

func setup(t testing.TB) (*PrivateKey, pedersen.Opening, Binding, []byte) {
	k, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := pedersen.NewOpening(400_000_00, nil)
	b := Binding{Commitment: o.Commitment(), TokenID: "tok-1", Purpose: "holder"}
	sealed, err := Seal(k.Public(), o, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k, o, b, sealed
}

func TestSealOpen(t *testing.T) {
	k, o, b, sealed := setup(t)
	if len(sealed) != SealedSize {
		t.Fatalf("sealed is %d bytes", len(sealed))
	}
	got, err := Open(k, sealed, b)
	if err != nil || got.Value != o.Value || got.Blinding.Equal(o.Blinding) != 1 {
		t.Fatalf("Open: %v", err)
	}
}

func TestOpenRejects(t *testing.T) {
	k, o, b, sealed := setup(t)
	other, _ := GenerateKey(nil)
	o2, _ := pedersen.NewOpening(1, nil)
	cases := map[string]struct {
		k *PrivateKey
		s []byte
		b Binding
	}{
		"wrong key":        {other, sealed, b},
		"wrong commitment": {k, sealed, Binding{o2.Commitment(), b.TokenID, b.Purpose}},
		"wrong token":      {k, sealed, Binding{b.Commitment, "tok-2", b.Purpose}},
		"wrong purpose":    {k, sealed, Binding{b.Commitment, b.TokenID, "regulator"}},
	}
	for i := range sealed {
		bad := bytes.Clone(sealed)
		bad[i] ^= 1
		cases[fmt.Sprintf("flip %d", i)] = struct {
			k *PrivateKey
			s []byte
			b Binding
		}{k, bad, b}
	}
	for name, c := range cases {
		if _, err := Open(c.k, c.s, c.b); !errors.Is(err, ErrDecrypt) || errors.Is(err, ErrWrongOpening) {
			t.Errorf("%s: %v, want ErrDecrypt and not ErrWrongOpening", name, err)
		}
	}
	// Envelopes that decrypt but whose opening does not open the bound
	// commitment: a wrong value, a wrong blinding. They are ErrWrongOpening
	// (and still ErrDecrypt), which names the sender's lie.
	wrongBlinding, _ := pedersen.NewOpening(o.Value, nil)
	for name, lie := range map[string]pedersen.Opening{
		"wrong value":    {Value: o.Value + 1, Blinding: o.Blinding},
		"wrong blinding": wrongBlinding,
	} {
		sealedLie, _ := Seal(k.Public(), lie, b, nil)
		if _, err := Open(k, sealedLie, b); !errors.Is(err, ErrWrongOpening) || !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: %v, want ErrWrongOpening", name, err)
		}
	}
	for _, s := range [][]byte{nil, sealed[:SealedSize-1], append(bytes.Clone(sealed), 0)} {
		if _, err := Open(k, s, b); !errors.Is(err, ErrMalformed) {
			t.Errorf("length %d: %v", len(s), err)
		}
	}
	if _, err := Seal(k.Public(), o, Binding{}, nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("nil commitment: %v", err)
	}
}

func TestKeys(t *testing.T) {
	k, _ := GenerateKey(nil)
	k2, err := DecodePrivateKey(k.Bytes())
	if err != nil || !bytes.Equal(k2.Public().Bytes(), k.Public().Bytes()) {
		t.Fatal("private key round trip")
	}
	p2, err := DecodePublicKey(k.Public().Bytes())
	if err != nil || !bytes.Equal(p2.Bytes(), k.Public().Bytes()) {
		t.Fatal("public key round trip")
	}
	for _, b := range [][]byte{nil, make([]byte, 31), make([]byte, 33)} {
		if _, err := DecodePublicKey(b); err == nil {
			t.Errorf("public key of %d bytes", len(b))
		}
		if _, err := DecodePrivateKey(b); err == nil {
			t.Errorf("private key of %d bytes", len(b))
		}
	}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("key", "k", k)
	for _, s := range []string{fmt.Sprint(k), fmt.Sprintf("%+v %#v", k, k), buf.String()} {
		if strings.Contains(s, fmt.Sprintf("%x", k.Bytes()[:4])) {
			t.Fatalf("key leaked: %s", s)
		}
	}
}

// TestPublicKeyRejects: small-order points (RFC 7748 §5 and the
// curve's 8-torsion) and non-canonical encodings are not keys.
func TestPublicKeyRejects(t *testing.T) {
	hx := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	valid, _ := GenerateKey(nil)
	topBit := valid.Public().Bytes()
	topBit[31] |= 0x80
	for name, b := range map[string][]byte{
		"u = 0":         make([]byte, 32),
		"u = 1":         append([]byte{1}, make([]byte, 31)...),
		"order 8 (a)":   hx("e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800"),
		"order 8 (b)":   hx("5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157"),
		"u = p − 1":     hx("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
		"u = p":         hx("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
		"u = p + 1":     hx("eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
		"u = 2^255 − 1": hx("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
		"top bit set":   topBit,
		"all ones":      bytes.Repeat([]byte{0xff}, 32),
		"short":         make([]byte, 31),
		"long":          append(valid.Public().Bytes(), 0),
		"empty":         nil,
	} {
		if _, err := DecodePublicKey(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// u = p − 2 and the base point u = 9: canonical keys of large order.
	for _, h := range []string{
		"ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0900000000000000000000000000000000000000000000000000000000000000",
	} {
		if _, err := DecodePublicKey(hx(h)); err != nil {
			t.Errorf("%s: %v", h, err)
		}
	}
}

// TestBindingUnambiguous: moving bytes between the token ID and the
// purpose changes the associated data.
func TestBindingUnambiguous(t *testing.T) {
	k, o, b, _ := setup(t)
	b1 := Binding{Commitment: b.Commitment, TokenID: "tok-1", Purpose: "2holder"}
	b2 := Binding{Commitment: b.Commitment, TokenID: "tok-12", Purpose: "holder"}
	a1, _ := b1.aad()
	a2, _ := b2.aad()
	if bytes.Equal(a1, a2) {
		t.Fatal("two bindings share associated data")
	}
	sealed, _ := Seal(k.Public(), o, b1, nil)
	if _, err := Open(k, sealed, b2); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("shifted binding: %v", err)
	}
	if _, err := Seal(k.Public(), pedersen.Opening{Value: 1}, b, nil); !errors.Is(err, ErrMalformed) {
		t.Fatalf("opening without blinding: %v", err)
	}
	if _, err := Open(k, sealed, Binding{TokenID: "tok-1"}); !errors.Is(err, ErrMalformed) {
		t.Fatalf("binding without commitment: %v", err)
	}
}

// TestEnvelopeIsPerRecipient: only the recipient's key opens an envelope.
func TestEnvelopeIsPerRecipient(t *testing.T) {
	k, o, b, _ := setup(t)
	other, _ := GenerateKey(nil)
	sealed, _ := Seal(other.Public(), o, b, nil)
	if _, err := Open(k, sealed, b); !errors.Is(err, ErrDecrypt) {
		t.Fatalf("opened an envelope for another recipient: %v", err)
	}
	if got, err := Open(other, sealed, b); err != nil || got.Value != o.Value {
		t.Fatalf("recipient: %v", err)
	}
}

func FuzzOpen(f *testing.F) {
	k, _, b, sealed := setup(f)
	f.Add(sealed)
	f.Fuzz(func(t *testing.T, s []byte) {
		o, err := Open(k, s, b)
		if err == nil && !o.Opens(b.Commitment) {
			t.Fatal("opened to an opening of another commitment")
		}
	})
}

func FuzzDecodePublicKey(f *testing.F) {
	k, _ := GenerateKey(nil)
	f.Add(k.Public().Bytes())
	f.Add(make([]byte, 32))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodePublicKey(b)
		if err == nil && !bytes.Equal(p.Bytes(), b) {
			t.Fatal("not canonical")
		}
	})
}

func FuzzDecodePrivateKey(f *testing.F) {
	k, _ := GenerateKey(nil)
	f.Add(k.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		k, err := DecodePrivateKey(b)
		if err != nil {
			return
		}
		if !bytes.Equal(k.Bytes(), b) {
			t.Fatal("not canonical")
		}
		if _, err := DecodePublicKey(k.Public().Bytes()); err != nil {
			t.Fatalf("public key of a private key refused: %v", err)
		}
	})
}

func ExampleSeal() {
	bank, _ := GenerateKey(nil)
	o, _ := pedersen.NewOpening(150_000_00, nil)
	b := Binding{Commitment: o.Commitment(), TokenID: "tok-42", Purpose: "bank"}
	sealed, _ := Seal(bank.Public(), o, b, nil)
	got, err := Open(bank, sealed, b)
	fmt.Println(got.Value, err)
	// Output: 15000000 <nil>
}

func BenchmarkSeal(b *testing.B) {
	k, o, bind, _ := setup(b)
	for b.Loop() {
		if _, err := Seal(k.Public(), o, bind, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen includes the check that the opening opens the commitment.
func BenchmarkOpen(b *testing.B) {
	k, _, bind, sealed := setup(b)
	for b.Loop() {
		if _, err := Open(k, sealed, bind); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePublicKey(b *testing.B) {
	k, _ := GenerateKey(nil)
	enc := k.Public().Bytes()
	for b.Loop() {
		if _, err := DecodePublicKey(enc); err != nil {
			b.Fatal(err)
		}
	}
}
