package rangeproof

import (
	"fmt"
	"io"
	"math/bits"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// BatchDomain labels the transcript from which a deterministic batch draws
// its weights when the caller gives none (NewBatchVerifier(nil)).
const BatchDomain = "tierchain/rangeproof/batch/v2"

// Verify checks the proof against the commitments for the given bit size.
// The transcript must be in the state the prover's was when it called
// Prove (same context and public inputs). Verification is deterministic:
// the scalar that joins the two checks is a transcript challenge drawn
// after the whole proof.
func (p *Proof) Verify(t *transcript.Transcript, commitments []*pedersen.Commitment, bitSize int) error {
	return p.verifyAlone(t, commitments, bitSize, transcriptV2)
}

// VerifyV1 checks, on its own, a proof made under the version 1 transcript
// (Domain "tierchain/rangeproof/v1"), which drew the challenge c before
// absorbing the inner-product scalars a and b. Alone such a proof is still
// sound: a and b then scale three fixed generators and cannot reach the
// point c fixed. Batched, such proofs are not sound (docs/crypto/rangeproof.md,
// Versions), so a version 1 proof can only be verified on its own, here;
// nothing on the ledger path calls this.
func (p *Proof) VerifyV1(t *transcript.Transcript, commitments []*pedersen.Commitment, bitSize int) error {
	return p.verifyAlone(t, commitments, bitSize, transcriptV1)
}

// verifyAlone checks one proof: its equation alone needs no weight.
func (p *Proof) verifyAlone(t *transcript.Transcript, commitments []*pedersen.Commitment, bitSize int, version transcriptVersion) error {
	q, err := absorbProof(t, p, commitments, bitSize, version)
	if err != nil {
		return err
	}
	var acc msmTerms
	q.accumulate(&acc, group.NewScalar().One())
	return acc.verify()
}

// BatchVerifier checks many proofs with one multi-scalar multiplication:
// each proof's verification equation is scaled by a weight and the
// equations are summed, sharing the generator terms. A batch with any bad
// proof fails, except with probability about 2^-252.
//
// The weights are drawn by Verify, after every proof and equation has been
// added: from the reader given to NewBatchVerifier, or without one from a
// transcript that absorbs a digest of every item of the batch (each item's
// own transcript after its whole statement and proof). So no weight is
// known before every proof of the batch is fixed: a prover cannot choose
// one proof knowing its weight, nor make the errors of several cancel.
type BatchVerifier struct {
	rand   io.Reader
	weight *transcript.Transcript // when rand is nil: the transcript the weights come from
	items  []batchItem
	count  int
}

// batchItem is one added proof (proof set) or equation (eq set), with the
// digest that binds it into the weights' transcript.
type batchItem struct {
	proof  *absorbed
	eq     *Equation
	digest []byte
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

// NewBatchVerifier returns an empty batch. Weights come from rand; with a
// nil rand they are challenges of a transcript (BatchDomain) over every
// item added, which keeps the verifier deterministic (as the chaincode
// must be) and is sound in the random-oracle model, as every weight is
// fixed only after every proof of the batch.
func NewBatchVerifier(rand io.Reader) *BatchVerifier {
	if rand != nil {
		return &BatchVerifier{rand: rand}
	}
	return &BatchVerifier{weight: transcript.New(BatchDomain)}
}

// NewTranscriptBatchVerifier returns an empty deterministic batch whose
// weights are challenges of t (which should already bind the statement the
// batch checks, e.g. every proof's bytes) after a digest of every item
// added. Verify works on a copy of t; t itself is not modified.
func NewTranscriptBatchVerifier(t *transcript.Transcript) *BatchVerifier {
	return &BatchVerifier{weight: t.Clone()}
}

// AddEquation adds eq to the batch, to be scaled by a weight drawn by
// Verify. t must already have absorbed the whole statement and proof eq
// comes from: its challenge "batch-item" is what binds eq into the weights
// of a deterministic batch. eq's scalars are not modified. Verify then
// fails if eq does not hold, except with probability about 2^-252.
func (b *BatchVerifier) AddEquation(t *transcript.Transcript, eq Equation) error {
	if len(eq.Scalars) != len(eq.Points) {
		return fmt.Errorf("%w: %d scalars for %d points", ErrUnsupportedParameters, len(eq.Scalars), len(eq.Points))
	}
	for i := range eq.Points {
		if eq.Scalars[i] == nil || eq.Points[i] == nil {
			return fmt.Errorf("%w: nil term %d", ErrUnsupportedParameters, i)
		}
	}
	eq.Scalars = append([]*group.Scalar(nil), eq.Scalars...)
	eq.Points = append([]*group.Element(nil), eq.Points...)
	b.items = append(b.items, batchItem{eq: &eq, digest: t.ChallengeBytes("batch-item")})
	return nil
}

// Add appends a proof to the batch. It fails at once on malformed
// statements; the proof itself is only checked by Verify.
func (b *BatchVerifier) Add(t *transcript.Transcript, p *Proof, commitments []*pedersen.Commitment, bitSize int) error {
	q, err := absorbProof(t, p, commitments, bitSize, transcriptV2)
	if err != nil {
		return err
	}
	b.items = append(b.items, batchItem{proof: q, digest: t.ChallengeBytes("batch-item")})
	b.count++
	return nil
}

// Len returns the number of proofs added (equations not counted).
func (b *BatchVerifier) Len() int { return b.count }

// Verify draws the weights and checks every proof and equation added. An
// empty batch verifies.
func (b *BatchVerifier) Verify() error {
	c, err := b.Prepare()
	if err != nil {
		return err
	}
	return c.Verify()
}

// Prepare draws the weights and accumulates the batch's multi-scalar
// multiplication without running it: the Check holds iff Verify would
// succeed. Checks of several batches can then run as one MSM (VerifyChecks).
func (b *BatchVerifier) Prepare() (*Check, error) {
	c := &Check{}
	if len(b.items) == 0 {
		return c, nil
	}
	weights, err := b.weights()
	if err != nil {
		return nil, err
	}
	for i, it := range b.items {
		if it.proof != nil {
			it.proof.accumulate(&c.acc, weights[i])
		} else {
			c.acc.addEquation(it.eq, weights[i])
		}
	}
	return c, nil
}

// Check is a batch's weighted multi-scalar multiplication, drawn and not
// yet run (BatchVerifier.Prepare): the batch verifies iff it sums to the
// identity.
type Check struct {
	acc msmTerms
}

// Verify runs the check's MSM.
func (c *Check) Verify() error {
	if len(c.acc.scalars) == 0 && c.acc.fixed == nil {
		return nil // an empty batch
	}
	return c.acc.verify()
}

// VerifyChecks runs several checks as one MSM, check i scaled by
// weights[i]: Σ weights[i]·MSM_i = identity. If every check holds, so does
// the sum; if one does not, the sum holds only with probability about
// 2^-252 over weights that the checks' authors could not know when they
// made them (the caller draws them after every check is fixed, e.g. as
// challenges over every check's statement). The fixed generators'
// scalars of all checks add up, so k checks cost one pass over the fixed
// tables instead of k. A failure does not say which check failed: verify
// them one by one to find out.
func VerifyChecks(checks []*Check, weights []*group.Scalar) error {
	if len(checks) != len(weights) {
		return group.ErrLengthMismatch
	}
	var sum msmTerms
	for i, c := range checks {
		w := weights[i]
		for j, f := range c.acc.fixed {
			if f != nil {
				sum.addFixed(j, group.NewScalar().Multiply(w, f))
			}
		}
		for j, s := range c.acc.scalars {
			sum.addPoint(group.NewScalar().Multiply(w, s), c.acc.points[j])
		}
	}
	if len(sum.scalars) == 0 && sum.fixed == nil {
		return nil
	}
	return sum.verify()
}

// weights draws one weight per item: from rand, or from a copy of the
// weights' transcript after it absorbed every item's digest, in order.
func (b *BatchVerifier) weights() ([]*group.Scalar, error) {
	out := make([]*group.Scalar, len(b.items))
	if b.rand != nil {
		for i := range out {
			w, err := group.RandomScalar(b.rand)
			if err != nil {
				return nil, err
			}
			out[i] = w
		}
		return out, nil
	}
	var t *transcript.Transcript
	if b.weight != nil {
		t = b.weight.Clone()
	} else { // the zero BatchVerifier: as NewBatchVerifier(nil)
		t = transcript.New(BatchDomain)
	}
	t.AppendUint64("items", uint64(len(b.items)))
	for _, it := range b.items {
		t.AppendMessage("item", it.digest)
	}
	for i := range out {
		out[i] = t.ChallengeScalar("batch-weight")
	}
	return out, nil
}

// msmTerms accumulates the terms of a batch's one multi-scalar
// multiplication: fixed (over gens.fixed: G_i, H_i, pedersen G, pedersen H)
// and dynamic points.
type msmTerms struct {
	fixed   []*group.Scalar
	scalars []*group.Scalar
	points  []*group.Element
}

func (m *msmTerms) addFixed(i int, s *group.Scalar) {
	if m.fixed == nil {
		m.fixed = make([]*group.Scalar, 2*maxGenerators+2)
	}
	if m.fixed[i] == nil {
		m.fixed[i] = group.NewScalar()
	}
	m.fixed[i].Add(m.fixed[i], s)
}

func (m *msmTerms) addPoint(s *group.Scalar, e *group.Element) {
	m.scalars = append(m.scalars, s)
	m.points = append(m.points, e)
}

func (m *msmTerms) addEquation(eq *Equation, weight *group.Scalar) {
	if eq.G != nil {
		m.addFixed(idxPedG, group.NewScalar().Multiply(weight, eq.G))
	}
	if eq.H != nil {
		m.addFixed(idxPedH, group.NewScalar().Multiply(weight, eq.H))
	}
	for i := range eq.Points {
		m.addPoint(group.NewScalar().Multiply(weight, eq.Scalars[i]), eq.Points[i])
	}
}

func (m *msmTerms) verify() error {
	if m.fixed == nil {
		m.fixed = make([]*group.Scalar, 2*maxGenerators+2)
	}
	res, err := group.NewIdentity().VarTimeMultiScalarMultFixed(generators().fixed, m.fixed, m.scalars, m.points)
	if err != nil {
		return err
	}
	if !res.IsIdentity() {
		return ErrInvalidProof
	}
	return nil
}

// absorbed is a proof whose transcript has been run: its statement and the
// challenges it yields, ready to be weighted into a batch.
type absorbed struct {
	p             *Proof
	commitments   []*pedersen.Commitment
	n, m          int
	y, z, x, w, c *group.Scalar
	u             []*group.Scalar
}

// transcriptVersion is what distinguishes the verifier's transcripts: the
// domain label, and whether a and b are absorbed before c.
type transcriptVersion struct {
	domain   string
	absorbAB bool
}

var (
	transcriptV1 = transcriptVersion{DomainV1, false} // VerifyV1 only
	transcriptV2 = transcriptVersion{Domain, true}
)

// absorbProof runs the verifier's transcript over the statement and the
// whole proof, and draws its challenges.
func absorbProof(t *transcript.Transcript, p *Proof, commitments []*pedersen.Commitment, bitSize int, version transcriptVersion) (*absorbed, error) {
	m, err := checkParams(bitSize, len(commitments))
	if err != nil {
		return nil, err
	}
	n := bitSize
	rounds := bits.Len(uint(n*m)) - 1
	if len(p.l) != rounds || len(p.r) != rounds {
		return nil, fmt.Errorf("%w: %d inner-product rounds for %d×%d bits", ErrInvalidProof, len(p.l), m, n)
	}
	for _, c := range commitments {
		if c == nil {
			return nil, fmt.Errorf("%w: nil commitment", ErrUnsupportedParameters)
		}
	}
	raw := p.raw
	if raw == nil {
		raw = p.Bytes()
	}
	chunk := func(i int) []byte { return raw[32*i : 32*(i+1)] }
	q := &absorbed{p: p, commitments: commitments, n: n, m: m, u: make([]*group.Scalar, rounds)}
	startTranscript(t, version.domain, n, m, commitments)
	t.AppendMessage("A", chunk(0))
	t.AppendMessage("S", chunk(1))
	q.y = t.ChallengeScalar("y")
	q.z = t.ChallengeScalar("z")
	t.AppendMessage("T_1", chunk(2))
	t.AppendMessage("T_2", chunk(3))
	q.x = t.ChallengeScalar("x")
	t.AppendMessage("t_x", chunk(4))
	t.AppendMessage("t_x_blinding", chunk(5))
	t.AppendMessage("e_blinding", chunk(6))
	q.w = t.ChallengeScalar("w")
	for j := 0; j < rounds; j++ {
		t.AppendMessage("L", chunk(7+2*j))
		t.AppendMessage("R", chunk(8+2*j))
		q.u[j] = t.ChallengeScalar("u")
	}
	if version.absorbAB {
		t.AppendMessage("a", chunk(7+2*rounds))
		t.AppendMessage("b", chunk(8+2*rounds))
	}
	q.c = t.ChallengeScalar("c")
	return q, nil
}

// accumulate adds the proof's verification equation, scaled by weight, to
// the batch's terms.
func (q *absorbed) accumulate(acc *msmTerms, weight *group.Scalar) {
	p, n, m, rounds := q.p, q.n, q.m, len(q.u)
	N := n * m
	y, z, x, w, c, u := q.y, q.z, q.x, q.w, q.c, q.u
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

	// Dynamic points: A, S, T1, T2, V_j, L_j, R_j (padding V_j are the
	// identity and contribute nothing).
	cx := mul(c, x)
	acc.addPoint(weight, &p.a)
	acc.addPoint(mul(weight, x), &p.s)
	acc.addPoint(mul(weight, cx), &p.t1)
	acc.addPoint(mul(weight, mul(cx, x)), &p.t2)
	zz := group.NewScalar().Square(z)
	zPow := mul(weight, mul(c, zz)) // ω·c·z^(2+j)
	for j := range q.commitments {
		acc.addPoint(group.NewScalar().Set(zPow), q.commitments[j].Element())
		zPow.Multiply(zPow, z)
	}
	for j := 0; j < rounds; j++ {
		acc.addPoint(mul(weight, uSq[j]), &p.l[j])
		acc.addPoint(mul(weight, group.NewScalar().Square(uInv[j])), &p.r[j])
	}

	// Fixed points.
	// H (blinding): −μ − c·τx
	hs := group.NewScalar().Negate(group.NewScalar().MultiplyAdd(c, &p.txBlind, &p.mu))
	acc.addFixed(idxPedH, mul(weight, hs))
	// G (value): w·(t_x − a·b) + c·(δ(y,z) − t_x)
	ab := mul(&p.ipaA, &p.ipaB)
	gs := mul(w, group.NewScalar().Subtract(&p.tx, ab))
	gs.MultiplyAdd(c, group.NewScalar().Subtract(delta(sumY, z, n, m), &p.tx), gs)
	acc.addFixed(idxPedG, mul(weight, gs))
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
			acc.addFixed(k, g.Subtract(negZw, &g))
			hk.Multiply(bw, &s[N-1-k])
			hk.Subtract(pow2, &hk)
			hk.MultiplyAdd(&hk, yInvPow, zw)
			acc.addFixed(maxGenerators+k, &hk)
			yInvPow.Multiply(yInvPow, yInv)
			pow2.Add(pow2, pow2)
		}
		zjw.Multiply(zjw, z)
	}
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
