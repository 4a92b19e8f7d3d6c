package protocol_test

import (
	"encoding/hex"
	"errors"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/transcript"
)

// frozenChallenges are the challenges of frozenStatements' transcripts
// recorded with the code of commit 33efdf5, before currencies: a legacy
// statement (currency "") must keep these bytes, or every proof on a
// ledger from before would stop verifying.
var frozenChallenges = map[string]string{
	"invoice": "38e137a41fef348a5e336e694ef643aff50454e12b0fd0e2d00630089c2c25a0b654b539783e9d9d3d3157d8492cf438c8ec186c2459aa2489f7c72da61f6243",
	"issue":   "69f793cf4987ed7cadc8f916c34acc45a02b674d87ff1f690f20f8072fd60a3e074ea54471b2cf0fb080cfccf2b5323013c1b464fb356a484baafbe7faf2ee3c",
	"split":   "e110c4fe2b942ad8ced74450aa8bc9d4fe15544e627f27e82a802613707965c7aea5e63fb025ed108b6197164984f4819203b814c43734d9c4bbcca0d6ac84c5",
}

// TestFrozenTranscripts: legacy statements hash exactly as before
// currencies; naming a currency changes the transcript, and two
// currencies give two transcripts.
func TestFrozenTranscripts(t *testing.T) {
	inv, issue, split := frozenStatements()
	transcripts := map[string]func(currency string) *transcript.Transcript{
		"invoice": func(c string) *transcript.Transcript { s := *inv; s.Currency = c; return s.Transcript(frozenContext) },
		"issue":   func(c string) *transcript.Transcript { s := *issue; s.Currency = c; return s.Transcript(frozenContext) },
		"split":   func(c string) *transcript.Transcript { s := *split; s.Currency = c; return s.Transcript(frozenContext) },
	}
	for name, tr := range transcripts {
		challenge := func(c string) string { return hex.EncodeToString(tr(c).ChallengeBytes("frozen")) }
		if got := challenge(""); got != frozenChallenges[name] {
			t.Errorf("%s: the legacy transcript changed:\n got %s\nwant %s", name, got, frozenChallenges[name])
		}
		if cny, usd := challenge("CNY"), challenge("USD"); cny == frozenChallenges[name] || cny == usd {
			t.Errorf("%s: the currency is not bound (CNY %s…, USD %s…)", name, cny[:16], usd[:16])
		}
	}
}

// TestProofBoundToCurrency: a split proved in CNY verifies in CNY only:
// not in USD, not as a legacy amount; and a legacy proof verifies only as
// legacy. (The rules tests do the same on the ledger for every kind.)
func TestProofBoundToCurrency(t *testing.T) {
	k := newKeys(t)
	ctx := protocol.Context{Channel: "tierchain", Chaincode: "tierchain"}
	for _, proved := range []string{"CNY", ""} {
		in := []protocol.OpenedToken{{ID: "t1", Currency: proved, Opening: opening(t, 100)}}
		req, err := protocol.BuildSplit(ctx, protocol.SplitInput{Kind: protocol.KindSplit, Spender: "s1", Inputs: in,
			Outputs: []protocol.OutputSpec{{Holder: k.holder, Opening: opening(t, 60)}, {Holder: k.holder, Opening: opening(t, 40)}}}, k.aud, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, verified := range []string{"CNY", "USD", ""} {
			s := statementOf(t, protocol.KindSplit, "s1", in, req, k.aud)
			s.Currency = verified
			err := s.Verify(ctx, req)
			if verified == proved && err != nil {
				t.Fatalf("proved in %q, verified in %q: %v", proved, verified, err)
			}
			if verified != proved && !errors.Is(err, model.ErrInvalidProof) {
				t.Fatalf("proved in %q, verified in %q: %v, want INVALID_PROOF", proved, verified, err)
			}
		}
	}
}
