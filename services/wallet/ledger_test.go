package wallet_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/wallet"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// fakeLedger answers Evaluate by running the chaincode's query rules on
// the world's state as one party, the way a peer would for that party's
// gateway identity. Queries run on an overlay, so they change nothing.
type fakeLedger struct {
	world *rulestest.World
	as    *rulestest.Party
	calls int
}

func (f *fakeLedger) Evaluate(_ context.Context, contract, fn string, args ...string) ([]byte, error) {
	f.calls++
	if contract != wallet.DefaultContract {
		return nil, fmt.Errorf("contract %q not found", contract)
	}
	st := f.world.State.Overlay()
	st.Submitter, st.Now = f.as.Identity, f.world.Now
	r := f.world.Rules
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	page := func() *model.PageRequest {
		var p model.PageRequest
		if err := json.Unmarshal([]byte(arg(0)), &p); err != nil {
			return &model.PageRequest{Owner: "\x00"} // fails validation like the chaincode's decoder
		}
		return &p
	}
	var res any
	var err error
	switch fn {
	case "GetEnterprise":
		res, err = r.GetEnterprise(st, arg(0))
	case "Enterprises":
		res, err = r.Enterprises(st, page())
	case "GetPlatform":
		res, err = r.GetPlatform(st)
	case "GetInvoice":
		res, err = r.GetInvoice(st, arg(0))
	case "InvoicesByBuyer":
		res, err = r.InvoicesByBuyer(st, page())
	case "GetCreditLine":
		res, err = r.GetCreditLine(st, arg(0), arg(1), arg(2))
	case "GetToken":
		res, err = r.GetToken(st, arg(0))
	case "TokensByHolder":
		res, err = r.TokensByHolder(st, page())
	case "TokensByIssuer":
		res, err = r.TokensByIssuer(st, page())
	case "FinancingRequests":
		res, err = r.FinancingRequests(st, page())
	case "GetFinancingPolicy":
		res, err = r.FinancingPolicy(st)
	case "GetRFQ":
		res, err = r.GetRFQ(st, arg(0))
	case "GetQuote":
		res, err = r.GetQuote(st, arg(0))
	default:
		return nil, fmt.Errorf("function %q not found", fn)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(res)
}

// harness is a fixture world and one wallet (one database) holding the
// keys of every party that receives envelopes.
type harness struct {
	*rulestest.World
	db     *store.DB
	wallet *wallet.Wallet
	master []byte

	scenarioRoot pedersen.Opening // the scenario root's opening (tampering tests)
}

func testMaster(b byte) []byte {
	k := make([]byte, wallet.MasterKeySize)
	for i := range k {
		k[i] = b
	}
	return k
}

func newHarness(t testing.TB, db *store.DB, w *rulestest.World) *harness {
	t.Helper()
	h := &harness{World: w, db: db, master: testMaster(7)}
	h.wallet = h.open(t, h.master)
	for _, p := range []*rulestest.Party{w.Core, w.S1, w.S2, w.S3, w.BankA, w.BankB} {
		if err := h.wallet.ImportKey(context.Background(), p.ID, p.Key); err != nil {
			t.Fatalf("import key of %s: %v", p.ID, err)
		}
	}
	return h
}

func (h *harness) open(t testing.TB, master []byte) *wallet.Wallet {
	t.Helper()
	w, err := wallet.New(context.Background(), h.db, master, wallet.Config{
		Context: h.Ctx(), PageSize: 2, Now: func() time.Time { return h.Now },
	})
	if err != nil {
		t.Fatalf("wallet.New: %v", err)
	}
	return w
}

func (h *harness) ledger(p *rulestest.Party) *fakeLedger { return &fakeLedger{world: h.World, as: p} }

func (h *harness) sync(t testing.TB, p *rulestest.Party) *wallet.SyncReport {
	t.Helper()
	rep, err := h.wallet.Sync(context.Background(), p.ID, h.ledger(p))
	if err != nil {
		t.Fatalf("sync %s: %v", p.ID, err)
	}
	if len(rep.Refused) != 0 {
		t.Fatalf("sync %s refused %v", p.ID, rep.Refused)
	}
	return rep
}

func (h *harness) directory(p *rulestest.Party) wallet.Directory {
	return wallet.Directory{Ledger: h.ledger(p)}
}

// values returns the values of p's holdings.
func (h *harness) values(t *testing.T, p *rulestest.Party) []uint64 {
	t.Helper()
	hs, err := h.wallet.Holdings(context.Background(), p.ID)
	if err != nil {
		t.Fatalf("holdings of %s: %v", p.ID, err)
	}
	var vs []uint64
	for _, x := range hs {
		vs = append(vs, x.Value)
	}
	slices.Sort(vs)
	return vs
}

// tokenKey is the chaincode's state key of a token.
func tokenKey(id string) string { return rules.CompositeKey("tc.token", id) }

// rewrite changes a stored ledger record in place (tampering tests).
func rewrite[T any](t *testing.T, st *rulestest.Memory, key string, change func(*T)) {
	t.Helper()
	raw := st.Snapshot()[key] // GetState refuses keys the last transaction wrote
	if raw == nil {
		t.Fatalf("no state at %q", key)
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	change(&v)
	raw, err := json.Marshal(&v)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.PutState(key, raw); err != nil {
		t.Fatal(err)
	}
}
