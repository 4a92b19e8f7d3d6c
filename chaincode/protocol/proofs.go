package protocol

import (
	"crypto/rand"
	"errors"
	"io"
	mrand "math/rand/v2"
	"sync"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/balance"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/rangeproof"
	"github.com/tierchain/tierchain/zk/transcript"
)

// Proof names in proof transcripts.
const (
	ProofRange   = "range"
	ProofHandle  = "handle"
	ProofBalance = "balance"
)

// proofBatch checks all of one transaction's proofs with one multi-scalar
// multiplication: its single 64-bit range proofs (one per value, sharing
// the generators, so cheaper than one aggregated proof over m values:
// docs/BENCHMARKS.md, Chaincode) and the equations of its handle and
// balance proofs (elgamal.HandleProof.Equation, balance.Proof.Equation) go
// into one rangeproof.BatchVerifier. Every proof runs on its own proof
// transcript (its challenges are its own), but the weights that combine
// them come from ONE transcript, the batch's: the statement's, then every
// proof's name, index and bytes, then (inside the BatchVerifier) a digest
// of every proof's own transcript. So every weight is fixed only after
// every proof of the transaction: a prover cannot pick one proof knowing
// its weight (no generalised-birthday search across proofs), and
// verification stays deterministic.
//
// The adds only record the proofs; verify decodes them in order (a
// malformed one fails there, first in order) and runs the MSM, unless the
// context's memo already holds the same statement and proofs, verified:
// the memo key is a challenge from the same batch transcript.
type proofBatch struct {
	base      *transcript.Transcript
	memo      *VerifyMemo
	coalescer *VerifyCoalescer
	batch     *transcript.Transcript // base, then every proof's name, index and bytes
	steps     []func(*rangeproof.BatchVerifier) error
	// recheck verifies each handle and balance proof on its own, to name
	// the culprit when the batch fails: each is a small MSM, a fraction of
	// the batch, and runs only for a refused transaction.
	recheck []func() error
}

func newProofBatch(ctx Context, base *transcript.Transcript) *proofBatch {
	return &proofBatch{base: base, memo: ctx.Memo, coalescer: ctx.Coalescer, batch: batchTranscript(base)}
}

// batchTranscript starts a batch's transcript: a clone of the statement's,
// labelled so no proof transcript can coincide with it.
func batchTranscript(base *transcript.Transcript) *transcript.Transcript {
	t := base.Clone()
	t.AppendString("batch", "every proof of the statement")
	return t
}

// record queues one proof's step and absorbs its bytes into the batch
// transcript.
func (b *proofBatch) record(proof string, index int, raw []byte, step func(*rangeproof.BatchVerifier) error) {
	b.batch.AppendString("proof", proof)
	b.batch.AppendUint64("index", uint64(index))
	b.batch.AppendMessage("bytes", raw)
	b.steps = append(b.steps, step)
}

// addRanges adds one single 64-bit range proof per commitment (proof i on
// the range transcript with index i).
func (b *proofBatch) addRanges(proofs [][]byte, cs []*pedersen.Commitment) error {
	if len(proofs) != len(cs) {
		return invalidArg("range proofs: %d proofs for %d values", len(proofs), len(cs))
	}
	for i, raw := range proofs {
		b.record(ProofRange, i, raw, func(bv *rangeproof.BatchVerifier) error {
			p, err := rangeproof.DecodeProof(raw)
			if err != nil {
				return invalidProof("range proof %d: malformed", i)
			}
			if err := bv.Add(ProofTranscript(b.base, ProofRange, i), p, cs[i:i+1], model.AmountBits); err != nil {
				return invalidProof("range proof %d: %v", i, err)
			}
			return nil
		})
	}
	return nil
}

// addHandle adds the proof that handle h of commitment c (output i) shares
// its blinding, so the regulator can open c.
func (b *proofBatch) addHandle(i int, key *elgamal.PublicKey, c *pedersen.Commitment, h *elgamal.Handle, proof []byte) {
	b.record(ProofHandle, i, proof, func(bv *rangeproof.BatchVerifier) error {
		p, err := elgamal.DecodeHandleProof(proof)
		if err != nil {
			return invalidProof("handle proof %d: malformed", i)
		}
		t := ProofTranscript(b.base, ProofHandle, i)
		eq, err := p.Equation(t, key, c, h)
		if err == nil {
			err = bv.AddEquation(t, eq)
		}
		if err != nil {
			return invalidProof("handle proof %d: %v", i, err)
		}
		b.recheck = append(b.recheck, func() error {
			if p.Verify(ProofTranscript(b.base, ProofHandle, i), key, c, h) != nil {
				return invalidProof("handle proof %d: does not verify", i)
			}
			return nil
		})
		return nil
	})
}

// addBalance adds the proof of knowledge of k with excess = k·H.
func (b *proofBatch) addBalance(excess *group.Element, proof []byte) {
	b.record(ProofBalance, 0, proof, func(bv *rangeproof.BatchVerifier) error {
		p, err := balance.DecodeProof(proof)
		if err != nil {
			return invalidProof("balance proof: malformed")
		}
		t := ProofTranscript(b.base, ProofBalance, 0)
		eq, err := p.Equation(t, excess)
		if err == nil {
			err = bv.AddEquation(t, eq)
		}
		if err != nil {
			return invalidProof("balance proof: %v", err)
		}
		b.recheck = append(b.recheck, func() error {
			if p.Verify(ProofTranscript(b.base, ProofBalance, 0), excess) != nil {
				return invalidProof("balance proof: does not verify (outputs and inputs differ)")
			}
			return nil
		})
		return nil
	})
}

// verify decodes the proofs and runs the batch's one MSM, or finds the
// same batch in the memo. When the MSM fails, the handle and balance
// proofs are checked one by one to name the first that fails; if they all
// hold, the range proofs are to blame.
func (b *proofBatch) verify() error {
	// The memo key is drawn whether or not there is a memo, so the weights
	// (drawn after it) are the same on every peer.
	key := memoKeyOf(b.batch)
	if b.memo != nil && b.memo.has(key) {
		return nil
	}
	bv := rangeproof.NewTranscriptBatchVerifier(b.batch)
	for _, step := range b.steps {
		if err := step(bv); err != nil {
			return err
		}
	}
	if b.check(bv, key) != nil {
		for _, check := range b.recheck {
			if err := check(); err != nil {
				return err
			}
		}
		return invalidProof("range proofs: do not verify")
	}
	if b.memo != nil {
		b.memo.add(key)
	}
	return nil
}

// check runs the batch's MSM: through the coalescer, when there is one,
// with the checks of concurrent endorsements.
func (b *proofBatch) check(bv *rangeproof.BatchVerifier, key memoKey) error {
	if b.coalescer == nil {
		return bv.Verify()
	}
	c, err := bv.Prepare()
	if err != nil {
		return err
	}
	return b.coalescer.verify(c, key)
}

// proveRanges proves each opening in its own single range proof.
func proveRanges(base *transcript.Transcript, openings []pedersen.Opening, random io.Reader) ([][]byte, error) {
	out := make([][]byte, len(openings))
	if len(openings) == 1 {
		p, err := rangeproof.Prove(ProofTranscript(base, ProofRange, 0), openings, model.AmountBits, random)
		if err != nil {
			return nil, err
		}
		out[0] = p.Bytes()
		return out, nil
	}
	// The proofs are independent (each on its own transcript): prove them
	// in parallel, each from its own stream seeded in order from random, so
	// a given reader still yields the same proofs.
	if random == nil {
		random = rand.Reader
	}
	seeds := make([][32]byte, len(openings))
	for i := range seeds {
		if _, err := io.ReadFull(random, seeds[i][:]); err != nil {
			return nil, err
		}
	}
	errs := make([]error, len(openings))
	var wg sync.WaitGroup
	for i, o := range openings {
		wg.Go(func() {
			p, err := rangeproof.Prove(ProofTranscript(base, ProofRange, i), []pedersen.Opening{o}, model.AmountBits,
				mrand.NewChaCha8(seeds[i]))
			if err != nil {
				errs[i] = err
				return
			}
			out[i] = p.Bytes()
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

func proveHandle(base *transcript.Transcript, i int, key *elgamal.PublicKey, o pedersen.Opening, rand io.Reader) ([]byte, error) {
	p, err := elgamal.ProveHandle(ProofTranscript(base, ProofHandle, i), key, o, rand)
	if err != nil {
		return nil, err
	}
	return p.Bytes(), nil
}

func proveBalance(base *transcript.Transcript, k *group.Scalar, rand io.Reader) ([]byte, error) {
	p, err := balance.Prove(ProofTranscript(base, ProofBalance, 0), k, rand)
	if err != nil {
		return nil, err
	}
	return p.Bytes(), nil
}

// Auditor is the regulator as provers see it: the audit key every
// commitment carries a handle for, and the HPKE key of its envelope copy.
type Auditor struct {
	AuditKey      *elgamal.PublicKey
	EncryptionKey *envelope.PublicKey
}

// Recipient is an enterprise that receives an envelope.
type Recipient struct {
	ID  string
	Key *envelope.PublicKey
}

// sealed is a new commitment with its handle and both envelopes.
type sealed struct {
	commitment *pedersen.Commitment
	handle     *elgamal.Handle
	holderEnv  []byte
	regEnv     []byte
}

// sealOutput commits to o, makes its audit handle and seals o to the
// recipient (for purpose) and to the regulator.
func sealOutput(o pedersen.Opening, to *envelope.PublicKey, purpose string, aud Auditor, rand io.Reader) (*sealed, error) {
	if o.Blinding == nil || to == nil || aud.AuditKey == nil || aud.EncryptionKey == nil {
		return nil, invalidArg("builder: missing blinding, recipient key or auditor key")
	}
	c := o.Commitment()
	holderEnv, err := envelope.Seal(to, o, OutputBinding(c, purpose), rand)
	if err != nil {
		return nil, err
	}
	regEnv, err := envelope.Seal(aud.EncryptionKey, o, OutputBinding(c, PurposeRegulator), rand)
	if err != nil {
		return nil, err
	}
	return &sealed{commitment: c, handle: elgamal.NewHandle(aud.AuditKey, o.Blinding), holderEnv: holderEnv, regEnv: regEnv}, nil
}
