package demo

import (
	"testing"

	"github.com/tierchain/tierchain/services/invoice"
)

// Every run's suppliers get legal IDs that onboarding accepts (canonical,
// valid unified social credit codes), distinct across suppliers and runs.
func TestSupplierLegalIDs(t *testing.T) {
	seen := map[string]bool{}
	for _, suffix := range []string{"", "-s", "-b", "-c", "-e", "-f", "-p", "-load1", "-load10"} {
		for i := range 3 {
			id := SupplierLegalID(i, suffix)
			if c, err := invoice.CanonicalPartyID(id); err != nil || c != id {
				t.Errorf("SupplierLegalID(%d, %q) = %q: %q, %v", i, suffix, id, c, err)
			}
			if seen[id] {
				t.Errorf("SupplierLegalID(%d, %q) = %q repeats", i, suffix, id)
			}
			seen[id] = true
		}
	}
	if c, err := invoice.CanonicalPartyID(CoreLegalID); err != nil || c != CoreLegalID {
		t.Errorf("CoreLegalID %q: %q, %v", CoreLegalID, c, err)
	}
}
