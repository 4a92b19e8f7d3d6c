package wallet_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/wallet"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// scenario is the rules' fixture (the core issued RootAmount to S1 against
// BankA's line) with a wallet holding every party's key.
func scenario(t *testing.T, db *store.DB) (*harness, *rulestest.Scenario) {
	t.Helper()
	s := rulestest.NewScenario()
	return newHarness(t, db, s.World), s
}

func TestWrongMasterKey(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := newHarness(t, db, rulestest.NewWorld())
		cfg := wallet.Config{Context: h.Ctx()}
		if _, err := wallet.New(ctx, db, testMaster(8), cfg); !errors.Is(err, wallet.ErrWrongMasterKey) {
			t.Errorf("another master key: %v", err)
		}
		if _, err := wallet.New(ctx, db, testMaster(7)[:16], cfg); !errors.Is(err, wallet.ErrInvalidArgument) {
			t.Errorf("short master key: %v", err)
		}
		if _, err := wallet.New(ctx, db, testMaster(7), wallet.Config{}); !errors.Is(err, wallet.ErrInvalidArgument) {
			t.Errorf("no channel: %v", err)
		}
		again := h.open(t, h.master)
		pub, err := again.PublicKey(ctx, h.S1.ID)
		if err != nil || !bytes.Equal(pub.Bytes(), h.S1.Key.Public().Bytes()) {
			t.Errorf("reopened wallet lost S1's key: %v", err)
		}
	})
}

func TestKeys(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, storetest.SQLite(t), rulestest.NewWorld())
	if err := h.wallet.ImportKey(ctx, h.S1.ID, h.S1.Key); err != nil {
		t.Errorf("importing the same key again: %v", err)
	}
	other, _ := envelope.GenerateKey(nil)
	if err := h.wallet.ImportKey(ctx, h.S1.ID, other); !errors.Is(err, wallet.ErrKeyExists) || !errors.Is(err, model.ErrConflict) {
		t.Errorf("another key for S1: %v", err)
	}
	if _, err := h.wallet.GenerateKey(ctx, h.S1.ID); !errors.Is(err, wallet.ErrKeyExists) {
		t.Errorf("generating over S1's key: %v", err)
	}
	if _, err := h.wallet.PublicKey(ctx, "nobody"); !errors.Is(err, wallet.ErrNoKey) {
		t.Errorf("key of an unknown enterprise: %v", err)
	}
	if _, err := h.wallet.PublicKey(ctx, "not an id!"); !errors.Is(err, wallet.ErrInvalidArgument) {
		t.Errorf("malformed enterprise ID: %v", err)
	}
	// A wallet key the ledger does not know for the enterprise: Sync
	// refuses before reading anything.
	pub, err := h.wallet.GenerateKey(ctx, h.Regulator.ID)
	if err != nil || pub == nil {
		t.Fatal(err)
	}
	if _, err := h.wallet.Sync(ctx, h.Regulator.ID, h.ledger(h.Regulator)); !errors.Is(err, wallet.ErrKeyMismatch) {
		t.Errorf("sync with a key the ledger does not have: %v", err)
	}
	ids, err := h.wallet.Enterprises(ctx)
	if err != nil || len(ids) != 7 {
		t.Errorf("enterprises %v, %v", ids, err)
	}
}

// An error a wallet call returns names its record after the sentinel's
// message, is a *wallet.Error of that sentinel's code, and matches that
// sentinel only.
func TestErrorDetail(t *testing.T) {
	ctx := context.Background()
	h := newHarness(t, storetest.SQLite(t), rulestest.NewWorld())
	other, _ := envelope.GenerateKey(nil)
	err := h.wallet.ImportKey(ctx, h.S1.ID, other)
	var we *wallet.Error
	if !errors.As(err, &we) || we.Code() != model.CodeConflict {
		t.Fatalf("another key for S1: %v", err)
	}
	if want := "wallet: the enterprise already has a key: " + h.S1.ID; we.Error() != want {
		t.Errorf("message %q, want %q", we.Error(), want)
	}
	if !errors.Is(err, wallet.ErrKeyExists) || errors.Is(err, wallet.ErrNoKey) || errors.Is(err, model.ErrNotFound) {
		t.Errorf("errors.Is of %v", err)
	}
}

// An envelope that does not open (tampered) or opens to another value than
// the ledger's commitment is refused, reported and not stored.
func TestRefusedEnvelopes(t *testing.T) {
	cases := map[string]func(h *harness, tok *model.Token){
		"flipped byte": func(_ *harness, tok *model.Token) { tok.HolderEnvelope[40] ^= 1 },
		"wrong opening": func(h *harness, tok *model.Token) {
			c := must(pedersen.DecodeCommitment(tok.Commitment))
			tok.HolderEnvelope = must(envelope.Seal(h.S1.Key.Public(), rulestest.Opening(rulestest.RootAmount+1),
				protocol.OutputBinding(c, protocol.PurposeHolder), nil))
		},
		"bound to another purpose": func(h *harness, tok *model.Token) {
			c := must(pedersen.DecodeCommitment(tok.Commitment))
			tok.HolderEnvelope = must(envelope.Seal(h.S1.Key.Public(), h.openingOf(tok),
				protocol.OutputBinding(c, protocol.PurposeBuyer), nil))
		},
	}
	for name, tamper := range cases {
		t.Run(name, func(t *testing.T) {
			storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				h, s := scenario(t, db)
				h.scenarioRoot = s.RootOpening
				rewrite(t, h.State, tokenKey(s.Root), func(tok *model.Token) { tamper(h, tok) })
				rep, err := h.wallet.Sync(ctx, h.S1.ID, h.ledger(h.S1))
				if err != nil {
					t.Fatal(err)
				}
				if len(rep.Refused) != 1 || rep.Refused[0].ID != s.Root || !errors.Is(rep.Refused[0].Err, wallet.ErrCommitmentMismatch) || rep.Opened != 0 {
					t.Fatalf("report: %+v", rep)
				}
				if hs, err := h.wallet.Holdings(ctx, h.S1.ID); err != nil || len(hs) != 0 {
					t.Errorf("holdings after a refusal: %v, %v", hs, err)
				}
				if _, err := h.wallet.TokenOpening(ctx, h.S1.ID, s.Root); !errors.Is(err, wallet.ErrNotFound) {
					t.Errorf("opening of a refused token: %v", err)
				}
			})
		})
	}
}

// openingOf is the scenario root's true opening.
func (h *harness) openingOf(*model.Token) pedersen.Opening { return h.scenarioRoot }

// A credit line whose outstanding is not the sum of the core's roots is
// refused, by OutstandingOpening and by BuildIssue.
func TestOutstandingMismatch(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h, s := scenario(t, db)
		o, line, err := h.wallet.OutstandingOpening(ctx, h.Core.ID, h.BankA.ID, rulestest.Currency, h.ledger(h.Core))
		if err != nil || o.Value != rulestest.RootAmount || line.Limit != rulestest.LimitA {
			t.Fatalf("outstanding before tampering: %v", err)
		}
		rewrite(t, h.State, rules.CompositeKey("tc.creditline", h.Core.ID, h.BankA.ID, rulestest.Currency), func(cl *model.CreditLine) {
			e := must(group.NewIdentity().SetCanonicalBytes(cl.Outstanding))
			cl.Outstanding = group.NewIdentity().Add(e, pedersen.G()).Bytes()
		})
		if _, _, err := h.wallet.OutstandingOpening(ctx, h.Core.ID, h.BankA.ID, rulestest.Currency, h.ledger(h.Core)); !errors.Is(err, wallet.ErrCommitmentMismatch) {
			t.Errorf("tampered outstanding: %v", err)
		}
		_, err = h.wallet.BuildIssue(ctx, h.ledger(h.Core), h.issueSpec(t, s, rulestest.SpareAmount))
		if !errors.Is(err, wallet.ErrCommitmentMismatch) {
			t.Errorf("issue over a tampered outstanding: %v", err)
		}
	})
}

// issueSpec issues v from the scenario's spare invoice to S1 against BankA.
func (h *harness) issueSpec(t *testing.T, s *rulestest.Scenario, v uint64) wallet.IssueSpec {
	t.Helper()
	ctx := context.Background()
	dir := h.directory(h.Core)
	return wallet.IssueSpec{Core: h.Core.ID, Bank: h.BankA.ID, Currency: rulestest.Currency, Invoices: []string{s.Invoices[2].ID}, Amount: v,
		Holder: must(dir.Recipient(ctx, h.S1.ID)), Auditor: must(dir.Auditor(ctx)), Maturity: rulestest.Maturity}
}

// Amounts over what tokens, invoices or the credit line hold are refused
// before any proof is made.
func TestAmountOverValue(t *testing.T) {
	ctx := context.Background()
	h, s := scenario(t, storetest.SQLite(t))
	h.sync(t, h.S1)
	aud := must(h.directory(h.S1).Auditor(ctx))
	for name, outs := range map[string][]wallet.Payment{
		"one output":  {h.pay(t, h.S2, rulestest.RootAmount+1)},
		"two outputs": {h.pay(t, h.S2, 600), h.pay(t, h.S3, 401)},
		"overflow":    {h.pay(t, h.S2, 1<<63), h.pay(t, h.S3, 1<<63)},
	} {
		_, err := h.wallet.BuildSpend(ctx, h.ledger(h.S1), wallet.SpendSpec{Holder: h.S1.ID, Inputs: []string{s.Root}, Outputs: outs, Auditor: aud})
		if !errors.Is(err, wallet.ErrInsufficientValue) || !errors.Is(err, model.ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := h.wallet.SelectTokens(ctx, h.S1.ID, "", rulestest.RootAmount+1); !errors.Is(err, wallet.ErrInsufficientValue) {
		t.Errorf("selection over the holdings: %v", err)
	}
	for name, spec := range map[string]wallet.SpendSpec{
		"no outputs":   {Holder: h.S1.ID, Inputs: []string{s.Root}, Auditor: aud},
		"zero output":  {Holder: h.S1.ID, Inputs: []string{s.Root}, Outputs: []wallet.Payment{h.pay(t, h.S2, 0)}, Auditor: aud},
		"merge twice":  {Holder: h.S1.ID, Inputs: []string{s.Root, s.Root}, Outputs: []wallet.Payment{h.pay(t, h.S2, 1)}, Auditor: aud},
		"no recipient": {Holder: h.S1.ID, Inputs: []string{s.Root}, Outputs: []wallet.Payment{{Amount: 1}}, Auditor: aud},
	} {
		if _, err := h.wallet.BuildSpend(ctx, h.ledger(h.S1), spec); !errors.Is(err, model.ErrInvalidArgument) {
			t.Errorf("%s: %v", name, err)
		}
	}

	h.sync(t, h.Core)
	if _, err := h.wallet.BuildIssue(ctx, h.ledger(h.Core), h.issueSpec(t, s, rulestest.SpareAmount+1)); !errors.Is(err, wallet.ErrInsufficientValue) {
		t.Errorf("issue over the invoice total: %v", err)
	}
	spec := h.issueSpec(t, s, rulestest.LimitB+1)
	spec.Bank = h.BankB.ID
	if _, err := h.wallet.BuildIssue(ctx, h.ledger(h.Core), spec); !errors.Is(err, wallet.ErrInsufficientValue) {
		t.Errorf("issue over BankB's line: %v", err)
	}
	// The invoices are CNY: an issue in USD, or a legacy one, mixes
	// currencies and is refused before any proof.
	for _, c := range []string{"USD", ""} {
		other := h.issueSpec(t, s, 10)
		other.Currency = c
		if _, err := h.wallet.BuildIssue(ctx, h.ledger(h.Core), other); !errors.Is(err, wallet.ErrCurrencyMismatch) || !errors.Is(err, model.ErrCurrencyMismatch) {
			t.Errorf("issue in %q of CNY invoices: %v", c, err)
		}
	}
	used := h.issueSpec(t, s, 10)
	used.Invoices = []string{s.Invoices[0].ID}
	if _, err := h.wallet.BuildIssue(ctx, h.ledger(h.Core), used); !errors.Is(err, wallet.ErrNotSpendable) {
		t.Errorf("issue from a used invoice: %v", err)
	}
	// Within the bounds it builds, and the chaincode accepts it.
	req, err := h.wallet.BuildIssue(ctx, h.ledger(h.Core), spec0(spec, rulestest.LimitB))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Rules.Issue(h.As(h.Core), req); err != nil {
		t.Fatalf("issue of BankB's whole line: %v", err)
	}
}

func spec0(s wallet.IssueSpec, v uint64) wallet.IssueSpec { s.Amount = v; return s }

// Holdings and issued roots carry their token's currency from the ledger.
func TestHoldingsCurrency(t *testing.T) {
	ctx := context.Background()
	h, s := scenario(t, storetest.SQLite(t))
	h.sync(t, h.S1)
	h.sync(t, h.Core)
	held := must(h.wallet.Holdings(ctx, h.S1.ID))
	issued := must(h.wallet.Issued(ctx, h.Core.ID))
	if len(held) != 1 || held[0].TokenID != s.Root || held[0].Currency != rulestest.Currency ||
		len(issued) != 1 || issued[0].Currency != rulestest.Currency {
		t.Fatalf("holdings %+v, issued %+v: want the root in %s", held, issued, rulestest.Currency)
	}
	// The outstanding is per currency: BankA's USD line (none) is not
	// its CNY one.
	if _, _, err := h.wallet.OutstandingOpening(ctx, h.Core.ID, h.BankA.ID, "USD", h.ledger(h.Core)); !errors.Is(err, model.ErrNotFound) {
		t.Fatalf("outstanding of a USD line that does not exist: %v", err)
	}
}

// Spent, handed-on and unknown tokens are not spendable.
func TestNotSpendable(t *testing.T) {
	ctx := context.Background()
	h, s := scenario(t, storetest.SQLite(t))
	h.sync(t, h.S1)
	h.spend(t, h.S1, []string{s.Root}, h.pay(t, h.S2, 100))
	aud := must(h.directory(h.S1).Auditor(ctx))
	_, err := h.wallet.BuildSpend(ctx, h.ledger(h.S1), wallet.SpendSpec{Holder: h.S1.ID, Inputs: []string{s.Root},
		Outputs: []wallet.Payment{h.pay(t, h.S2, 1)}, Auditor: aud})
	if !errors.Is(err, wallet.ErrNotSpendable) {
		t.Errorf("spending a spent token: %v", err)
	}
	bank := must(h.directory(h.S1).Recipient(ctx, h.BankA.ID))
	if _, err := h.wallet.BuildFinance(ctx, h.ledger(h.S1), h.S1.ID, "tnosuchtoken", bank); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("financing an unknown token: %v", err)
	}
	if _, err := h.wallet.BuildFinance(ctx, h.ledger(h.S2), h.S2.ID, s.Root, bank); !errors.Is(err, wallet.ErrNotFound) {
		t.Errorf("financing another's token: %v", err)
	}
}

// A stored record altered in the database (a flipped byte, or a ciphertext
// moved to another row) is ErrCorrupt, never a wrong value.
func TestStoredRecordsTampered(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h, s := scenario(t, db)
		h.sync(t, h.S1)
		h.sync(t, h.Core)
		exec := func(q string, args ...any) {
			t.Helper()
			if _, err := db.SQL.ExecContext(ctx, db.Rebind(q), args...); err != nil {
				t.Fatal(err)
			}
		}
		// The core's root and S1's token share the commitment: move the
		// core's ciphertext onto S1's row.
		var coreSealed []byte
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT sealed_opening FROM wallet_openings WHERE enterprise_id = ? AND id = ?`), h.Core.ID, s.Root).Scan(&coreSealed); err != nil {
			t.Fatal(err)
		}
		exec(`UPDATE wallet_openings SET sealed_opening = ? WHERE enterprise_id = ? AND id = ?`, coreSealed, h.S1.ID, s.Root)
		if _, err := h.wallet.Holdings(ctx, h.S1.ID); !errors.Is(err, wallet.ErrCorrupt) {
			t.Errorf("moved ciphertext: %v", err)
		}
		coreSealed[len(coreSealed)-1] ^= 1
		exec(`UPDATE wallet_openings SET sealed_opening = ? WHERE enterprise_id = ? AND id = ?`, coreSealed, h.Core.ID, s.Root)
		if _, err := h.wallet.TokenOpening(ctx, h.Core.ID, s.Root); !errors.Is(err, wallet.ErrCorrupt) {
			t.Errorf("flipped byte: %v", err)
		}
		var key []byte
		if err := db.SQL.QueryRowContext(ctx, db.Rebind(`SELECT sealed_private_key FROM wallet_keys WHERE enterprise_id = ?`), h.S2.ID).Scan(&key); err != nil {
			t.Fatal(err)
		}
		exec(`UPDATE wallet_keys SET sealed_private_key = ? WHERE enterprise_id = ?`, key, h.S3.ID)
		if _, err := h.wallet.Sync(ctx, h.S3.ID, h.ledger(h.S3)); !errors.Is(err, wallet.ErrCorrupt) {
			t.Errorf("another enterprise's key: %v", err)
		}
		// A fresh Sync after the tampering brings nothing wrong back: the
		// corrupt row keeps its commitment, so it is not re-opened; dropping
		// it rebuilds it.
		exec(`DELETE FROM wallet_openings WHERE enterprise_id = ?`, h.S1.ID)
		h.sync(t, h.S1)
		if o, err := h.wallet.TokenOpening(ctx, h.S1.ID, s.Root); err != nil || o.Value != rulestest.RootAmount {
			t.Errorf("rebuilt opening: %v", err)
		}
	})
}

// Amounts and openings stay out of strings, logs and errors.
func TestRedaction(t *testing.T) {
	const secret = 987654321
	o := rulestest.Opening(secret)
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	values := []any{
		wallet.Holding{TokenID: "t1", Root: "t1", Value: secret, Status: model.TokenActive},
		wallet.OwedInvoice{ID: "ab", Value: secret},
		wallet.Payment{To: protocol.Recipient{ID: "supplier2"}, Amount: secret},
		wallet.InvoiceSpec{Supplier: "s", Amount: secret},
		wallet.IssueSpec{Core: "c", Amount: secret},
		o,
	}
	for _, v := range values {
		log.Info("x", "v", v)
		for _, s := range []string{fmt.Sprint(v), fmt.Sprintf("%v %+v %#v", v, v, v), logs.String()} {
			if strings.Contains(s, "987654321") || strings.Contains(s, fmt.Sprintf("%x", o.Blinding.Bytes())) {
				t.Errorf("%T leaks its amount: %s", v, s)
			}
		}
	}
	for _, err := range []error{wallet.ErrInsufficientValue, wallet.ErrCommitmentMismatch} {
		if strings.ContainsAny(err.Error(), "0123456789") {
			t.Errorf("error with digits: %v", err)
		}
	}
}
