package pedersen

import (
	"bytes"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/zk/group"
)

// TestGeneratorsRecomputed recomputes G and H from their labels with circl's
// hash-to-group and pins their encodings.
func TestGeneratorsRecomputed(t *testing.T) {
	g := group.HashToElement(GeneratorDST, []byte(ValueLabel))
	h := group.HashToElement(GeneratorDST, []byte(BlindingLabel))
	if G().Equal(g) != 1 || H().Equal(h) != 1 {
		t.Fatal("generators differ from hash-to-group of their labels")
	}
	if G().Equal(H()) == 1 || G().Equal(group.NewGenerator()) == 1 || H().Equal(group.NewGenerator()) == 1 {
		t.Fatal("generators are not distinct")
	}
	// Pinned: a change here silently invalidates every commitment on a ledger.
	const (
		wantG = "e27c505503aafbc9f59b747e0499bc4abf7aebdabfb5f289f69f6c00d72a2e2e"
		wantH = "b682e900aedd75425516e7bb821791bbcc69d2c3902d4dfea69edb053b6d455d"
	)
	if G().String() != wantG || H().String() != wantH {
		t.Fatalf("G=%s H=%s, pinned %s %s", G(), H(), wantG, wantH)
	}
}

func TestHomomorphic(t *testing.T) {
	a, _ := NewOpening(1234, nil)
	b, _ := NewOpening(math.MaxUint64-1234, nil)
	sum := new(Commitment).Add(a.Commitment(), b.Commitment())
	r := group.NewScalar().Add(a.Blinding, b.Blinding)
	if !sum.Equal(Commit(math.MaxUint64, r)) {
		t.Fatal("C(a)+C(b) != C(a+b)")
	}
	diff := new(Commitment).Subtract(sum, b.Commitment())
	if !a.Opens(diff) {
		t.Fatal("C(a+b)-C(b) != C(a)")
	}
}

func TestDecodeRejects(t *testing.T) {
	o, _ := NewOpening(5, nil)
	enc := o.Commitment().Bytes()
	if c, err := DecodeCommitment(enc); err != nil || !o.Opens(c) {
		t.Fatalf("round trip failed: %v", err)
	}
	bad := map[string][]byte{
		"empty":    nil,
		"short":    enc[:31],
		"long":     append(bytes.Clone(enc), 0),
		"identity": make([]byte, 32),
		"all ones": bytes.Repeat([]byte{0xff}, 32),
	}
	for name, b := range bad {
		if _, err := DecodeCommitment(b); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
}

func TestOpeningRedacted(t *testing.T) {
	o := Opening{Value: 424242, Blinding: group.NewScalar().SetUint64(99)}
	var buf bytes.Buffer
	slog.New(slog.NewTextHandler(&buf, nil)).Info("x", "opening", o)
	for _, s := range []string{fmt.Sprint(o), fmt.Sprintf("%v %+v %#v %s", o, o, o, o), buf.String()} {
		if strings.Contains(s, "424242") {
			t.Fatalf("opening leaked: %s", s)
		}
	}
}

func FuzzDecodeCommitment(f *testing.F) {
	o, _ := NewOpening(1, nil)
	f.Add(o.Commitment().Bytes())
	f.Add(make([]byte, 32))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := DecodeCommitment(b)
		if err != nil {
			return
		}
		if !bytes.Equal(c.Bytes(), b) {
			t.Fatalf("decode/encode not canonical: %x -> %x", b, c.Bytes())
		}
	})
}

func ExampleCommit() {
	r := group.NewScalar().SetUint64(7) // use NewOpening for a random blinding
	a := Commit(40, r)
	b := Commit(2, r)
	sum := new(Commitment).Add(a, b)
	fmt.Println(sum.Equal(Commit(42, group.NewScalar().SetUint64(14))))
	// Output: true
}
