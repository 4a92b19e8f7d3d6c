package indexer

import (
	"bytes"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// The real chaincode's metadata (testdata/gen_metadata.go) lists
// GetTokens; the same without it is a chaincode from before it.
func TestDecodeCapsOfTheChaincode(t *testing.T) {
	raw, err := os.ReadFile("testdata/metadata.json")
	if err != nil {
		t.Fatal(err)
	}
	caps, err := decodeCaps(raw, Contract)
	if err != nil || !caps.getTokens {
		t.Fatalf("the chaincode's metadata: %+v %v", caps, err)
	}
	before := bytes.ReplaceAll(raw, []byte(`"name":"GetTokens"`), []byte(`"name":"GetTokenz"`))
	if bytes.Equal(before, raw) {
		t.Fatal("the metadata names no GetTokens transaction")
	}
	if caps, err := decodeCaps(before, Contract); err != nil || caps.getTokens {
		t.Fatalf("without GetTokens: %+v %v", caps, err)
	}
	// Another contract's GetTokens is not the "tierchain" contract's.
	if caps, err := decodeCaps(raw, "baseline"); err != nil || caps.getTokens {
		t.Fatalf("the baseline contract: %+v %v", caps, err)
	}
}

func TestDecodeCapsRejects(t *testing.T) {
	huge := `{"contracts":{"tierchain":{"name":"tierchain","transactions":[{"name":"GetTokens"}]}},"info":{"description":"` +
		strings.Repeat("x", maxMetadataBytes) + `"}}`
	for name, raw := range map[string]string{
		"empty":         ``,
		"not JSON":      `Function GetMetadata not found`,
		"null":          `null`,
		"no contracts":  `{}`,
		"no tierchain":  `{"contracts":{"baseline":{"name":"baseline","transactions":[{"name":"GetTokens"}]}}}`,
		"null contract": `{"contracts":{"tierchain":null}}`,
		"misnamed":      `{"contracts":{"tierchain":{"name":"other","transactions":[]}}}`,
		"nameless tx":   `{"contracts":{"tierchain":{"name":"tierchain","transactions":[{"tag":["evaluate"]}]}}}`,
		"bad tx":        `{"contracts":{"tierchain":{"name":"tierchain","transactions":["GetTokens"]}}}`,
		"oversized":     huge,
	} {
		if caps, err := decodeCaps([]byte(raw), Contract); !errors.Is(err, ErrBadMetadata) {
			t.Errorf("%s: %+v %v, want ErrBadMetadata", name, caps, err)
		}
	}
}

// FuzzDecodeCaps: any answer is decoded or ErrBadMetadata; never a panic,
// and GetTokens is reported only when the answer names it.
func FuzzDecodeCaps(f *testing.F) {
	if raw, err := os.ReadFile("testdata/metadata.json"); err == nil {
		f.Add(raw)
	}
	f.Add(metadataOf(true))
	f.Add(metadataOf(false))
	f.Add([]byte(`{"contracts":{"tierchain":{"name":"tierchain","transactions":[{"name":""}]}}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		caps, err := decodeCaps(raw, Contract)
		if err != nil {
			if !errors.Is(err, ErrBadMetadata) {
				t.Fatalf("error %v is not ErrBadMetadata", err)
			}
			return
		}
		if caps.getTokens && !bytes.Contains(raw, []byte("GetTokens")) && !bytes.Contains(raw, []byte(`\u`)) {
			t.Fatalf("GetTokens from %q", raw)
		}
	})
}

// The metadata is asked once, however many batches follow and however
// many GetTokens calls a batch makes at once.
func TestCapsAskedOnce(t *testing.T) {
	c := newChain(t, newFakeLedger())
	c.story()
	ix := newIndexer(t, storetest.SQLite(t), c.ledger, Options{})
	for i := range c.events {
		if _, err := ix.apply(t.Context(), c.events[i:i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if c.ledger.metadataCalls != 1 || len(c.ledger.batches) == 0 {
		t.Fatalf("GetMetadata calls %d, GetTokens calls %v", c.ledger.metadataCalls, c.ledger.batches)
	}
}

// A chaincode upgraded to one with GetTokens is seen on the fallback path
// once the "no GetTokens" answer is older than the recheck; a downgrade is
// seen when GetTokens fails without a code. Either way the read model is
// the one a single chaincode builds.
func TestCapsFollowUpgradeAndDowngrade(t *testing.T) {
	ref := newChain(t, newFakeLedger())
	ref.story()
	rix := newIndexer(t, storetest.SQLite(t), ref.ledger, Options{})
	if _, err := rix.apply(t.Context(), ref.events); err != nil {
		t.Fatal(err)
	}
	want := dump(t, rix.db)

	c := newChain(t, newFakeLedger())
	c.story()
	c.ledger.noGetTokens = true
	ix := newIndexer(t, storetest.SQLite(t), c.ledger, Options{})
	ix.caps.recheck = 1 // every fallback asks again
	// Event by event, as a live stream applies them; the chaincode
	// changes after every third event that names tokens.
	var tokenEvents, upgradedAt, downgradedAt int
	for i := range c.events {
		if len(namedTokens(t, &chain{events: c.events[i : i+1]})) == 0 {
			if _, err := ix.apply(t.Context(), c.events[i:i+1]); err != nil {
				t.Fatal(err)
			}
			continue
		}
		tokenEvents++
		switch tokenEvents {
		case 3: // upgraded
			if len(c.ledger.batches) != 0 {
				t.Fatalf("GetTokens asked of a chaincode without it: %v", c.ledger.batches)
			}
			c.ledger.noGetTokens, upgradedAt = false, c.ledger.metadataCalls
		case 6: // downgraded
			if len(c.ledger.batches) != 3 || c.ledger.metadataCalls != upgradedAt+1 {
				t.Fatalf("after the upgrade: GetTokens calls %v, GetMetadata calls %d", c.ledger.batches, c.ledger.metadataCalls)
			}
			c.ledger.noGetTokens, downgradedAt = true, c.ledger.metadataCalls
		}
		if _, err := ix.apply(t.Context(), c.events[i:i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if tokenEvents < 7 || len(c.ledger.batches) != 3 || c.ledger.metadataCalls < downgradedAt+1 {
		t.Fatalf("%d token events; GetTokens calls %v; GetMetadata calls %d, %d before the downgrade",
			tokenEvents, c.ledger.batches, c.ledger.metadataCalls, downgradedAt)
	}
	if got := dump(t, ix.db); got != want {
		t.Fatalf("read model across upgrade and downgrade:\n%s\nfrom one chaincode:\n%s", got, want)
	}
}

// A GetTokens failure without a code, from a chaincode whose metadata
// still lists GetTokens, is that failure: the batch stops, nothing is
// written, and the indexer does not fall back to GetToken.
func TestUntypedGetTokensFailureIsNotAFallback(t *testing.T) {
	c := newChain(t, newFakeLedger())
	c.story()
	boom := &fabricclient.ChaincodeError{Op: "evaluate GetTokens", Message: "peer busy"}
	c.ledger.getTokensFail = boom
	ix := newIndexer(t, storetest.SQLite(t), c.ledger, Options{})
	empty := dump(t, ix.db)
	if _, err := ix.apply(t.Context(), c.events); !errors.Is(err, boom) {
		t.Fatalf("apply: %v, want the GetTokens failure", err)
	}
	if got := dump(t, ix.db); got != empty {
		t.Fatalf("a failed batch wrote:\n%s", got)
	}
	if c.ledger.metadataCalls != 2 {
		t.Fatalf("GetMetadata calls %d, want 2 (first fetch, then after the failure)", c.ledger.metadataCalls)
	}
}

// A metadata answer the indexer cannot read stops the batch with
// ErrBadMetadata and writes nothing; once the chaincode answers well, the
// same batch applies.
func TestBadMetadataStopsTheBatch(t *testing.T) {
	for name, raw := range map[string][]byte{
		"garbage":   []byte("\x00\xff{"),
		"oversized": slices.Repeat([]byte(" "), maxMetadataBytes+1),
	} {
		t.Run(name, func(t *testing.T) {
			c := newChain(t, newFakeLedger())
			c.story()
			c.ledger.metadata = raw
			ix := newIndexer(t, storetest.SQLite(t), c.ledger, Options{})
			empty := dump(t, ix.db)
			if _, err := ix.apply(t.Context(), c.events); !errors.Is(err, ErrBadMetadata) {
				t.Fatalf("apply: %v, want ErrBadMetadata", err)
			}
			if got := dump(t, ix.db); got != empty {
				t.Fatalf("a batch without metadata wrote:\n%s", got)
			}
			c.ledger.mu.Lock()
			c.ledger.metadata = nil
			c.ledger.mu.Unlock()
			if _, err := ix.apply(t.Context(), c.events); err != nil {
				t.Fatal(err)
			}
		})
	}
}
