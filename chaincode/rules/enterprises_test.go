package rules_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// TestEnterprises lists the registry whole and by role, page by page, as
// the regulator and as a supplier; a suspended enterprise stays listed
// with its status; a stranger, a suspended caller and a bad role are
// refused.
func TestEnterprises(t *testing.T) {
	w := rulestest.NewWorld()
	r := w.Rules
	ids := func(items []model.Enterprise) []string {
		var out []string
		for _, e := range items {
			out = append(out, e.ID)
		}
		return out
	}
	// every page of a list, pageSize at a time
	all := func(who *rulestest.Party, owner string, pageSize int) []model.Enterprise {
		t.Helper()
		var items []model.Enterprise
		req := &model.PageRequest{Owner: owner, PageSize: pageSize}
		for range 20 {
			p, err := r.Enterprises(w.As(who), req)
			if err != nil {
				t.Fatalf("Enterprises(%q): %v", owner, err)
			}
			if pageSize > 0 && len(p.Items) > pageSize {
				t.Fatalf("page of %d items, want ≤ %d", len(p.Items), pageSize)
			}
			items = append(items, p.Items...)
			if p.Bookmark == "" {
				return items
			}
			req.Bookmark = p.Bookmark
		}
		t.Fatal("no last page")
		return nil
	}

	want := []string{"bankA", "bankB", "core", "operator", "regulator", "supplier1", "supplier2", "supplier3"}
	for _, pageSize := range []int{0, 1, 3, 8} {
		if got := ids(all(w.Regulator, "", pageSize)); !slices.Equal(got, want) {
			t.Errorf("all, pages of %d: %v, want %v", pageSize, got, want)
		}
	}
	for role, want := range map[model.Role][]string{
		model.RoleSupplier:  {"supplier1", "supplier2", "supplier3"},
		model.RoleBank:      {"bankA", "bankB"},
		model.RoleCore:      {"core"},
		model.RoleRegulator: {"regulator"},
		model.RoleOperator:  {"operator"},
	} {
		for _, pageSize := range []int{0, 2} {
			got := all(w.S1, string(role), pageSize)
			if !slices.Equal(ids(got), want) {
				t.Errorf("%s, pages of %d: %v, want %v", role, pageSize, ids(got), want)
			}
			for _, e := range got {
				if e.Role != role || len(e.EncryptionKey) == 0 {
					t.Errorf("%s listed as %s with key %x", e.ID, e.Role, e.EncryptionKey)
				}
			}
		}
	}
	if reg := all(w.Core, string(model.RoleRegulator), 0); len(reg[0].AuditKey) == 0 {
		t.Error("the regulator is listed without its audit key")
	}

	must(r.SuspendEnterprise(w.As(w.Operator), w.S2.ID))
	got := all(w.BankA, string(model.RoleSupplier), 0)
	if len(got) != 3 || got[1].ID != w.S2.ID || got[1].Status != model.EnterpriseSuspended {
		t.Errorf("suppliers after suspending %s: %+v", w.S2.ID, got)
	}

	for _, tc := range []struct {
		name string
		who  rules.Identity
		req  model.PageRequest
		want *model.Error
	}{
		{"stranger", w.Stranger, model.PageRequest{}, model.ErrUnauthorized},
		{"suspended caller", w.S2.Identity, model.PageRequest{}, model.ErrUnauthorized},
		{"unknown role", w.S1.Identity, model.PageRequest{Owner: "auditor"}, model.ErrInvalidArgument},
		{"an enterprise ID", w.S1.Identity, model.PageRequest{Owner: w.S3.ID}, model.ErrInvalidArgument},
		{"role in upper case", w.S1.Identity, model.PageRequest{Owner: "CORE"}, model.ErrInvalidArgument},
		{"page too large", w.S1.Identity, model.PageRequest{PageSize: model.MaxPageSize + 1}, model.ErrInvalidArgument},
		{"negative page", w.S1.Identity, model.PageRequest{PageSize: -1}, model.ErrInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := tc.req
			if _, err := r.Enterprises(w.Begin(tc.who), &req); !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %s", err, tc.want.Code)
			}
		})
	}
}
