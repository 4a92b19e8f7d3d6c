package protocol

import (
	"io"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/audit"
	"github.com/tierchain/tierchain/zk/balance"
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

// verifyRanges checks one single 64-bit range proof per commitment (proof
// i on the range transcript with index i), all in one batch: the proofs
// share the generators, so a batch of m single proofs costs less than one
// aggregated proof over m values (docs/BENCHMARKS.md, Chaincode). The
// batch weights come from the transcripts, so verification is
// deterministic.
func verifyRanges(base *transcript.Transcript, proofs [][]byte, cs []*pedersen.Commitment) error {
	if len(proofs) != len(cs) {
		return invalidArg("range proofs: %d proofs for %d values", len(proofs), len(cs))
	}
	bv := rangeproof.NewBatchVerifier(nil)
	for i, raw := range proofs {
		p, err := rangeproof.DecodeProof(raw)
		if err != nil {
			return invalidProof("range proof %d: malformed", i)
		}
		if err := bv.Add(ProofTranscript(base, ProofRange, i), p, cs[i:i+1], model.AmountBits); err != nil {
			return invalidProof("range proof %d: %v", i, err)
		}
	}
	if err := bv.Verify(); err != nil {
		return invalidProof("range proofs: do not verify")
	}
	return nil
}

// proveRanges proves each opening in its own single range proof.
func proveRanges(base *transcript.Transcript, openings []pedersen.Opening, rand io.Reader) ([][]byte, error) {
	out := make([][]byte, len(openings))
	for i, o := range openings {
		p, err := rangeproof.Prove(ProofTranscript(base, ProofRange, i), []pedersen.Opening{o}, model.AmountBits, rand)
		if err != nil {
			return nil, err
		}
		out[i] = p.Bytes()
	}
	return out, nil
}

// verifyHandle checks that handle h of commitment c (output i) shares its
// blinding, so the regulator can open c.
func verifyHandle(base *transcript.Transcript, i int, key *audit.PublicKey, c *pedersen.Commitment, h *audit.Handle, proof []byte) error {
	p, err := audit.DecodeHandleProof(proof)
	if err != nil {
		return invalidProof("handle proof %d: malformed", i)
	}
	if err := p.Verify(ProofTranscript(base, ProofHandle, i), key, c, h); err != nil {
		return invalidProof("handle proof %d: does not verify", i)
	}
	return nil
}

func proveHandle(base *transcript.Transcript, i int, key *audit.PublicKey, o pedersen.Opening, rand io.Reader) ([]byte, error) {
	p, err := audit.ProveHandle(ProofTranscript(base, ProofHandle, i), key, o, rand)
	if err != nil {
		return nil, err
	}
	return p.Bytes(), nil
}

// verifyBalance checks knowledge of k with excess = k·H.
func verifyBalance(base *transcript.Transcript, excess *group.Element, proof []byte) error {
	p, err := balance.DecodeProof(proof)
	if err != nil {
		return invalidProof("balance proof: malformed")
	}
	if err := p.Verify(ProofTranscript(base, ProofBalance, 0), excess); err != nil {
		return invalidProof("balance proof: does not verify (outputs and inputs differ)")
	}
	return nil
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
	AuditKey      *audit.PublicKey
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
	handle     *audit.Handle
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
	return &sealed{commitment: c, handle: audit.NewHandle(aud.AuditKey, o.Blinding), holderEnv: holderEnv, regEnv: regEnv}, nil
}
