package audit_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/services/audit"
)

var update = flag.Bool("update", false, "rewrite testdata/tokens.golden.csv")

// TestTokensCSV compares the token export of the fixture ledger with the
// golden file (go test -run TestTokensCSV -update rewrites it). Token IDs
// derive from the fixture's transaction IDs and its clock is fixed, so the
// file is stable; commitments and envelopes, which are random, are not
// exported.
func TestTokensCSV(t *testing.T) {
	w := world(t)
	snap := must(w.service(t, w.ledger()).Snapshot(context.Background()))
	var buf bytes.Buffer
	if err := snap.WriteTokensCSV(&buf, reportTime); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "tokens.golden.csv")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("CSV differs from %s (rerun with -update if the change is intended):\n%s", golden, buf.String())
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(snap.Tokens) || strings.Join(rows[0], ",") != strings.Join(audit.TokenCSVHeader, ",") {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
}
