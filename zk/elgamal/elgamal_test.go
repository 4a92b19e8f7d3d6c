package elgamal

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/zk/balance"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/rangeproof"
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
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("key", "k", k)
	for _, s := range []string{fmt.Sprintf("%v %s %+v %#v", k, k, k, k), buf.String()} {
		if !strings.Contains(s, "REDACTED") || strings.Contains(s, fmt.Sprintf("%x", k.Bytes()[:4])) {
			t.Fatalf("key leaked: %s", s)
		}
	}
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

// BenchmarkHandleVerify verifies a decoded proof against decoded
// statement parts, as the chaincode does.
func ExamplePrivateKey_Open() {
	reg, _ := GenerateKey(nil)
	tab, _ := NewDLogTable(20) // the regulator uses SharedDLogTable(40), built once
	o, _ := pedersen.NewOpening(654_321, nil)
	c, h := o.Commitment(), NewHandle(reg.Public(), o.Blinding)
	v, err := reg.Open(tab, c, h)
	fmt.Println(v, err)
	big, _ := pedersen.NewOpening(1<<20, nil)
	_, err = reg.Open(tab, big.Commitment(), NewHandle(reg.Public(), big.Blinding))
	fmt.Println(err)
	// Output:
	// 654321 <nil>
	// audit: amount outside the table's range
}

func BenchmarkHandleVerify(b *testing.B) {
	k, o, h, p := setup(b, 7)
	pub, _ := DecodePublicKey(k.Public().Bytes())
	c, _ := pedersen.DecodeCommitment(o.Commitment().Bytes())
	h, _ = DecodeHandle(h.Bytes())
	p, _ = DecodeHandleProof(p.Bytes())
	for b.Loop() {
		if err := p.Verify(tr(), pub, c, h); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDLogTable40Build reports the build time and, as retained-MiB,
// the heap the finished table keeps.
func BenchmarkDLogTable40Build(b *testing.B) {
	var tab *DLogTable
	var before, after runtime.MemStats
	for b.Loop() {
		runtime.GC()
		runtime.ReadMemStats(&before)
		tab, _ = NewDLogTable(40)
		runtime.GC()
		runtime.ReadMemStats(&after)
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "retained-MiB")
	runtime.KeepAlive(tab)
}

// BenchmarkOpen40 opens amounts with the 40-bit table: v = 100.00 (first
// giant step), about 2^39 (half the walk) and 2^40 − 1 (the whole walk).
func BenchmarkOpen40(b *testing.B) {
	tab, err := SharedDLogTable(40)
	if err != nil {
		b.Fatal(err)
	}
	for _, v := range []uint64{100_00, 1<<39 + 12345, 1<<40 - 1} {
		k, o, h, _ := setup(b, v)
		c := o.Commitment()
		b.Run(fmt.Sprintf("v=%d", v), func(b *testing.B) {
			for b.Loop() {
				if got, err := k.Open(tab, c, h); err != nil || got != v {
					b.Fatal(got, err)
				}
			}
		})
	}
}

// TestDLogTable40 is the production table: 0 and 1 open at once, 2^40 − 1
// opens and 2^40 is ErrOutOfRange (both walk every giant step, the worst
// case). About 4 s without the race detector; under -race the walks are
// about 6× slower, so this test then leaves the range logic to
// TestHandleRoundTrip's 24-bit table (same code, smaller sizes) and
// TestSharedDLogTableConcurrent.
func TestDLogTable40(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("full-size table: run without -race and -short")
	}
	start := time.Now()
	tab, err := SharedDLogTable(40)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("table built in %v", time.Since(start))
	k, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		v   uint64
		err error
	}{{0, nil}, {1, nil}, {1<<40 - 1, nil}, {1 << 40, ErrOutOfRange}} {
		o, _ := pedersen.NewOpening(c.v, nil)
		start := time.Now()
		got, err := k.Open(tab, o.Commitment(), NewHandle(k.Public(), o.Blinding))
		t.Logf("Open(%d) in %v", c.v, time.Since(start))
		if !errors.Is(err, c.err) || (err == nil && got != c.v) {
			t.Errorf("Open(%d) = %d, %v; want %v", c.v, got, err, c.err)
		}
	}
}

// TestSharedDLogTableConcurrent: first callers racing for one table get the
// same table, and Open is safe from many goroutines.
func TestSharedDLogTableConcurrent(t *testing.T) {
	k, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	const bits = 14
	tabs := make([]*DLogTable, 8)
	var wg sync.WaitGroup
	for i := range tabs {
		wg.Go(func() {
			tab, err := SharedDLogTable(bits)
			if err != nil {
				t.Error(err)
				return
			}
			tabs[i] = tab
			v := uint64(i * 1000)
			o, _ := pedersen.NewOpening(v, nil)
			if got, err := k.Open(tab, o.Commitment(), NewHandle(k.Public(), o.Blinding)); err != nil || got != v {
				t.Errorf("Open(%d) = %d, %v", v, got, err)
			}
		})
	}
	wg.Wait()
	for _, tab := range tabs {
		if tab != tabs[0] {
			t.Fatal("two shared tables for the same bits")
		}
	}
	if tabs[0].Bits() != bits {
		t.Fatalf("Bits() = %d", tabs[0].Bits())
	}
	for _, bits := range []int{-1, 0, 1, 49, 64} {
		if _, err := NewDLogTable(bits); err == nil {
			t.Errorf("NewDLogTable(%d) accepted", bits)
		}
		if _, err := SharedDLogTable(bits); err == nil {
			t.Errorf("SharedDLogTable(%d) accepted", bits)
		}
	}
}

// TestHandleEdgeValues: handle proofs and CheckValue cover the whole amount
// range; the proof itself says nothing about the range.
func TestHandleEdgeValues(t *testing.T) {
	for _, v := range []uint64{0, 1, 1<<40 - 1, 1 << 40, math.MaxUint64} {
		k, o, h, p := setup(t, v)
		if err := p.Verify(tr(), k.Public(), o.Commitment(), h); err != nil {
			t.Errorf("v=%d: %v", v, err)
		}
		if !k.CheckValue(o.Commitment(), h, v) || k.CheckValue(o.Commitment(), h, v-1) {
			t.Errorf("v=%d: CheckValue wrong", v)
		}
		want := group.NewIdentity().ScalarMult(group.NewScalar().SetUint64(v), pedersen.G())
		if k.ValueElement(o.Commitment(), h).Equal(want) != 1 {
			t.Errorf("v=%d: C − s⁻¹·D ≠ v·G", v)
		}
	}
}

// TestHandleProofDecodeRejects: identity or non-canonical parts.
func TestHandleProofDecodeRejects(t *testing.T) {
	_, _, _, p := setup(t, 9)
	enc := p.Bytes()
	ff := bytes.Repeat([]byte{0xff}, 32)
	zero := make([]byte, 32)
	with := func(at int, part []byte) []byte {
		b := bytes.Clone(enc)
		copy(b[at:], part)
		return b
	}
	for name, b := range map[string][]byte{
		"identity A1":      with(0, zero),
		"identity A2":      with(32, zero),
		"non-canonical A2": with(32, ff),
		"non-canonical zv": with(64, ff),
		"non-canonical zr": with(96, ff),
		"129 bytes":        append(bytes.Clone(enc), 0),
	} {
		if _, err := DecodeHandleProof(b); !errors.Is(err, ErrMalformedProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
	var zeroProof HandleProof
	k, o, h, p := setup(t, 9)
	if _, err := ProveHandle(tr(), k.Public(), pedersen.Opening{Value: 9}, nil); err == nil {
		t.Error("proved an opening without blinding")
	}
	if _, err := ProveHandle(tr(), nil, o, nil); err == nil {
		t.Error("proved without a key")
	}
	for name, err := range map[string]error{
		"zero proof":  zeroProof.Verify(tr(), k.Public(), o.Commitment(), h),
		"zero key":    p.Verify(tr(), &PublicKey{}, o.Commitment(), h),
		"zero handle": p.Verify(tr(), k.Public(), o.Commitment(), &Handle{}),
	} {
		if !errors.Is(err, ErrMalformedProof) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func BenchmarkProveHandle(b *testing.B) {
	k, o, _, _ := setup(b, 7)
	pub := k.Public()
	for b.Loop() {
		if _, err := ProveHandle(tr(), pub, o, nil); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewHandle is one constant-time variable-base scalar
// multiplication: the unit the other figures can be compared with.
func BenchmarkNewHandle(b *testing.B) {
	k, o, _, _ := setup(b, 7)
	pub := k.Public()
	for b.Loop() {
		NewHandle(pub, o.Blinding)
	}
}

func BenchmarkCheckValue(b *testing.B) {
	k, o, h, _ := setup(b, 1<<63+5)
	c := o.Commitment()
	for b.Loop() {
		if !k.CheckValue(c, h, 1<<63+5) {
			b.Fatal("CheckValue")
		}
	}
}

// fuzzCanonical fuzzes a decoder: no panic, and whatever decodes encodes
// back to the same bytes (one encoding per value).
func fuzzCanonical[T interface{ Bytes() []byte }](f *testing.F, decode func([]byte) (T, error), seeds ...[]byte) {
	for _, s := range seeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if v, err := decode(b); err == nil && !bytes.Equal(v.Bytes(), b) {
			t.Fatalf("%x decodes but encodes as %x", b, v.Bytes())
		}
	})
}

func FuzzDecodeHandleProof(f *testing.F) {
	_, _, _, p := setup(f, 5)
	fuzzCanonical(f, DecodeHandleProof, p.Bytes())
}

func FuzzDecodeHandle(f *testing.F) {
	_, _, h, _ := setup(f, 5)
	fuzzCanonical(f, DecodeHandle, h.Bytes())
}

func FuzzDecodePublicKey(f *testing.F) {
	k, _, _, _ := setup(f, 5)
	fuzzCanonical(f, DecodePublicKey, k.Public().Bytes())
}

// FuzzDecodePrivateKey: also, a decoded key's public key is a valid key.
func FuzzDecodePrivateKey(f *testing.F) {
	k, _, _, _ := setup(f, 5)
	fuzzCanonical(f, func(b []byte) (*PrivateKey, error) {
		k, err := DecodePrivateKey(b)
		if err == nil {
			if _, err := DecodePublicKey(k.Public().Bytes()); err != nil {
				panic(err)
			}
		}
		return k, err
	}, k.Bytes())
}

// TestEquationInBatch: an output's range proof and handle proof checked in
// one rangeproof.BatchVerifier, as the chaincode can; a wrong key, handle
// or commitment, another context or a flipped proof byte fails the batch.
func TestEquationInBatch(t *testing.T) {
	k, o, h, p := setup(t, 200)
	rp, err := rangeproof.Prove(tr(), []pedersen.Opening{o}, 8, nil)
	if err != nil {
		t.Fatal(err)
	}
	batch := func(bt *transcript.Transcript, p *HandleProof, pub *PublicKey, c *pedersen.Commitment, h *Handle) error {
		bv := rangeproof.NewBatchVerifier(nil)
		if err := bv.Add(tr(), rp, []*pedersen.Commitment{o.Commitment()}, 8); err != nil {
			return err
		}
		eq, err := p.Equation(bt, pub, c, h)
		if err != nil {
			return err
		}
		if err := bv.AddEquation(bt, eq); err != nil {
			return err
		}
		return bv.Verify()
	}
	c := o.Commitment()
	if err := batch(tr(), p, k.Public(), c, h); err != nil {
		t.Fatalf("honest output: %v", err)
	}
	other, _ := GenerateKey(nil)
	o2, _ := pedersen.NewOpening(200, nil)
	for name, err := range map[string]error{
		"other key":        batch(tr(), p, other.Public(), c, h),
		"other handle":     batch(tr(), p, k.Public(), c, NewHandle(k.Public(), o2.Blinding)),
		"other commitment": batch(tr(), p, k.Public(), o2.Commitment(), h),
		"other context":    batch(transcript.New("tierchain/test/v1"), p, k.Public(), c, h),
	} {
		if err == nil {
			t.Errorf("%s verified in the batch", name)
		}
	}
	enc := p.Bytes()
	for i := range enc {
		b := bytes.Clone(enc)
		b[i] ^= 0x10
		if q, err := DecodeHandleProof(b); err == nil && batch(tr(), q, k.Public(), c, h) == nil {
			t.Fatalf("flipped byte %d verified in the batch", i)
		}
	}
	var zero HandleProof
	if _, err := zero.Equation(tr(), k.Public(), c, h); !errors.Is(err, ErrMalformedProof) {
		t.Errorf("zero HandleProof: %v", err)
	}
}

// BenchmarkSplitChecks is a 1-in/2-out split's verification as the
// chaincode does it: two 64-bit range proofs in one batch, two handle
// proofs and the balance proof, either each verified on its own
// (separate) or all as equations of the one batch (one-batch).
func BenchmarkSplitChecks(b *testing.B) {
	reg, _ := GenerateKey(nil)
	in, _ := pedersen.NewOpening(1000, nil)
	outs := []pedersen.Opening{}
	for _, v := range []uint64{400, 600} {
		o, _ := pedersen.NewOpening(v, nil)
		outs = append(outs, o)
	}
	type output struct {
		c  *pedersen.Commitment
		h  *Handle
		hp *HandleProof
		rp *rangeproof.Proof
	}
	var os []output
	for _, o := range outs {
		hp, _ := ProveHandle(tr(), reg.Public(), o, nil)
		rp, _ := rangeproof.Prove(tr(), []pedersen.Opening{o}, 64, nil)
		os = append(os, output{o.Commitment(), NewHandle(reg.Public(), o.Blinding), hp, rp})
	}
	bal, _ := balance.Prove(tr(), balance.ExcessBlinding([]pedersen.Opening{in}, outs), nil)
	d := balance.Excess([]*pedersen.Commitment{in.Commitment()}, []*pedersen.Commitment{os[0].c, os[1].c})
	pub := reg.Public()
	b.Run("separate", func(b *testing.B) {
		for b.Loop() {
			bv := rangeproof.NewBatchVerifier(nil)
			for _, o := range os {
				bv.Add(tr(), o.rp, []*pedersen.Commitment{o.c}, 64)
			}
			if bv.Verify() != nil {
				b.Fatal("range")
			}
			for _, o := range os {
				if o.hp.Verify(tr(), pub, o.c, o.h) != nil {
					b.Fatal("handle")
				}
			}
			if bal.Verify(tr(), d) != nil {
				b.Fatal("balance")
			}
		}
	})
	b.Run("one-batch", func(b *testing.B) {
		for b.Loop() {
			bv := rangeproof.NewBatchVerifier(nil)
			for _, o := range os {
				bv.Add(tr(), o.rp, []*pedersen.Commitment{o.c}, 64)
				t := tr()
				eq, _ := o.hp.Equation(t, pub, o.c, o.h)
				bv.AddEquation(t, eq)
			}
			t := tr()
			eq, _ := bal.Equation(t, d)
			bv.AddEquation(t, eq)
			if bv.Verify() != nil {
				b.Fatal("batch")
			}
		}
	})
}
