package invoice

import (
	"bytes"
	"context"
	"errors"
	"os"
	"testing"

	"github.com/tierchain/tierchain/zk/oprf"
)

type rogueEvaluator struct{ s *oprf.Server }

func (r rogueEvaluator) Evaluate(_ context.Context, b []byte) ([]byte, error) { return r.s.Evaluate(b) }

// TestOPRFFingerprint: the same invoice in JSON and UBL gets the same
// fingerprint, equal to the operator's direct evaluation of the canonical
// input; another invoice gets another one; an operator evaluating with a
// key other than the published one is caught.
func TestOPRFFingerprint(t *testing.T) {
	key, err := oprf.GenerateServerKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	server := oprf.NewServer(key)
	fp := NewOPRFFingerprinter(key.Public(), LocalEvaluator{server})
	ctx := context.Background()

	ubl, err := os.ReadFile("testdata/peppol-bis3-invoice.xml")
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Parse(FormatUBL, ubl)
	if err != nil {
		t.Fatal(err)
	}
	a, err := fp.Fingerprint(ctx, FingerprintInput(inv))
	if err != nil {
		t.Fatal(err)
	}
	direct, _ := server.FullEvaluate(FingerprintInput(inv))
	if !bytes.Equal(a, direct) {
		t.Fatal("blinded fingerprint differs from the operator's direct evaluation")
	}
	other := *inv
	other.Number += "-2"
	b, _ := fp.Fingerprint(ctx, FingerprintInput(&other))
	if bytes.Equal(a, b) {
		t.Fatal("two invoices share a fingerprint")
	}

	rogueKey, _ := oprf.GenerateServerKey(nil)
	rogue := NewOPRFFingerprinter(key.Public(), rogueEvaluator{oprf.NewServer(rogueKey)})
	if _, err := rogue.Fingerprint(ctx, FingerprintInput(inv)); !errors.Is(err, oprf.ErrInvalidEvaluation) {
		t.Fatalf("rogue operator key accepted: %v", err)
	}
}
