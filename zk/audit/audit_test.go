package audit

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"

	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

func tr() *transcript.Transcript {
	t := transcript.New("tierchain/test/v1")
	t.BindContext(transcript.Context{Channel: "scf", Chaincode: "tierchain", Kind: "issue"})
	return t
}

var testTable = sync.OnceValues(func() (*DLogTable, error) { return NewDLogTable(24) })

func setup(t testing.TB, v uint64) (*PrivateKey, pedersen.Opening, *Handle, *HandleProof) {
	k, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	o, _ := pedersen.NewOpening(v, nil)
	h := NewHandle(k.Public(), o.Blinding)
	p, err := ProveHandle(tr(), k.Public(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	return k, o, h, p
}

func TestHandleRoundTrip(t *testing.T) {
	tab, err := testTable()
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []uint64{0, 1, 123456, 1<<24 - 1} {
		k, o, h, p := setup(t, v)
		if err := p.Verify(tr(), k.Public(), o.Commitment(), h); err != nil {
			t.Fatalf("v=%d: %v", v, err)
		}
		if !k.CheckValue(o.Commitment(), h, v) || k.CheckValue(o.Commitment(), h, v+1) {
			t.Fatalf("v=%d: CheckValue wrong", v)
		}
		got, err := k.Open(tab, o.Commitment(), h)
		if err != nil || got != v {
			t.Fatalf("v=%d: Open = %d, %v", v, got, err)
		}
	}
	k, o, h, _ := setup(t, 1<<24)
	if _, err := k.Open(tab, o.Commitment(), h); !errors.Is(err, ErrOutOfRange) {
		t.Fatalf("2^24: %v", err)
	}
	k, o, h, _ = setup(t, math.MaxUint64)
	if !k.CheckValue(o.Commitment(), h, math.MaxUint64) {
		t.Fatal("CheckValue(2^64−1) failed")
	}
}

func TestHandleProofRejects(t *testing.T) {
	k, o, h, p := setup(t, 42)
	other, _ := GenerateKey(nil)
	o2, _ := pedersen.NewOpening(42, nil)
	wrongHandle := NewHandle(k.Public(), o2.Blinding) // a handle for another blinding
	otherCtx := transcript.New("tierchain/test/v1")
	cases := map[string]error{
		"other key":        p.Verify(tr(), other.Public(), o.Commitment(), h),
		"other commitment": p.Verify(tr(), k.Public(), o2.Commitment(), h),
		"other handle":     p.Verify(tr(), k.Public(), o.Commitment(), wrongHandle),
		"other context":    p.Verify(otherCtx, k.Public(), o.Commitment(), h),
	}
	for name, err := range cases {
		if !errors.Is(err, ErrInvalidProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// A cheater cannot attach a handle for a different blinding: proving
	// with an opening whose blinding differs from the handle's fails.
	bad, _ := ProveHandle(tr(), k.Public(), o2, nil)
	if err := bad.Verify(tr(), k.Public(), o.Commitment(), h); !errors.Is(err, ErrInvalidProof) {
		t.Errorf("mismatched proof: %v", err)
	}
	enc := p.Bytes()
	for i := range enc {
		b := bytes.Clone(enc)
		b[i] ^= 0x04
		q, err := DecodeHandleProof(b)
		if err != nil {
			continue
		}
		if q.Verify(tr(), k.Public(), o.Commitment(), h) == nil {
			t.Fatalf("flipped byte %d verifies", i)
		}
	}
}

func TestDecoders(t *testing.T) {
	k, _, h, p := setup(t, 1)
	if q, err := DecodeHandleProof(p.Bytes()); err != nil || !bytes.Equal(q.Bytes(), p.Bytes()) {
		t.Fatal("proof round trip")
	}
	if q, err := DecodeHandle(h.Bytes()); err != nil || !bytes.Equal(q.Bytes(), h.Bytes()) {
		t.Fatal("handle round trip")
	}
	if q, err := DecodePublicKey(k.Public().Bytes()); err != nil || !bytes.Equal(q.Bytes(), k.Public().Bytes()) {
		t.Fatal("public key round trip")
	}
	if q, err := DecodePrivateKey(k.Bytes()); err != nil || !bytes.Equal(q.Public().Bytes(), k.Public().Bytes()) {
		t.Fatal("private key round trip")
	}
	zero := make([]byte, 32)
	ff := bytes.Repeat([]byte{0xff}, 32)
	for name, err := range map[string]error{
		"identity handle": second(DecodeHandle(zero)),
		"identity key":    second(DecodePublicKey(zero)),
		"zero scalar key": second(DecodePrivateKey(zero)),
		"non-canon key":   second(DecodePrivateKey(ff)),
		"short handle":    second(DecodeHandle(zero[:31])),
		"short proof":     second(DecodeHandleProof(p.Bytes()[:127])),
		"non-canon A1":    second(DecodeHandleProof(append(ff, p.Bytes()[32:]...))),
	} {
		if !errors.Is(err, ErrMalformedProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }

func TestKeyRedacted(t *testing.T) {
	k, _ := GenerateKey(nil)
	if s := fmt.Sprintf("%v %s", k, k); strings.Contains(s, fmt.Sprintf("%x", k.Bytes()[:4])) {
		t.Fatal("key leaked")
	}
}

func FuzzDecodeHandleProof(f *testing.F) {
	_, _, _, p := setup(f, 5)
	f.Add(p.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := DecodeHandleProof(b)
		if err == nil && !bytes.Equal(q.Bytes(), b) {
			t.Fatal("not canonical")
		}
	})
}

func FuzzDecodeHandle(f *testing.F) {
	_, _, h, _ := setup(f, 5)
	f.Add(h.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		q, err := DecodeHandle(b)
		if err == nil && !bytes.Equal(q.Bytes(), b) {
			t.Fatal("not canonical")
		}
		if _, err := DecodePublicKey(b); err == nil && q == nil {
			t.Fatal("key decoded where handle did not")
		}
		DecodePrivateKey(b)
	})
}

func ExampleProveHandle() {
	reg, _ := GenerateKey(nil)
	o, _ := pedersen.NewOpening(150_000_00, nil)
	h := NewHandle(reg.Public(), o.Blinding)
	proof, _ := ProveHandle(transcript.New("tierchain/example/v1"), reg.Public(), o, nil)
	fmt.Println(proof.Verify(transcript.New("tierchain/example/v1"), reg.Public(), o.Commitment(), h))
	fmt.Println(reg.CheckValue(o.Commitment(), h, 150_000_00))
	// Output:
	// <nil>
	// true
}

func BenchmarkHandleVerify(b *testing.B) {
	k, o, h, p := setup(b, 7)
	for b.Loop() {
		p.Verify(tr(), k.Public(), o.Commitment(), h)
	}
}

func BenchmarkDLogTable40Build(b *testing.B) {
	for b.Loop() {
		NewDLogTable(40)
	}
}

func BenchmarkOpen40(b *testing.B) {
	tab, _ := SharedDLogTable(40)
	k, o, h, _ := setup(b, 1<<39+12345)
	for b.Loop() {
		if _, err := k.Open(tab, o.Commitment(), h); err != nil {
			b.Fatal(err)
		}
	}
}
