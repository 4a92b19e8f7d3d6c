package invoice

import (
	"context"
	"fmt"

	"github.com/tierchain/tierchain/zk/oprf"
)

// Evaluator is the operator's OPRF endpoint: it evaluates a blinded element
// and proves it used the published key. The gateway serves it over HTTP; in
// process, LocalEvaluator wraps an oprf.Server.
type Evaluator interface {
	Evaluate(ctx context.Context, blinded []byte) ([]byte, error)
}

// LocalEvaluator evaluates with a server key held in this process (the
// operator's own deployment, and tests).
type LocalEvaluator struct{ Server *oprf.Server }

// Evaluate implements Evaluator.
func (e LocalEvaluator) Evaluate(_ context.Context, blinded []byte) ([]byte, error) {
	return e.Server.Evaluate(blinded)
}

// OPRFFingerprinter computes ledger fingerprints with the verifiable OPRF:
// the supplier's side blinds FingerprintInput, the operator evaluates
// without seeing it, and the result is checked against the operator's
// published key before it is used.
type OPRFFingerprinter struct {
	Client    *oprf.Client
	Evaluator Evaluator
}

// NewOPRFFingerprinter returns a fingerprinter for the operator's public key.
func NewOPRFFingerprinter(operator *oprf.ServerPublicKey, e Evaluator) *OPRFFingerprinter {
	return &OPRFFingerprinter{Client: oprf.NewClient(operator), Evaluator: e}
}

// Fingerprint implements Fingerprinter.
func (f *OPRFFingerprinter) Fingerprint(ctx context.Context, input []byte) ([]byte, error) {
	st, blinded, err := f.Client.Blind(input, nil)
	if err != nil {
		return nil, err
	}
	ev, err := f.Evaluator.Evaluate(ctx, blinded)
	if err != nil {
		return nil, fmt.Errorf("invoice: OPRF evaluation: %w", err)
	}
	return f.Client.Finalize(st, ev)
}

// Fingerprints evaluates the fingerprint of each key, in order.
func Fingerprints(ctx context.Context, f Fingerprinter, keys []FingerprintKey) ([][]byte, error) {
	out := make([][]byte, len(keys))
	for i, k := range keys {
		fp, err := f.Fingerprint(ctx, k.Input())
		if err != nil {
			return nil, err
		}
		out[i] = fp
	}
	return out, nil
}
