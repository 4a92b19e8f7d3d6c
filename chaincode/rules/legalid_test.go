package rules_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// newSupplierRequest is the registration of a fresh supplier (its own
// certificate and encryption key) with the given legal ID.
func newSupplierRequest(w *rulestest.World, id, legalID string) *model.RegisterEnterpriseRequest {
	req := w.RegistrationOf(w.S3)
	req.ID, req.Name, req.LegalID = id, id+" Ltd", legalID
	req.Certificate = rulestest.NewIdentity(w.S3.Identity.MSPID, id, "client").Cert
	return req
}

func TestEnterpriseLegalID(t *testing.T) {
	w := rulestest.NewWorld()
	e, err := w.Rules.RegisterEnterprise(w.As(w.Operator), newSupplierRequest(w, "supplier4", "0192:915600123"))
	if err != nil {
		t.Fatal(err)
	}
	if e.LegalID != "0192:915600123" {
		t.Fatalf("registered legal ID %q", e.LegalID)
	}
	got, err := w.Rules.GetEnterprise(w.As(w.BankB), "supplier4")
	if err != nil || got.LegalID != "0192:915600123" {
		t.Fatalf("bank reads legal ID %q, %v", got.LegalID, err)
	}

	t.Run("duplicate legal ID refused", func(t *testing.T) {
		err := expectRefused(t, w.State, model.ErrConflict, func() (*model.Enterprise, error) {
			return w.Rules.RegisterEnterprise(w.As(w.Operator), newSupplierRequest(w, "supplier5", "0192:915600123"))
		})
		if strings.Contains(err.Error(), "supplier4") || strings.Contains(err.Error(), "915600123") {
			t.Errorf("conflict %q names the legal ID or its holder", err)
		}
	})
	for _, tc := range []struct{ name, legalID string }{
		{"space", "0192:915 600123"},
		{"control character", "0192:915600123\n"},
		{"non-ASCII", "0192:91560012３"},
		{"too long", "0192:" + strings.Repeat("9", model.MaxLegalIDLength)},
	} {
		t.Run("invalid legal ID: "+tc.name, func(t *testing.T) {
			expectRefused(t, w.State, model.ErrInvalidArgument, func() (*model.Enterprise, error) {
				return w.Rules.RegisterEnterprise(w.As(w.Operator), newSupplierRequest(w, "supplier6", tc.legalID))
			})
		})
	}
	t.Run("without a legal ID, as clients from before", func(t *testing.T) {
		// Several enterprises without one do not collide on the index.
		for _, id := range []string{"supplier7", "supplier8"} {
			e, err := w.Rules.RegisterEnterprise(w.As(w.Operator), newSupplierRequest(w, id, ""))
			if err != nil || e.LegalID != "" {
				t.Fatalf("register %s: %+v, %v", id, e, err)
			}
		}
	})
	t.Run("record from before reads", func(t *testing.T) {
		// An enterprise written before the legal ID was kept has no
		// "legalId" member; it reads with an empty one and stays so.
		old := `{"id":"old1","name":"Old Ltd","role":"supplier","mspId":"Supplier3MSP","certHash":"00","encryptionKey":null,"status":"ACTIVE","registeredBy":"operator","registeredAt":"2025-01-01T00:00:00Z","updatedAt":"2025-01-01T00:00:00Z"}`
		st := w.As(w.Operator)
		if err := st.PutState(rules.CompositeKey("tc.enterprise", "old1"), []byte(old)); err != nil {
			t.Fatal(err)
		}
		got, err := w.Rules.GetEnterprise(w.As(w.BankB), "old1")
		if err != nil || got.LegalID != "" || got.Name != "Old Ltd" {
			t.Fatalf("old record: %+v, %v", got, err)
		}
		b, _ := json.Marshal(got)
		if strings.Contains(string(b), "legalId") {
			t.Errorf("old record gains a legalId member: %s", b)
		}
	})
}
