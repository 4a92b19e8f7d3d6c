package rules

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestRecordsReadThroughMarkers: every token and invoice the rules read go
// through loadToken and loadInvoice, which lay the spent and used markers
// over the record. A reader that decoded the record directly would see a
// spent token ACTIVE (and spend it again) or a used invoice CONFIRMED (and
// issue on it again); this test names any such read, for instance one a
// later change adds.
func TestRecordsReadThroughMarkers(t *testing.T) {
	direct := regexp.MustCompile(`(mustGet|getJSON)\[model\.(Token|Invoice)\]|GetState\((tokenKey|invoiceKey)\(`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if direct.MatchString(line) {
				t.Errorf("%s:%d reads a token or invoice record directly (use loadToken / loadInvoice): %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
}
