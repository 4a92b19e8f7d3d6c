package contract

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/hyperledger/fabric-contract-api-go/v2/contractapi"
	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// TestAdapter drives the contract through contractapi's context over a
// fake stub: JSON in and out, the caller from the client identity, the
// chaincode name from the signed proposal, one event, typed errors, and
// pagination with Fabric's trailing bookmark normalized away.
func TestAdapter(t *testing.T) {
	w := rulestest.NewWorld() // for its parties and keys
	mem := rulestest.NewMemory()
	c := &TierChainContract{rules: w.Rules}
	now := rulestest.Start

	req, _ := json.Marshal(w.RegistrationOf(w.Operator))
	out, err := c.RegisterEnterprise(context(mem, w.Admin, now), string(req))
	if err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	var e model.Enterprise
	if err := json.Unmarshal([]byte(out), &e); err != nil || e.ID != w.Operator.ID || e.RegisteredBy != "bootstrap" {
		t.Fatalf("bootstrap result %s (%v)", out, err)
	}
	if len(mem.Events) != 1 || mem.Events[0].Name != model.EventName {
		t.Fatalf("events %+v", mem.Events)
	}
	for i, p := range []*rulestest.Party{w.Core, w.S1, w.Regulator} {
		req, _ := json.Marshal(w.RegistrationOf(p))
		if _, err := c.RegisterEnterprise(context(mem, w.Operator.Identity, now.Add(time.Duration(i+1)*time.Second)), string(req)); err != nil {
			t.Fatalf("register %s: %v", p.ID, err)
		}
	}

	// Typed errors survive as "CODE: message".
	_, err = c.RegisterEnterprise(context(mem, w.S1.Identity, now.Add(time.Minute)), string(req))
	if pe := model.ParseError(errString(err)); pe == nil || pe.Code != model.CodeForbidden {
		t.Fatalf("supplier registering: %v", err)
	}
	_, err = c.Split(context(mem, w.S1.Identity, now.Add(time.Minute)), `{"inputs":["t1"],"bogus":1}`)
	if !errors.Is(err, model.ErrInvalidArgument) {
		t.Fatalf("malformed JSON: %v", err)
	}

	// Queries: Whoami, and a paged list whose last page has no bookmark
	// even though the "peer" returned one.
	out, err = c.Whoami(context(mem, w.Regulator.Identity, now.Add(time.Hour)))
	if err != nil || !strings.Contains(out, `"role":"regulator"`) {
		t.Fatalf("whoami: %s %v", out, err)
	}
	if _, err := c.GetPlatform(context(mem, w.S1.Identity, now.Add(time.Hour))); err != nil {
		t.Fatalf("platform: %v", err)
	}
	// Enterprises takes a role or an empty owner, which other lists refuse.
	for owner, want := range map[string]int{"": 4, "supplier": 1} {
		out, err = c.Enterprises(context(mem, w.Regulator.Identity, now.Add(time.Hour)), `{"owner":"`+owner+`"}`)
		var page model.Page[model.Enterprise]
		if err != nil || json.Unmarshal([]byte(out), &page) != nil || len(page.Items) != want || page.Bookmark != "" {
			t.Fatalf("Enterprises(%q): %s %v", owner, out, err)
		}
	}
	if _, err := c.Enterprises(context(mem, w.S1.Identity, now.Add(time.Hour)), `{"owner":"supplier1"}`); !errors.Is(err, model.ErrInvalidArgument) {
		t.Fatalf("Enterprises by an ID: %v", err)
	}
	if _, err := c.TokensByHolder(context(mem, w.S1.Identity, now.Add(time.Hour)), `{"owner":""}`); !errors.Is(err, model.ErrInvalidArgument) {
		t.Fatalf("TokensByHolder without an owner: %v", err)
	}
	// The state adapter lists; call it directly for an index with entries.
	st := newState(context(mem, w.S1.Identity, now.Add(time.Hour)))
	kvs, next, err := st.GetStateByPartialCompositeKeyWithPagination("tc.enterprise", nil, 3, "")
	if err != nil || len(kvs) != 3 || next == "" {
		t.Fatalf("first page: %d entries, bookmark %q, %v", len(kvs), next, err)
	}
	kvs, next, err = st.GetStateByPartialCompositeKeyWithPagination("tc.enterprise", nil, 3, next)
	if err != nil || len(kvs) != 1 || next != "" {
		t.Fatalf("last page: %d entries, bookmark %q, %v", len(kvs), next, err)
	}
	if name, err := st.ChaincodeName(); err != nil || name != "tierchain" {
		t.Fatalf("chaincode name %q, %v", name, err)
	}
}

func TestBaselineOverState(t *testing.T) {
	mem := rulestest.NewMemory()
	b := new(BaselineContract)
	id := rulestest.NewIdentity("CoreMSP", "u", "client")
	at := func(i int) *contractapi.TransactionContext {
		return context(mem, id, rulestest.Start.Add(time.Duration(i)*time.Second))
	}
	if err := b.Mint(at(1), "alice", 10); err != nil {
		t.Fatal(err)
	}
	if err := b.Transfer(at(2), "alice", "bob", 4); err != nil {
		t.Fatal(err)
	}
	if err := b.Transfer(at(3), "alice", "bob", 7); err == nil {
		t.Fatal("overdraft accepted")
	}
	if v, err := b.Balance(at(4), "bob"); err != nil || v != 4 {
		t.Fatalf("bob has %d (%v)", v, err)
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
