package rangeproof

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/internal/testrand"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// The attacks of issue 16 on batch verification, built as a cheating
// prover builds them. Each proof is made for a false statement (a value
// outside [0, 2^n)), or is an honest proof whose inner-product scalars a, b
// are changed; then a, b of every proof are chosen together so that the
// errors cancel in the batch's sum. That needs every challenge and weight
// of the batch before a and b are chosen: the attacker computes them with
// attackerV2, the version 2 transcript as it would be without absorbing a
// and b (what version 1 did). The tests check that the crafted batch
// passes the verifier the attacker models (so the attack is real), that
// every crafted proof fails on its own, and that the verifier refuses the
// batch. They fail if Add stops absorbing a and b before c and the digest.

// attackerV2 is version 2 without the fix: a and b not absorbed.
var attackerV2 = transcriptVersion{Domain, false}

// falseProof proves that the commitment V = Commit(v, γ) + Δ·G, which
// commits to v + Δ, is in range, using the bits of v: the proof is honest
// in every part but the statement.
func falseProof(t testing.TB, rnd *testrand.Reader, n int, v uint64, delta *group.Scalar) (*Proof, []*pedersen.Commitment) {
	t.Helper()
	ops, cs := openings(t, rnd, v)
	bad := pedersen.FromElement(group.NewIdentity().Add(cs[0].Element(), group.NewIdentity().ScalarMult(delta, pedersen.G())))
	p, err := proveStatement(ctxTranscript(), ops, []*pedersen.Commitment{bad}, n, rnd)
	if err != nil {
		t.Fatal(err)
	}
	return p, []*pedersen.Commitment{bad}
}

// attackItem is one proof of the batch with what the attacker knows of it.
type attackItem struct {
	p     *Proof
	cs    []*pedersen.Commitment
	n     int
	delta *group.Scalar // v_committed − v_proved (0 for a true statement)
}

// view runs the verifier's transcripts as version gives them and returns
// each proof's challenges and the batch weights of a deterministic batch.
func view(t testing.TB, items []attackItem, version transcriptVersion) ([]*absorbed, []*group.Scalar) {
	t.Helper()
	bv := NewBatchVerifier(nil)
	qs := make([]*absorbed, len(items))
	for i, it := range items {
		tr := ctxTranscript()
		q, err := absorbProof(tr, it.p, it.cs, it.n, version)
		if err != nil {
			t.Fatal(err)
		}
		qs[i] = q
		bv.items = append(bv.items, batchItem{proof: q, digest: tr.ChallengeBytes("batch-item")})
	}
	ws, err := bv.weights()
	if err != nil {
		t.Fatal(err)
	}
	return qs, ws
}

// foldedScalars returns s_k = Π_j u_j^(±1), +1 where bit (rounds−1−j) of k
// is set (the paper's s vector, computed independently of the verifier).
func foldedScalars(u []*group.Scalar) []*group.Scalar {
	N := 1 << len(u)
	out := make([]*group.Scalar, N)
	for k := range out {
		s := group.NewScalar().One()
		for j := range u {
			if k>>(len(u)-1-j)&1 == 1 {
				s.Multiply(s, u[j])
			} else {
				s.Multiply(s, group.NewScalar().VarTimeInvert(u[j]))
			}
		}
		out[k] = s
	}
	return out
}

// kernelVector returns a nonzero v with M·v = 0 (M has len(M) rows of
// len(v) columns), or nil if M has full column rank.
func kernelVector(M [][]*group.Scalar) []*group.Scalar {
	rows, cols := len(M), len(M[0])
	a := make([][]*group.Scalar, rows)
	for r := range M {
		a[r] = make([]*group.Scalar, cols)
		for c := range M[r] {
			a[r][c] = group.NewScalar().Set(M[r][c])
		}
	}
	pivotCol := make([]int, 0, cols)
	r := 0
	for c := 0; c < cols && r < rows; c++ {
		p := -1
		for i := r; i < rows; i++ {
			if !a[i][c].IsZero() {
				p = i
				break
			}
		}
		if p < 0 {
			continue
		}
		a[r], a[p] = a[p], a[r]
		inv := group.NewScalar().VarTimeInvert(a[r][c])
		for k := c; k < cols; k++ {
			a[r][k].Multiply(a[r][k], inv)
		}
		for i := 0; i < rows; i++ {
			if i == r || a[i][c].IsZero() {
				continue
			}
			f := group.NewScalar().Set(a[i][c])
			for k := c; k < cols; k++ {
				a[i][k].Subtract(a[i][k], group.NewScalar().Multiply(f, a[r][k]))
			}
		}
		pivotCol = append(pivotCol, c)
		r++
	}
	isPivot := make(map[int]int, len(pivotCol))
	for row, c := range pivotCol {
		isPivot[c] = row
	}
	free := -1
	for c := 0; c < cols; c++ {
		if _, ok := isPivot[c]; !ok {
			free = c
			break
		}
	}
	if free < 0 {
		return nil
	}
	v := make([]*group.Scalar, cols)
	for c := range v {
		v[c] = group.NewScalar()
	}
	v[free].One()
	for c, row := range isPivot {
		v[c].Negate(a[row][free])
	}
	return v
}

// craftCancelling changes a and b of every proof (a_i += λ·d_i, b_i += e_i)
// so that, under the challenges and weights of version, the batch's sum
// is the identity although the statements are false: Σ ω_i·d_i·s_i = 0
// and Σ ω_i·e_i·y_i^-k·s_i,(N−1−k) = 0 cancel the generator terms, and λ
// makes the value generator's coefficient, which collects the false
// statements' errors ω_i·c_i·z_i²·Δ_i, vanish. All proofs have m = 1 and
// the same n. It returns the crafted proofs.
func craftCancelling(t testing.TB, items []attackItem, version transcriptVersion) []attackItem {
	t.Helper()
	qs, ws := view(t, items, version)
	n := items[0].n
	MG := make([][]*group.Scalar, n)
	MH := make([][]*group.Scalar, n)
	for k := 0; k < n; k++ {
		MG[k] = make([]*group.Scalar, len(items))
		MH[k] = make([]*group.Scalar, len(items))
	}
	for i, q := range qs {
		s := foldedScalars(q.u)
		yInv := group.NewScalar().VarTimeInvert(q.y)
		yInvPow := group.NewScalar().One()
		for k := 0; k < n; k++ {
			MG[k][i] = group.NewScalar().Multiply(ws[i], s[k])
			MH[k][i] = group.NewScalar().Multiply(ws[i], group.NewScalar().Multiply(yInvPow, s[n-1-k]))
			yInvPow.Multiply(yInvPow, yInv)
		}
	}
	d, e := kernelVector(MG), kernelVector(MH)
	if d == nil || e == nil {
		t.Fatal("no cancelling combination: the proofs' generator terms are independent")
	}
	// E − Y − λ·(X + Z) = 0.
	E, X, Y, Z := group.NewScalar(), group.NewScalar(), group.NewScalar(), group.NewScalar()
	for i, q := range qs {
		ww := group.NewScalar().Multiply(ws[i], q.w)
		err := group.NewScalar().Multiply(ws[i], q.c)
		err.Multiply(err, group.NewScalar().Square(q.z))
		E.MultiplyAdd(err, items[i].delta, E)
		Y.MultiplyAdd(ww, group.NewScalar().Multiply(&items[i].p.ipaA, e[i]), Y)
		X.MultiplyAdd(ww, group.NewScalar().Multiply(d[i], &items[i].p.ipaB), X)
		Z.MultiplyAdd(ww, group.NewScalar().Multiply(d[i], e[i]), Z)
	}
	lambda := group.NewScalar().Subtract(E, Y)
	lambda.Multiply(lambda, group.NewScalar().VarTimeInvert(group.NewScalar().Add(X, Z)))
	out := make([]attackItem, len(items))
	for i, it := range items {
		p := *it.p
		p.ipaA.MultiplyAdd(lambda, d[i], &it.p.ipaA)
		p.ipaB.Add(&it.p.ipaB, e[i])
		p.raw = p.Bytes()
		out[i] = attackItem{p: &p, cs: it.cs, n: it.n, delta: it.delta}
	}
	return out
}

// passesUnder reports whether the batch verifies under the challenges and
// weights that version gives (attackerV2: what the attacker aimed at).
func passesUnder(t *testing.T, items []attackItem, version transcriptVersion) bool {
	t.Helper()
	qs, ws := view(t, items, version)
	var acc msmTerms
	for i, q := range qs {
		q.accumulate(&acc, ws[i])
	}
	return acc.verify() == nil
}

// checkAttackRefused runs the checks common to both attacks.
func checkAttackRefused(t *testing.T, crafted []attackItem) {
	t.Helper()
	if !passesUnder(t, crafted, attackerV2) {
		t.Fatal("the crafted batch does not pass the verifier it was crafted for: the attack is wrong, not refused")
	}
	for i, it := range crafted {
		if err := it.p.Verify(ctxTranscript(), it.cs, it.n); !errors.Is(err, ErrInvalidProof) {
			t.Fatalf("crafted proof %d alone: %v, want ErrInvalidProof", i, err)
		}
		// Through the encoding, as a verifier receives it.
		q, err := DecodeProof(it.p.Bytes())
		if err != nil {
			t.Fatalf("crafted proof %d does not decode: %v", i, err)
		}
		crafted[i].p = q
	}
	for _, r := range []*testrand.Reader{nil, testrand.New("attack weights")} {
		bv := NewBatchVerifier(nil)
		if r != nil {
			bv = NewBatchVerifier(r)
		}
		for _, it := range crafted {
			if err := bv.Add(ctxTranscript(), it.p, it.cs, it.n); err != nil {
				t.Fatal(err)
			}
		}
		if err := bv.Verify(); !errors.Is(err, ErrInvalidProof) {
			t.Fatalf("crafted batch (random weights: %v): %v, want ErrInvalidProof", r != nil, err)
		}
	}
}

// TestBatchAttackDuplicateStatement: one statement, V commits to −1 (ℓ − 1:
// the inflation a split would want), proved twice with the same A, S, T1,
// T2, L, R and two pairs (a, b) chosen so the two errors cancel.
func TestBatchAttackDuplicateStatement(t *testing.T) {
	rnd := testrand.New("attack/duplicate")
	p, cs := falseProof(t, rnd, 64, 0, group.NewScalar().Negate(group.NewScalar().One()))
	minusOne := group.NewScalar().Negate(group.NewScalar().One())
	items := []attackItem{{p, cs, 64, minusOne}, {p, cs, 64, minusOne}}
	crafted := craftCancelling(t, items, attackerV2)
	if crafted[0].p.ipaA.Equal(&crafted[1].p.ipaA) == 1 {
		t.Fatal("the two crafted proofs are the same")
	}
	checkAttackRefused(t, crafted)
}

// TestBatchAttackNineSmallProofs: nine distinct 8-bit statements, each
// commitment to 256 + i (out of range), proved with the bits of i. Nine
// vectors s_i in an 8-dimensional space are linearly dependent, so a and b
// of the nine can cancel every generator term and the value term at once.
func TestBatchAttackNineSmallProofs(t *testing.T) {
	rnd := testrand.New("attack/nine")
	items := make([]attackItem, 9)
	delta := group.NewScalar().SetUint64(256)
	for i := range items {
		p, cs := falseProof(t, rnd, 8, uint64(i), delta)
		items[i] = attackItem{p, cs, 8, delta}
	}
	checkAttackRefused(t, craftCancelling(t, items, attackerV2))
}

// TestBatchWeightsBindEveryItem: in a deterministic batch every weight
// depends on every item: replacing one proof (or equation) changes the
// weight of all the others, so no prover knows any weight before it has
// fixed every proof of the batch (no per-proof, Wagner-style search).
func TestBatchWeightsBindEveryItem(t *testing.T) {
	rnd := testrand.New("weights/bind")
	type added struct {
		p  *Proof
		cs []*pedersen.Commitment
	}
	var ps []added
	for i := 0; i < 4; i++ {
		p, cs := prove(t, rnd, 8, uint64(i))
		ps = append(ps, added{p, cs})
	}
	eq, eqT := schnorrEquation(t, testrand.New("weights/schnorr"))
	weightsOf := func(ps []added, withEq bool) []*group.Scalar {
		bv := NewBatchVerifier(nil)
		for _, a := range ps {
			if err := bv.Add(ctxTranscript(), a.p, a.cs, 8); err != nil {
				t.Fatal(err)
			}
		}
		if withEq {
			tr := eqT.Clone()
			if err := bv.AddEquation(tr, eq); err != nil {
				t.Fatal(err)
			}
		}
		if err := bv.Verify(); err != nil {
			t.Fatalf("honest batch: %v", err)
		}
		ws, err := bv.weights()
		if err != nil {
			t.Fatal(err)
		}
		return ws
	}
	before := weightsOf(ps, true)
	for j := range ps {
		changed := append([]added(nil), ps...)
		p, cs := prove(t, rnd, 8, uint64(j))
		changed[j] = added{p, cs}
		after := weightsOf(changed, true)
		for i := range ps {
			if i != j && before[i].Equal(after[i]) == 1 {
				t.Errorf("replacing proof %d left the weight of proof %d unchanged", j, i)
			}
		}
		if before[len(ps)].Equal(after[len(ps)]) == 1 {
			t.Errorf("replacing proof %d left the equation's weight unchanged", j)
		}
	}
	without := weightsOf(ps, false)
	for i := range ps {
		if before[i].Equal(without[i]) == 1 {
			t.Errorf("adding the equation left the weight of proof %d unchanged", i)
		}
	}
	// The same proof added twice gets two different weights.
	bv := NewBatchVerifier(nil)
	for range 2 {
		if err := bv.Add(ctxTranscript(), ps[0].p, ps[0].cs, 8); err != nil {
			t.Fatal(err)
		}
	}
	ws, _ := bv.weights()
	if ws[0].Equal(ws[1]) == 1 {
		t.Error("a proof added twice has the same weight twice")
	}
	// The zero BatchVerifier is NewBatchVerifier(nil).
	var zero BatchVerifier
	for range 2 {
		if err := zero.Add(ctxTranscript(), ps[0].p, ps[0].cs, 8); err != nil {
			t.Fatal(err)
		}
	}
	if zws, _ := zero.weights(); zws[0].Equal(ws[0]) != 1 || zws[1].Equal(ws[1]) != 1 || zero.Verify() != nil {
		t.Error("the zero BatchVerifier differs from NewBatchVerifier(nil)")
	}
	// NewTranscriptBatchVerifier: the weights depend on the caller's
	// transcript, which Verify leaves as it was.
	seed := transcript.New("tierchain/test/batch")
	state := seed.Clone().ChallengeBytes("probe")
	tb := NewTranscriptBatchVerifier(seed)
	for _, a := range ps {
		if err := tb.Add(ctxTranscript(), a.p, a.cs, 8); err != nil {
			t.Fatal(err)
		}
	}
	if err := tb.Verify(); err != nil {
		t.Fatal(err)
	}
	tws, _ := tb.weights()
	if tws[0].Equal(before[0]) == 1 {
		t.Error("a caller's transcript does not change the weights")
	}
	if fmt.Sprint(seed.Clone().ChallengeBytes("probe")) != fmt.Sprint(state) {
		t.Error("Verify modified the caller's transcript")
	}
}
