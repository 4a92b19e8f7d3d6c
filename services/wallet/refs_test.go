package wallet_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/wallet"
	"github.com/tierchain/tierchain/zk/oprf"
	"github.com/tierchain/tierchain/zk/pedersen"
)

func mustCommit(t *testing.T, b []byte) *pedersen.Commitment {
	t.Helper()
	return must(pedersen.DecodeCommitment(b))
}

// oprfNumbers is the platform's fingerprint of (seller, buyer, number)
// through a verifiable OPRF with a key held in the test (LocalEvaluator),
// as the gateway wires it; evaluations counts the OPRF evaluations.
type oprfNumbers struct {
	f           invoice.Fingerprinter
	evaluations *int
}

func newOPRFNumbers(t *testing.T) oprfNumbers {
	k := must(oprf.GenerateServerKey(nil))
	return oprfNumbers{invoice.NewOPRFFingerprinter(k.Public(), invoice.LocalEvaluator{Server: oprf.NewServer(k)}), new(int)}
}

func (o oprfNumbers) NumberFingerprints(ctx context.Context, seller, buyer, number string, yield func([]byte) bool) error {
	for _, k := range invoice.KeysFor(seller, buyer, number) {
		*o.evaluations++
		fp, err := o.f.Fingerprint(ctx, k.Input())
		if err != nil {
			return err
		}
		if !yield(fp) {
			return nil
		}
	}
	return nil
}

// all is every canonical key's fingerprint of a number, the main first.
func (o oprfNumbers) all(t *testing.T, seller, buyer, number string) [][]byte {
	t.Helper()
	var out [][]byte
	if err := o.NumberFingerprints(context.Background(), seller, buyer, number, func(fp []byte) bool { out = append(out, fp); return true }); err != nil {
		t.Fatal(err)
	}
	return out
}

var legalIDs = map[string]string{"core": "LEI:5493001KJTIIGC8Y1R12", "supplier1": "LEI:5493001KJTIIGC8Y1R13"}

// registerNumbered has S1 register an invoice of v to the core under the
// OPRF fingerprints of its number (its aliases too), with its filing
// sealed to the core as the gateway files it, and the core confirm it.
func (h *harness) registerNumbered(t *testing.T, f oprfNumbers, number string, v uint64) string {
	t.Helper()
	ctx := context.Background()
	fps := f.all(t, legalIDs[h.S1.ID], legalIDs[h.Core.ID], number)
	core := must(h.directory(h.S1).Recipient(ctx, h.Core.ID))
	doc := sha256.Sum256([]byte(number))
	filing := must(invoice.SealFiling(core.Key, &invoice.Filing{Number: number, SellerID: legalIDs[h.S1.ID], BuyerID: legalIDs[h.Core.ID],
		DocumentSHA256: hex.EncodeToString(doc[:])}, fps[0], h.Core.ID, nil))
	return h.registerFingerprint(t, fps[0], fps[1:], filing, number, v)
}

// registerFingerprint has S1 register an invoice of v to the core under
// fp with aliases and filing (both optional), and the core confirm it.
func (h *harness) registerFingerprint(t *testing.T, fp []byte, aliases [][]byte, filing []byte, number string, v uint64) string {
	t.Helper()
	ctx := context.Background()
	dir := h.directory(h.S1)
	doc := sha256.Sum256([]byte(number))
	req := must(h.wallet.BuildInvoice(ctx, wallet.InvoiceSpec{
		Supplier: h.S1.ID, Buyer: must(dir.Recipient(ctx, h.Core.ID)), Currency: rulestest.Currency, Auditor: must(dir.Auditor(ctx)),
		Amount: v, Fingerprint: fp, Aliases: aliases, FilingEnvelope: filing, DocumentHash: doc[:], DueDate: rulestest.Maturity,
	}))
	inv := must(h.Rules.RegisterInvoice(h.As(h.S1), req))
	must(h.Rules.ConfirmInvoice(h.As(h.Core), &model.InvoiceActionRequest{Invoice: inv.ID, Fingerprint: inv.Fingerprint}))
	return inv.ID
}

// newRefsHarness is a harness whose supplier S1 and core carry legal IDs
// on the ledger, with an OPRF for invoice numbers.
func newRefsHarness(t *testing.T, db *store.DB) (*harness, oprfNumbers) {
	h := newHarness(t, db, rulestest.NewWorld())
	for id, legal := range legalIDs {
		rewrite(t, h.State, rules.CompositeKey("tc.enterprise", id), func(e *model.Enterprise) { e.LegalID = legal })
	}
	return h, newOPRFNumbers(t)
}

// TestInvoiceRefsNoFalseAlarm: "mismatch" means the check ran and the
// number is wrong. A number retyped as the ledger's alias keys it
// (verified); a wrong number on a v2-keyed invoice is a mismatch; the true
// number of an invoice fingerprinted under v1 (its key held the date and
// the amount) and any number of an invoice whose party has no legal ID on
// the ledger are unverifiable, and so is a wrong number on the v1 invoice.
func TestInvoiceRefsNoFalseAlarm(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h, f := newRefsHarness(t, db)
		aliased := h.registerNumbered(t, f, "INV-2026-0500", 500)
		if inv := must(h.Rules.GetInvoice(h.As(h.S1), aliased)); len(inv.Aliases) != 1 {
			t.Fatalf("fixture: INV-2026-0500 reserves %d aliases, want 1", len(inv.Aliases))
		}
		v1 := &invoice.Invoice{Number: "OLD-17", IssueDate: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Currency: rulestest.Currency,
			AmountMinor: 250, Seller: invoice.Party{ID: legalIDs[h.S1.ID]}, Buyer: invoice.Party{ID: legalIDs[h.Core.ID]}}
		old := h.registerFingerprint(t, must(f.f.Fingerprint(ctx, invoice.FingerprintInputV1(v1))), nil, nil, "OLD-17", 250)

		check := func(number, id string) string {
			t.Helper()
			c := must(wallet.CheckInvoiceRefs(ctx, h.ledger(h.BankA), "", f, []string{id}, []protocol.InvoiceNumber{{Invoice: id, Number: number}}))
			return c[0].Status
		}
		// evaluations: a number that keys the invoice under its main key
		// spends one OPRF evaluation; the others try each key.
		for _, c := range []struct {
			name, number, id, want string
			evaluations            int
		}{
			{"as filed", "INV-2026-0500", aliased, wallet.RefVerified, 1},
			{"retyped as the alias", "INV20260500", aliased, wallet.RefVerified, 1},
			{"wrong number, v2 key", "INV-2026-0501", aliased, wallet.RefMismatch, 2},
			{"true number, v1 key", "OLD-17", old, wallet.RefUnverifiable, 1},
			{"wrong number, v1 key", "OLD-18", old, wallet.RefUnverifiable, 1},
		} {
			*f.evaluations = 0
			if got := check(c.number, c.id); got != c.want || *f.evaluations != c.evaluations {
				t.Errorf("%s: %s after %d evaluations, want %s after %d", c.name, got, *f.evaluations, c.want, c.evaluations)
			}
		}
		// The core registered before legal IDs existed: no key can be formed.
		rewrite(t, h.State, rules.CompositeKey("tc.enterprise", h.Core.ID), func(e *model.Enterprise) { e.LegalID = "" })
		for _, n := range []string{"INV-2026-0500", "INV-2026-0501"} {
			if got := check(n, aliased); got != wallet.RefUnverifiable {
				t.Errorf("%s without the core's legal ID: %s, want %s", n, got, wallet.RefUnverifiable)
			}
		}
	})
}

// TestInvoiceRefsCustody: the core seals the invoice numbers to the
// root's holder S1; S1 splits a piece to S2 (its change carries none:
// S1 keeps them per root), S2 transfers to S3, S3 asks BankA for
// financing; BankA opens the numbers and checks each against the ledger
// through the OPRF: verified. A holder that lies about a number is
// caught (mismatch); a request without references is not disclosed; a
// wallet given references it cannot open records nothing.
func TestInvoiceRefsCustody(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h, f := newRefsHarness(t, db)
		inv1 := h.registerNumbered(t, f, "INV-2026-0417", 600)
		inv2 := h.registerNumbered(t, f, "发票-88", 400)
		must(h.Rules.GrantCreditLine(h.As(h.BankA), &model.GrantCreditLineRequest{Core: h.Core.ID, Currency: rulestest.Currency, Limit: 10_000,
			Expiry: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)}))
		h.sync(t, h.Core)

		dir := h.directory(h.Core)
		numbers := []protocol.InvoiceNumber{{Invoice: inv1, Number: "INV-2026-0417"}, {Invoice: inv2, Number: "发票-88"}}
		issue := must(h.wallet.BuildIssue(ctx, h.ledger(h.Core), wallet.IssueSpec{
			Core: h.Core.ID, Bank: h.BankA.ID, Currency: rulestest.Currency, Invoices: []string{inv1, inv2}, Amount: 1000,
			Holder: must(dir.Recipient(ctx, h.S1.ID)), Auditor: must(dir.Auditor(ctx)), Maturity: rulestest.Maturity, Numbers: numbers,
		}))
		root := must(h.Rules.Issue(h.As(h.Core), issue))
		if len(root.Refs) == 0 {
			t.Fatal("the root carries no references")
		}
		h.sync(t, h.S1)
		if got := must(h.wallet.RootRefs(ctx, h.S1.ID, root.ID)); !slices.Equal(got, numbers) {
			t.Fatalf("S1 keeps %v", got)
		}

		// S1 → S2 (300), change 700 to S1 with no references.
		outs := h.spend(t, h.S1, []string{root.ID}, h.pay(t, h.S2, 300))
		if len(outs[0].Refs) == 0 || outs[1].Refs != nil {
			t.Fatalf("split: %d bytes to S2, %d to the change", len(outs[0].Refs), len(outs[1].Refs))
		}
		h.sync(t, h.S2)
		// S2 → S3, then S3 asks BankA.
		t300 := h.holding(t, h.S2, 300)
		h.spend(t, h.S2, []string{t300.TokenID}, h.pay(t, h.S3, 300))
		h.sync(t, h.S3)
		t3 := h.holding(t, h.S3, 300)
		bank := must(h.directory(h.S3).Recipient(ctx, h.BankA.ID))
		fin := must(h.wallet.BuildFinance(ctx, h.ledger(h.S3), h.S3.ID, t3.TokenID, bank))
		must(h.Rules.RequestFinancing(h.As(h.S3), fin))

		tok := must(h.Rules.GetToken(h.As(h.BankA), t3.TokenID))
		got := must(h.wallet.OpenFinancingRefs(ctx, h.BankA.ID, tok))
		checks := must(wallet.CheckInvoiceRefs(ctx, h.ledger(h.BankA), "", f, root.Invoices, got))
		if len(checks) != 2 || checks[0].Status != wallet.RefVerified || checks[1].Status != wallet.RefVerified ||
			checks[0].Number != "INV-2026-0417" || checks[1].Number != "发票-88" {
			t.Fatalf("BankA's checks: %+v", checks)
		}
		// Another bank cannot open them.
		if _, err := h.wallet.OpenFinancingRefs(ctx, h.BankB.ID, tok); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("BankB opened BankA's references: %v", err)
		}

		// S1 asks both banks for quotes on its change: each invited bank
		// gets its own copy, bound to the face; neither opens the other's.
		h.sync(t, h.S1)
		change := h.holding(t, h.S1, 700)
		banks := []protocol.Recipient{must(h.directory(h.S1).Recipient(ctx, h.BankA.ID)), must(h.directory(h.S1).Recipient(ctx, h.BankB.ID))}
		rfq := must(h.wallet.BuildRequestQuotes(ctx, h.ledger(h.S1), h.S1.ID, change.TokenID, banks, rulestest.Maturity.Add(-time.Hour)))
		face := mustCommit(t, must(h.Rules.GetToken(h.As(h.S1), change.TokenID)).Commitment)
		for i, b := range []*rulestest.Party{h.BankA, h.BankB} {
			if got, err := protocol.OpenInvoiceRefs(b.Key, b.ID, face, rfq.Banks[i].Refs); err != nil || !slices.Equal(got, numbers) {
				t.Fatalf("%s's copy in the request for quotes: %v", b.ID, err)
			}
			other := []*rulestest.Party{h.BankB, h.BankA}[i]
			if _, err := protocol.OpenInvoiceRefs(other.Key, other.ID, face, rfq.Banks[i].Refs); err == nil {
				t.Fatalf("%s opened %s's copy", other.ID, b.ID)
			}
		}
		// On the ledger, each invited bank opens its copy before it
		// quotes, and checks it; a party not invited opens nothing.
		stored := must(h.Rules.RequestQuotes(h.As(h.S1), rfq))
		for _, b := range []*rulestest.Party{h.BankA, h.BankB} {
			got := must(h.wallet.OpenRFQRefs(ctx, b.ID, stored, face.Bytes()))
			if c := must(wallet.CheckInvoiceRefs(ctx, h.ledger(b), "", f, root.Invoices, got)); c[0].Status != wallet.RefVerified || c[1].Status != wallet.RefVerified {
				t.Fatalf("%s checks the request for quotes: %+v", b.ID, c)
			}
		}
		if _, err := h.wallet.OpenRFQRefs(ctx, h.S2.ID, stored, face.Bytes()); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("a party not invited opens the request's numbers: %v", err)
		}

		// A lying holder: numbers that are not the invoices'.
		lie := []protocol.InvoiceNumber{{Invoice: inv1, Number: "INV-2026-0418"}}
		checks = must(wallet.CheckInvoiceRefs(ctx, h.ledger(h.BankA), "", f, root.Invoices, lie))
		if checks[0].Status != wallet.RefMismatch || checks[0].Number != "INV-2026-0418" || checks[1].Status != wallet.RefNotDisclosed {
			t.Fatalf("lying references: %+v", checks)
		}
		// A legacy request carries none.
		legacy := *tok
		fcopy := *tok.Financing
		fcopy.Refs = nil
		legacy.Financing = &fcopy
		if _, err := h.wallet.OpenFinancingRefs(ctx, h.BankA.ID, &legacy); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("legacy request: %v", err)
		}
		// References replayed onto another token do not open.
		moved := legacy
		fcopy2 := *tok.Financing
		moved.Financing, moved.Commitment = &fcopy2, root.Commitment
		if _, err := h.wallet.OpenFinancingRefs(ctx, h.BankA.ID, &moved); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("references moved to another token: %v", err)
		}

		// BankA finances the piece and offers it for resale to BankB: the
		// offer carries the numbers sealed to BankB, which opens and
		// checks them; BankA (the seller) cannot open BankB's copy.
		must(h.Rules.ApproveFinancing(h.As(h.BankA), &model.ApproveFinancingRequest{Token: t3.TokenID, DisbursementRef: "W-R", AgreementHash: make([]byte, 32)}))
		h.sync(t, h.BankA)
		rdir := h.directory(h.BankA)
		offer := must(h.wallet.BuildResale(ctx, h.ledger(h.BankA), wallet.ResaleSpec{Seller: h.BankA.ID, Token: t3.TokenID,
			Buyer: must(rdir.Recipient(ctx, h.BankB.ID)), Auditor: must(rdir.Auditor(ctx)), Price: 290}))
		if len(offer.Refs) == 0 {
			t.Fatal("the resale offer carries no references")
		}
		// References of a length no sealed reference has are refused, the
		// piece left unoffered.
		for _, bad := range [][]byte{make([]byte, 10), make([]byte, model.MaxRefsEnvelopeSize+1)} {
			tampered := *offer
			tampered.Refs = bad
			if _, err := h.Rules.OfferResale(h.As(h.BankA), &tampered); !errors.Is(err, model.ErrInvalidArgument) {
				t.Fatalf("an offer with %d bytes of references: %v", len(bad), err)
			}
			if must(h.Rules.GetToken(h.As(h.BankA), t3.TokenID)).Resale != nil {
				t.Fatal("a refused offer left a resale on the piece")
			}
		}
		ov := must(h.Rules.OfferResale(h.As(h.BankA), offer)).View(h.Now)
		if !bytes.Equal(ov.Resale.Refs, offer.Refs) {
			t.Fatal("the ledger did not store the offer's references")
		}
		got = must(h.wallet.OpenResaleRefs(ctx, h.BankB.ID, &ov))
		if c := must(wallet.CheckInvoiceRefs(ctx, h.ledger(h.BankB), "", f, root.Invoices, got)); !slices.Equal(got, numbers) ||
			c[0].Status != wallet.RefVerified || c[1].Status != wallet.RefVerified {
			t.Fatalf("BankB's checks of the resale offer: %v %+v", got, c)
		}
		if _, err := h.wallet.OpenResaleRefs(ctx, h.BankA.ID, &ov); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("the seller opens the buyer's copy: %v", err)
		}
		// BankB buys and sells it back: its offer carries the numbers it
		// bought with, sealed to BankA.
		must(h.Rules.AcceptResale(h.As(h.BankB), &model.AcceptResaleRequest{Token: t3.TokenID, PaymentRef: "SWIFT-1"}))
		h.sync(t, h.BankB)
		back := must(h.wallet.BuildResale(ctx, h.ledger(h.BankB), wallet.ResaleSpec{Seller: h.BankB.ID, Token: t3.TokenID,
			Buyer: must(rdir.Recipient(ctx, h.BankA.ID)), Auditor: must(rdir.Auditor(ctx)), Price: 280}))
		bv := must(h.Rules.OfferResale(h.As(h.BankB), back)).View(h.Now)
		if got := must(h.wallet.OpenResaleRefs(ctx, h.BankA.ID, &bv)); !slices.Equal(got, numbers) {
			t.Fatalf("BankA's copy of BankB's offer: %v", got)
		}
	})
}

// TestInvoiceRefsBadEnvelope: a piece whose references do not open with
// its holder's key (sealed to someone else) is treated as not disclosed:
// Sync stores its opening but keeps no references, and the next spend
// carries none.
func TestInvoiceRefsBadEnvelope(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h, s := scenario(t, db)
		h.sync(t, h.S1)
		bad := must(protocol.SealInvoiceRefs(h.BankB.Recipient(), mustCommit(t, s.IssueReq.Commitment),
			[]protocol.InvoiceNumber{{Invoice: s.IssueReq.Invoices[0], Number: "X-1"}}, nil))
		rewrite(t, h.State, rules.CompositeKey("tc.token", s.Root), func(tok *model.Token) { tok.Refs = bad })
		h.sync(t, h.S1)
		if _, err := h.wallet.RootRefs(ctx, h.S1.ID, s.Root); !errors.Is(err, wallet.ErrNotFound) {
			t.Fatalf("S1 kept references it cannot open: %v", err)
		}
		outs := h.spend(t, h.S1, []string{s.Root}, h.pay(t, h.S2, 1))
		if outs[0].Refs != nil {
			t.Fatal("a spend carries references its wallet does not hold")
		}
		if !bytes.Equal(must(h.Rules.GetToken(h.As(h.S1), s.Root)).Refs, bad) {
			t.Fatal("fixture: the rewrite did not stick")
		}
	})
}
