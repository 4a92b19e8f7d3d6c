// Package rangeproof implements aggregated Bulletproofs range proofs
// (Bünz, Bootle, Boneh, Poelstra, Wuille, Maxwell, "Bulletproofs: Short
// Proofs for Confidential Transactions and More", IEEE S&P 2018, §4.2–4.3
// with the inner-product argument of §3) over ristretto255 Pedersen
// commitments C = v·G + γ·H (package pedersen).
//
// One proof shows that each of m committed values lies in [0, 2^n) for
// n ∈ {8, 16, 32, 64} and 1 ≤ m ≤ 8 (padded to a power of two with
// commitments to zero with zero blinding, the identity, which both sides
// know). Verification is a single multi-scalar multiplication; many proofs
// verify together with a BatchVerifier. See docs/crypto/rangeproof.md.
package rangeproof

import (
	"errors"
	"fmt"
	"io"
	"math/bits"

	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// Domain is the protocol label appended to the caller's transcript.
// Version 2 absorbs every part of the proof, the inner-product scalars a
// and b included, before the verifier draws any challenge from it.
const Domain = "tierchain/rangeproof/v2"

// DomainV1 is the label of the first transcript, which drew the verifier's
// challenge c without absorbing a and b. Its proofs verify only on their own
// (Proof.VerifyV1), never in a batch: docs/crypto/rangeproof.md, Versions.
const DomainV1 = "tierchain/rangeproof/v1"

// Limits of one proof.
const (
	MaxBits        = 64
	MaxAggregation = 8
)

var (
	// ErrInvalidProof reports a proof that does not verify.
	ErrInvalidProof = errors.New("rangeproof: invalid proof")
	// ErrMalformedProof reports bytes that do not encode a proof.
	ErrMalformedProof = errors.New("rangeproof: malformed proof encoding")
	// ErrUnsupportedParameters reports a bit size or value count outside
	// the supported set, or a value that does not fit the bit size.
	ErrUnsupportedParameters = errors.New("rangeproof: unsupported parameters")
)

// Proof is an aggregated range proof.
type Proof struct {
	a, s, t1, t2    group.Element // A, S, T1, T2
	tx, txBlind, mu group.Scalar  // t(x), τx, μ
	l, r            []group.Element
	ipaA, ipaB      group.Scalar
	// raw is the canonical encoding (set by Prove and DecodeProof), so the
	// verifier hashes points without re-encoding them.
	raw []byte
}

func checkParams(bitSize, count int) (m int, err error) {
	switch bitSize {
	case 8, 16, 32, 64:
	default:
		return 0, fmt.Errorf("%w: %d bits (want 8, 16, 32 or 64)", ErrUnsupportedParameters, bitSize)
	}
	if count < 1 || count > MaxAggregation {
		return 0, fmt.Errorf("%w: %d values (want 1 to %d)", ErrUnsupportedParameters, count, MaxAggregation)
	}
	m = 1
	for m < count {
		m <<= 1
	}
	return m, nil
}

// startTranscript appends the statement: domain, n, m and every commitment
// (the padding identities, encoded as 32 zero bytes, included).
func startTranscript(t *transcript.Transcript, domain string, n, m int, commitments []*pedersen.Commitment) {
	t.AppendString("dom-sep", domain)
	t.AppendUint64("n", uint64(n))
	t.AppendUint64("m", uint64(m))
	for j := 0; j < m; j++ {
		if j < len(commitments) {
			t.AppendMessage("V", commitments[j].Bytes())
		} else {
			t.AppendMessage("V", identityEncoding[:])
		}
	}
}

// identityEncoding is the canonical encoding of the identity.
var identityEncoding [group.ElementSize]byte

// Prove produces one aggregated proof that every opening's value is in
// [0, 2^bits). The caller's transcript must already bind the context and
// the other public inputs of the transaction.
func Prove(t *transcript.Transcript, openings []pedersen.Opening, bitSize int, rand io.Reader) (*Proof, error) {
	commitments := make([]*pedersen.Commitment, len(openings))
	for j, o := range openings {
		if o.Blinding != nil { // else proveStatement refuses the opening
			commitments[j] = o.Commitment()
		}
	}
	return proveStatement(t, openings, commitments, bitSize, rand)
}

// proveStatement is Prove with the commitments the transcript binds given:
// Prove computes them from the openings. (The tests give others, to build
// the false proofs a cheating prover would.)
func proveStatement(t *transcript.Transcript, openings []pedersen.Opening, commitments []*pedersen.Commitment, bitSize int, rand io.Reader) (*Proof, error) {
	m, err := checkParams(bitSize, len(openings))
	if err != nil {
		return nil, err
	}
	n := bitSize
	N := n * m
	for _, o := range openings {
		if o.Blinding == nil {
			return nil, fmt.Errorf("%w: opening without blinding", ErrUnsupportedParameters)
		}
		if n < 64 && o.Value>>n != 0 {
			return nil, fmt.Errorf("%w: a value does not fit in %d bits", ErrUnsupportedParameters, n)
		}
	}
	gens := generators()
	startTranscript(t, Domain, n, m, commitments)

	random := func() (*group.Scalar, error) { return group.RandomScalar(rand) }
	alpha, err := random()
	if err != nil {
		return nil, err
	}
	rho, err := random()
	if err != nil {
		return nil, err
	}

	// aL: the bits of the values (padding values are 0); aR = aL − 1.
	// A = α·H + Σ aL_i·G_i + aR_i·H_i, selecting G_i or −H_i in constant time.
	aBits := make([]int, N)
	for j := 0; j < m; j++ {
		var v uint64
		if j < len(openings) {
			v = openings[j].Value
		}
		for i := 0; i < n; i++ {
			aBits[j*n+i] = int((v >> uint(i)) & 1)
		}
	}
	A := group.NewIdentity().TableScalarMult(pedersen.HTable(), alpha)
	var sel, negH group.Element
	for i := 0; i < N; i++ {
		negH.Negate(gens.h[i])
		sel.ConditionalSelect(gens.g[i], &negH, aBits[i])
		A.Add(A, &sel)
	}

	// S = ρ·H + Σ sL_i·G_i + sR_i·H_i, constant time in the secret sL, sR.
	sL := make([]*group.Scalar, N)
	sR := make([]*group.Scalar, N)
	sScalars := make([]*group.Scalar, 0, 2*N+1)
	sPoints := make([]*group.Element, 0, 2*N+1)
	for i := 0; i < N; i++ {
		if sL[i], err = random(); err != nil {
			return nil, err
		}
		if sR[i], err = random(); err != nil {
			return nil, err
		}
	}
	sScalars = append(append(append(sScalars, rho), sL...), sR...)
	sPoints = append(append(append(sPoints, pedersen.H()), gens.g[:N]...), gens.h[:N]...)
	S, err := group.NewIdentity().MultiScalarMult(sScalars, sPoints)
	if err != nil {
		return nil, err
	}
	t.AppendElement("A", A)
	t.AppendElement("S", S)
	y := t.ChallengeScalar("y")
	z := t.ChallengeScalar("z")

	// l(X) = (aL − z·1) + sL·X
	// r(X) = y^N ∘ (aR + z·1 + sR·X) + (z^(2+j)·2^i)_(j,i)
	zz := group.NewScalar().Square(z)
	one := group.NewScalar().One()
	l0, l1 := make([]*group.Scalar, N), sL
	r0, r1 := make([]*group.Scalar, N), make([]*group.Scalar, N)
	yPow := group.NewScalar().One()
	zPow := group.NewScalar().Set(zz) // z^(2+j)
	for j := 0; j < m; j++ {
		two := group.NewScalar().One()
		for i := 0; i < n; i++ {
			k := j*n + i
			bit := group.NewScalar().SetUint64(uint64(aBits[k]))
			l0[k] = group.NewScalar().Subtract(bit, z)
			aR := group.NewScalar().Subtract(bit, one)
			r0[k] = group.NewScalar().Multiply(yPow, group.NewScalar().Add(aR, z))
			r0[k].MultiplyAdd(zPow, two, r0[k])
			r1[k] = group.NewScalar().Multiply(yPow, sR[k])
			yPow.Multiply(yPow, y)
			two.Add(two, two)
		}
		zPow.Multiply(zPow, z)
	}
	t1 := group.NewScalar().Add(innerProduct(l0, r1), innerProduct(l1, r0))
	t2 := innerProduct(l1, r1)
	tau1, err := random()
	if err != nil {
		return nil, err
	}
	tau2, err := random()
	if err != nil {
		return nil, err
	}
	T1 := pedersen.CommitScalar(t1, tau1).Element()
	T2 := pedersen.CommitScalar(t2, tau2).Element()
	t.AppendElement("T_1", T1)
	t.AppendElement("T_2", T2)
	x := t.ChallengeScalar("x")

	lx := make([]*group.Scalar, N)
	rx := make([]*group.Scalar, N)
	for i := 0; i < N; i++ {
		lx[i] = group.NewScalar().MultiplyAdd(l1[i], x, l0[i])
		rx[i] = group.NewScalar().MultiplyAdd(r1[i], x, r0[i])
	}
	tx := innerProduct(lx, rx)
	// τx = τ2·x² + τ1·x + Σ z^(2+j)·γ_j
	txBlind := group.NewScalar().Multiply(tau2, x)
	txBlind.Add(txBlind, tau1)
	txBlind.Multiply(txBlind, x)
	zPow.Set(zz)
	for j := 0; j < len(openings); j++ {
		txBlind.MultiplyAdd(zPow, openings[j].Blinding, txBlind)
		zPow.Multiply(zPow, z)
	}
	mu := group.NewScalar().MultiplyAdd(rho, x, alpha)
	t.AppendScalar("t_x", tx)
	t.AppendScalar("t_x_blinding", txBlind)
	t.AppendScalar("e_blinding", mu)
	w := t.ChallengeScalar("w")

	p := &Proof{}
	defer func() { p.raw = p.Bytes() }()
	p.a.Set(A)
	p.s.Set(S)
	p.t1.Set(T1)
	p.t2.Set(T2)
	p.tx.Set(tx)
	p.txBlind.Set(txBlind)
	p.mu.Set(mu)
	if err := p.varTimeProveInnerProduct(t, gens, N, y, w, lx, rx); err != nil {
		return nil, err
	}
	// The transcript ends where the verifier's is before it draws c.
	t.AppendScalar("a", &p.ipaA)
	t.AppendScalar("b", &p.ipaB)
	return p, nil
}

// varTimeProveInnerProduct runs the inner-product argument (§3, protocol 2) on
// a = l(x), b = r(x) with generators G_i, H'_i = y^-i·H_i and Q = w·G.
//
// Instead of folding the generators (a scalar multiplication per generator
// per round), it keeps for every original generator the product of the
// challenges folded into it (gc, hc) and computes each L_j, R_j as one
// variable-time MSM over the original, precomputed generators. The vectors
// a, b and the challenges are public-equivalent (the non-logarithmic
// protocol 1 sends l and r in the clear), so variable time is safe here.
func (p *Proof) varTimeProveInnerProduct(t *transcript.Transcript, gens *generatorSet, N int, y, w *group.Scalar, a, b []*group.Scalar) error {
	rounds := bits.Len(uint(N)) - 1
	gc := make([]*group.Scalar, N)
	hc := make([]*group.Scalar, N)
	yInv := group.NewScalar().VarTimeInvert(y) // challenges are public
	acc := group.NewScalar().One()
	for i := 0; i < N; i++ {
		gc[i] = group.NewScalar().One()
		hc[i] = group.NewScalar().Set(acc)
		acc.Multiply(acc, yInv)
	}
	fixed := make([]*group.Scalar, 2*maxGenerators+2)
	p.l = make([]group.Element, 0, rounds)
	p.r = make([]group.Element, 0, rounds)
	for np := N; np > 1; np /= 2 {
		h := np / 2
		cL := innerProduct(a[:h], b[h:np])
		cR := innerProduct(a[h:np], b[:h])
		clear(fixed)
		for i := 0; i < N; i++ {
			if k := i % np; k >= h {
				fixed[i] = group.NewScalar().Multiply(a[k-h], gc[i])
			} else {
				fixed[maxGenerators+i] = group.NewScalar().Multiply(b[k+h], hc[i])
			}
		}
		fixed[idxPedG] = group.NewScalar().Multiply(cL, w)
		L, err := group.NewIdentity().VarTimeMultiScalarMultFixed(gens.fixed, fixed, nil, nil)
		if err != nil {
			return err
		}
		clear(fixed)
		for i := 0; i < N; i++ {
			if k := i % np; k < h {
				fixed[i] = group.NewScalar().Multiply(a[k+h], gc[i])
			} else {
				fixed[maxGenerators+i] = group.NewScalar().Multiply(b[k-h], hc[i])
			}
		}
		fixed[idxPedG] = group.NewScalar().Multiply(cR, w)
		R, err := group.NewIdentity().VarTimeMultiScalarMultFixed(gens.fixed, fixed, nil, nil)
		if err != nil {
			return err
		}
		t.AppendElement("L", L)
		t.AppendElement("R", R)
		p.l = append(p.l, *L)
		p.r = append(p.r, *R)
		u := t.ChallengeScalar("u")
		uInv := group.NewScalar().VarTimeInvert(u)
		for k := 0; k < h; k++ {
			// a' = a_lo·u + a_hi·u⁻¹, b' = b_lo·u⁻¹ + b_hi·u
			a[k] = group.NewScalar().MultiplyAdd(a[k+h], uInv, group.NewScalar().Multiply(a[k], u))
			b[k] = group.NewScalar().MultiplyAdd(b[k+h], u, group.NewScalar().Multiply(b[k], uInv))
		}
		for i := 0; i < N; i++ {
			if i%np < h {
				gc[i].Multiply(gc[i], uInv)
				hc[i].Multiply(hc[i], u)
			} else {
				gc[i].Multiply(gc[i], u)
				hc[i].Multiply(hc[i], uInv)
			}
		}
	}
	p.ipaA.Set(a[0])
	p.ipaB.Set(b[0])
	return nil
}

func innerProduct(a, b []*group.Scalar) *group.Scalar {
	out := group.NewScalar()
	for i := range a {
		out.MultiplyAdd(a[i], b[i], out)
	}
	return out
}
