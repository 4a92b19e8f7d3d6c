package envelope

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/zk/group"
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
		if _, err := Open(c.k, c.s, c.b); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// An honest envelope whose opening does not open the bound commitment.
	lie := pedersen.Opening{Value: o.Value + 1, Blinding: o.Blinding}
	sealedLie, _ := Seal(k.Public(), lie, b, nil)
	if _, err := Open(k, sealedLie, b); !errors.Is(err, ErrDecrypt) {
		t.Errorf("lying opening: %v", err)
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
	if s := fmt.Sprint(k); strings.Contains(s, fmt.Sprintf("%x", k.Bytes()[:4])) {
		t.Fatal("key leaked")
	}
	_ = group.NewScalar
}

func FuzzOpen(f *testing.F) {
	k, _, b, sealed := setup(f)
	f.Add(sealed)
	f.Fuzz(func(t *testing.T, s []byte) {
		Open(k, s, b)
		DecodePublicKey(s)
		DecodePrivateKey(s)
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
		Seal(k.Public(), o, bind, nil)
	}
}

func BenchmarkOpen(b *testing.B) {
	k, _, bind, sealed := setup(b)
	for b.Loop() {
		Open(k, sealed, bind)
	}
}
