package rangeproof

import (
	"fmt"
	"io"
	"math/bits"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// Verify checks the proof against the commitments for the given bit size.
// The transcript must be in the state the prover's was when it called
// Prove (same context and public inputs). Verification is deterministic:
// the scalar that joins the two checks is a transcript challenge.
func (p *Proof) Verify(t *transcript.Transcript, commitments []*pedersen.Commitment, bitSize int) error {
	bv := &BatchVerifier{}
	if err := bv.add(t, p, commitments, bitSize, nil); err != nil {
		return err
	}
	return bv.Verify()
}

// BatchVerifier checks many proofs with one multi-scalar multiplication:
// each proof's verification equation is scaled by a random weight and the
// equations are summed, sharing the generator terms. A batch with any bad
// proof fails, except with probability about 2^-252.
type BatchVerifier struct {
	rand      io.Reader
	fixed     []*group.Scalar // over gens.fixed: G_i, H_i, pedersen G, pedersen H
	scalars   []*group.Scalar
	points    []*group.Element
	count     int
	equations int
}

// Equation is a verification equation of another proof over the same group,
//
//	G·pedersen.G() + H·pedersen.H() + Σ Scalars[i]·Points[i] = identity,
//
// for instance a Schnorr check s·H − R − c·D = 0. Adding it to a
// BatchVerifier with AddEquation checks it in the batch's single MSM
// (pedersen G and H through the batch's precomputed tables), so a
// transaction's range proofs and its other proofs cost one MSM.
type Equation struct {
	G, H    *group.Scalar // nil means 0
	Scalars []*group.Scalar
	Points  []*group.Element
}

// AddEquation adds eq to the batch, scaled by a weight: random when the
// batch has a reader, else the challenge "batch-weight" of t, which must
// already have absorbed the whole statement and proof eq comes from (so the
// weight is fixed only after them, as for Add). eq's scalars are not
// modified. Verify then fails if eq does not hold, except with probability
// about 2^-252.
func (b *BatchVerifier) AddEquation(t *transcript.Transcript, eq Equation) error {
	if len(eq.Scalars) != len(eq.Points) {
		return fmt.Errorf("%w: %d scalars for %d points", ErrUnsupportedParameters, len(eq.Scalars), len(eq.Points))
	}
	for i := range eq.Points {
		if eq.Scalars[i] == nil || eq.Points[i] == nil {
			return fmt.Errorf("%w: nil term %d", ErrUnsupportedParameters, i)
		}
	}
	weight, err := b.weight(t, b.rand)
	if err != nil {
		return err
	}
	b.ensureFixed()
	if eq.G != nil {
		b.addFixed(idxPedG, group.NewScalar().Multiply(weight, eq.G))
	}
	if eq.H != nil {
		b.addFixed(idxPedH, group.NewScalar().Multiply(weight, eq.H))
	}
	for i := range eq.Points {
		b.addPoint(group.NewScalar().Multiply(weight, eq.Scalars[i]), eq.Points[i])
	}
	b.equations++
	return nil
}

// weight draws a proof's or equation's batch weight: from rand, or when
// rand is nil from the transcript that absorbed it.
func (b *BatchVerifier) weight(t *transcript.Transcript, rand io.Reader) (*group.Scalar, error) {
	if rand != nil {
		return group.RandomScalar(rand)
	}
	return t.ChallengeScalar("batch-weight"), nil
}

func (b *BatchVerifier) ensureFixed() {
	if b.fixed == nil {
		b.fixed = make([]*group.Scalar, 2*maxGenerators+2)
	}
}

// NewBatchVerifier returns an empty batch. Weights come from rand; with a
// nil rand they are derived from each proof's transcript, which keeps the
// verifier deterministic (as the chaincode must be) and is sound in the
// random-oracle model, as the weight is fixed only after the whole proof.
func NewBatchVerifier(rand io.Reader) *BatchVerifier { return &BatchVerifier{rand: rand} }

// Add appends a proof to the batch. It fails at once on malformed
// statements; the proof itself is only checked by Verify.
func (b *BatchVerifier) Add(t *transcript.Transcript, p *Proof, commitments []*pedersen.Commitment, bitSize int) error {
	return b.add(t, p, commitments, bitSize, b.rand)
}

// Len returns the number of proofs added (equations not counted).
func (b *BatchVerifier) Len() int { return b.count }

// Verify checks every proof and equation added. An empty batch verifies.
func (b *BatchVerifier) Verify() error {
	if b.count == 0 && b.equations == 0 {
		return nil
	}
	res, err := group.NewIdentity().VarTimeMultiScalarMultFixed(generators().fixed, b.fixed, b.scalars, b.points)
	if err != nil {
		return err
	}
	if !res.IsIdentity() {
		return ErrInvalidProof
	}
	return nil
}

func (b *BatchVerifier) addFixed(i int, s *group.Scalar) {
	if b.fixed[i] == nil {
		b.fixed[i] = group.NewScalar()
	}
	b.fixed[i].Add(b.fixed[i], s)
}

func (b *BatchVerifier) addPoint(s *group.Scalar, e *group.Element) {
	b.scalars = append(b.scalars, s)
	b.points = append(b.points, e)
}

func (b *BatchVerifier) add(t *transcript.Transcript, p *Proof, commitments []*pedersen.Commitment, bitSize int, rand io.Reader) error {
	m, err := checkParams(bitSize, len(commitments))
	if err != nil {
		return err
	}
	n := bitSize
	N := n * m
	rounds := bits.Len(uint(N)) - 1
	if len(p.l) != rounds || len(p.r) != rounds {
		return fmt.Errorf("%w: %d inner-product rounds for %d×%d bits", ErrInvalidProof, len(p.l), m, n)
	}
	for _, c := range commitments {
		if c == nil {
			return fmt.Errorf("%w: nil commitment", ErrUnsupportedParameters)
		}
	}
	V := padded(commitments, m)

	raw := p.raw
	if raw == nil {
		raw = p.Bytes()
	}
	chunk := func(i int) []byte { return raw[32*i : 32*(i+1)] }
	startTranscript(t, n, m, commitments)
	t.AppendMessage("A", chunk(0))
	t.AppendMessage("S", chunk(1))
	y := t.ChallengeScalar("y")
	z := t.ChallengeScalar("z")
	t.AppendMessage("T_1", chunk(2))
	t.AppendMessage("T_2", chunk(3))
	x := t.ChallengeScalar("x")
	t.AppendMessage("t_x", chunk(4))
	t.AppendMessage("t_x_blinding", chunk(5))
	t.AppendMessage("e_blinding", chunk(6))
	w := t.ChallengeScalar("w")
	u := make([]*group.Scalar, rounds)
	for j := 0; j < rounds; j++ {
		t.AppendMessage("L", chunk(7+2*j))
		t.AppendMessage("R", chunk(8+2*j))
		u[j] = t.ChallengeScalar("u")
	}
	c := t.ChallengeScalar("c")
	weight, err := b.weight(t, rand)
	if err != nil {
		return err
	}
	b.ensureFixed()
	mul := func(a, b *group.Scalar) *group.Scalar { return group.NewScalar().Multiply(a, b) }

	// s_i = Π_j u_j^(±1): +1 where bit (rounds−1−j) of i is set.
	// One inversion for all of u_j, y and y − 1 (public challenges, so
	// a variable-time inversion).
	uInv := make([]*group.Scalar, rounds, rounds+2)
	uSq := make([]*group.Scalar, rounds)
	for j := range u {
		uInv[j] = group.NewScalar().Set(u[j])
		uSq[j] = group.NewScalar().Square(u[j])
	}
	uInv = append(uInv[:rounds], group.NewScalar().Set(y), group.NewScalar().Subtract(y, group.NewScalar().One()))
	group.VarTimeBatchInvert(uInv)
	yInv, yMinusOneInv := uInv[rounds], uInv[rounds+1]
	uInv = uInv[:rounds]
	// ⟨1, y^N⟩ = (y^N − 1)/(y − 1); N is a power of two.
	sumY := group.NewScalar().Set(y)
	for v := 1; v < N; v <<= 1 {
		sumY.Square(sumY)
	}
	sumY.Subtract(sumY, group.NewScalar().One())
	sumY.Multiply(sumY, yMinusOneInv)
	allInv := group.NewScalar().One()
	for j := range uInv {
		allInv.Multiply(allInv, uInv[j])
	}
	s := make([]group.Scalar, N)
	s[0].Set(allInv)
	for i := 1; i < N; i++ {
		lg := bits.Len(uint(i)) - 1
		s[i].Multiply(&s[i-(1<<lg)], uSq[rounds-1-lg])
	}

	// Dynamic points: A, S, T1, T2, V_j, L_j, R_j.
	cx := mul(c, x)
	b.addPoint(weight, &p.a)
	b.addPoint(mul(weight, x), &p.s)
	b.addPoint(mul(weight, cx), &p.t1)
	b.addPoint(mul(weight, mul(cx, x)), &p.t2)
	zz := group.NewScalar().Square(z)
	zPow := mul(weight, mul(c, zz)) // ω·c·z^(2+j)
	for j := 0; j < len(commitments); j++ {
		b.addPoint(group.NewScalar().Set(zPow), V[j])
		zPow.Multiply(zPow, z)
	}
	for j := 0; j < rounds; j++ {
		b.addPoint(mul(weight, uSq[j]), &p.l[j])
		b.addPoint(mul(weight, group.NewScalar().Square(uInv[j])), &p.r[j])
	}

	// Fixed points.
	// H (blinding): −μ − c·τx
	hs := group.NewScalar().Negate(group.NewScalar().MultiplyAdd(c, &p.txBlind, &p.mu))
	b.addFixed(idxPedH, mul(weight, hs))
	// G (value): w·(t_x − a·b) + c·(δ(y,z) − t_x)
	ab := mul(&p.ipaA, &p.ipaB)
	gs := mul(w, group.NewScalar().Subtract(&p.tx, ab))
	gs.MultiplyAdd(c, group.NewScalar().Subtract(delta(sumY, z, n, m), &p.tx), gs)
	b.addFixed(idxPedG, mul(weight, gs))
	// G_i: ω·(−z − a·s_i) ; H_i: ω·(z + y^-i·(z^(2+j)·2^(i mod n) − b·s_(N−1−i))).
	// The weight is folded into per-proof constants so each index costs
	// three scalar multiplications besides s_i.
	zw := mul(z, weight)
	negZw := group.NewScalar().Negate(zw)
	aw := mul(&p.ipaA, weight)
	bw := mul(&p.ipaB, weight)
	yInvPow := group.NewScalar().One()
	zjw := mul(zz, weight) // ω·z^(2+j)
	for j := 0; j < m; j++ {
		pow2 := group.NewScalar().Set(zjw) // ω·z^(2+j)·2^i, by doubling
		var g, hk group.Scalar
		for i := 0; i < n; i++ {
			k := j*n + i
			g.Multiply(aw, &s[k])
			b.addFixed(k, g.Subtract(negZw, &g))
			hk.Multiply(bw, &s[N-1-k])
			hk.Subtract(pow2, &hk)
			hk.MultiplyAdd(&hk, yInvPow, zw)
			b.addFixed(maxGenerators+k, &hk)
			yInvPow.Multiply(yInvPow, yInv)
			pow2.Add(pow2, pow2)
		}
		zjw.Multiply(zjw, z)
	}
	b.count++
	return nil
}

// delta computes δ(y, z) = (z − z²)·⟨1, y^(nm)⟩ − Σ_j z^(j+3)·⟨1, 2^n⟩,
// with ⟨1, y^N⟩ = (y^N − 1)/(y − 1) given as sumY.
func delta(sumY, z *group.Scalar, n, m int) *group.Scalar {
	var sum2 group.Scalar // 2^n − 1
	if n == 64 {
		sum2.SetUint64(^uint64(0))
	} else {
		sum2.SetUint64(1<<uint(n) - 1)
	}
	zz := group.NewScalar().Square(z)
	out := group.NewScalar().Multiply(group.NewScalar().Subtract(z, zz), sumY)
	zPow := group.NewScalar().Multiply(zz, z)
	for j := 0; j < m; j++ {
		out.Subtract(out, group.NewScalar().Multiply(zPow, &sum2))
		zPow.Multiply(zPow, z)
	}
	return out
}
