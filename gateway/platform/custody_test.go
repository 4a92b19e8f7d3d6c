package platform_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/relay"
	"github.com/tierchain/tierchain/internal/selfcustody"
	"github.com/tierchain/tierchain/services/custody"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/services/wallet"
)

func wantRelayProblem(t *testing.T, what string, err error, status int, code string) {
	t.Helper()
	var p *relay.Problem
	if !errors.As(err, &p) || p.Status != status || p.Code != code {
		t.Fatalf("%s: err = %v, want %d %s", what, err, status, code)
	}
}

// holdingsLine is a device's holdings as one comparable string.
func holdingsLine(t *testing.T, ctx context.Context, d *selfcustody.Device) string {
	t.Helper()
	hs, err := d.Holdings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range hs {
		out = append(out, fmt.Sprintf("%s %s %d", h.TokenID, h.LedgerStatus, h.Value))
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// TestSelfCustodyOverRelay: a self-custody supplier onboards with keys
// made on its device, receives a piece, splits it and requests financing,
// each signed on the device and relayed by the operator's gateway; every
// bad relay (a foreign signature, a replayed proposal or transaction, the
// operator's gateway or a certificate the operator's CA forged acting for
// it, its token on the hosted routes) is refused with the ledger and the
// wallets unchanged; the gateway holds no key and no opening of it, no
// request body carried an amount, and the device rebuilds its wallet from
// the chain after its database is wiped. Then a hosted supplier moves into
// self-custody and back.
func TestSelfCustodyOverRelay(t *testing.T) {
	c := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	res := storyUntilPay(t, ctx, c, "-sc")
	as := func(id, token string) *demo.Client { return &demo.Client{Base: c.URL(id), Token: token} }
	tier1, tier2 := as(res.Suppliers[0], res.SupplierTokens[0]), as(res.Suppliers[1], res.SupplierTokens[1])
	regulator := as("regulator", c.Token("regulator"))
	opGW := c.Gateway("Operator")

	// An ID the ledger knows already is refused, and nothing is recorded.
	taken, err := selfcustody.NewKeys("carmaker", c.URL("x"))
	if err != nil {
		t.Fatal(err)
	}
	treq, err := selfcustody.NewOnboardRequest(taken, "Not the carmaker", demo.SupplierLegalID(1, "-selfcust"))
	if err != nil {
		t.Fatal(err)
	}
	err = (&relay.Client{Base: c.URL("x"), Token: c.Token("operator")}).Do(ctx, http.MethodPost, "/v1/custody/enterprises", treq, nil)
	wantRelayProblem(t, "an ID already on the ledger", err, 409, "CONFLICT")
	if m, err := opGW.Custody.Mode(ctx, "carmaker"); err != nil || m != custody.Hosted {
		t.Fatalf("a refused onboarding recorded %s, %v", m, err)
	}

	// The device: keys made here, onboarded by the operator.
	id := "selfcust-sc"
	dir := t.TempDir()
	path := filepath.Join(dir, "keys.json")
	const pass = "correct horse battery"
	if _, err := selfcustody.Create(path, pass, id, c.URL(id)); err != nil {
		t.Fatal(err)
	}
	onb, err := selfcustody.Onboard(ctx, path, pass, c.Token("operator"), "Self Custody AS", demo.SupplierLegalID(0, "-selfcust"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if onb.Enterprise.ID != id || onb.Enterprise.Role != model.RoleSupplier || onb.Enterprise.LegalID != demo.SupplierLegalID(0, "-selfcust") {
		t.Fatalf("onboarded %+v (the ledger's record carries the legal ID)", onb.Enterprise)
	}
	// Its legal ID, kept with its certificate and not in the directory, is
	// taken: neither a hosted nor another self-custody onboarding gets it.
	operator := &relay.Client{Base: c.URL("x"), Token: c.Token("operator")}
	err = operator.Do(ctx, http.MethodPost, "/v1/enterprises", map[string]string{"id": "dup-sc", "name": "Dup AS", "role": "supplier",
		"legalId": demo.SupplierLegalID(0, "-selfcust")}, nil)
	wantRelayProblem(t, "a hosted onboarding with its legal ID", err, 409, "CONFLICT")
	dupKeys, err := selfcustody.NewKeys("dup-sc2", c.URL("x"))
	if err != nil {
		t.Fatal(err)
	}
	dreq, err := selfcustody.NewOnboardRequest(dupKeys, "Dup AS", demo.SupplierLegalID(0, "-selfcust"))
	if err != nil {
		t.Fatal(err)
	}
	err = operator.Do(ctx, http.MethodPost, "/v1/custody/enterprises", dreq, nil)
	wantRelayProblem(t, "a self-custody onboarding with its legal ID", err, 409, "CONFLICT")
	for _, e := range []string{"dup-sc", "dup-sc2"} {
		if m, err := opGW.Custody.Mode(ctx, e); err != nil || m != custody.Hosted {
			t.Fatalf("a refused onboarding recorded %s as %s, %v", e, m, err)
		}
		if _, err := opGW.Directory.Get(ctx, e); err == nil {
			t.Fatalf("a refused onboarding left %s in the directory", e)
		}
	}
	var bodies [][]byte
	dev, err := selfcustody.Open(ctx, path, pass, selfcustody.Options{Trace: func(_ string, b []byte) { bodies = append(bodies, b) }})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { dev.Close() }()
	if _, err := selfcustody.Open(ctx, path, "wrong passphrase", selfcustody.Options{}); !errors.Is(err, selfcustody.ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}

	// Tier 1 (hosted) pays it 100,000.00 from its change.
	var split struct {
		Tokens []demo.Token `json:"tokens"`
	}
	if err := tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+res.Held[0].ID+"/split", map[string]any{
		"outputs": []map[string]string{{"to": id, "amount": "100000.00"}}}, &split); err != nil {
		t.Fatal(err)
	}
	piece := split.Tokens[0].ID
	if _, err := dev.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if hs, _ := dev.Holdings(ctx); len(hs) != 1 || hs[0].TokenID != piece || hs[0].Value != 100_000_00 {
		t.Fatalf("holdings %+v", hs)
	}

	before := ledgerState(t, ctx, regulator, tier1, tier2)
	devBefore := holdingsLine(t, ctx, dev)
	unchanged := func(what string) {
		t.Helper()
		if after := ledgerState(t, ctx, regulator, tier1, tier2); after != before {
			t.Fatalf("%s changed the ledger:\n%s\nwant\n%s", what, after, before)
		}
		if _, err := dev.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		if got := holdingsLine(t, ctx, dev); got != devBefore {
			t.Fatalf("%s changed the device's wallet:\n%s\nwant\n%s", what, got, devBefore)
		}
	}
	sp, err := dev.BuildSplit(ctx, piece, []selfcustody.Output{{To: res.Suppliers[1], Amount: 30_000_00}})
	if err != nil {
		t.Fatal(err)
	}
	arg, _ := json.Marshal(sp.Request)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)

	t.Run("foreign signature on a proposal", func(t *testing.T) {
		forger := *dev.Relay
		forger.Key = other
		_, err := forger.Submit(ctx, sp.Function, string(arg))
		wantRelayProblem(t, "foreign key", err, 403, "BAD_SIGNATURE")
		unchanged("a foreign signature")
	})
	t.Run("replayed proposal, foreign signature on the transaction", func(t *testing.T) {
		_, pb, sig, err := dev.Relay.PrepareSigned(ctx, sp.Function, string(arg))
		if err != nil {
			t.Fatal(err)
		}
		var tx struct {
			Bytes  []byte `json:"bytes"`
			Digest []byte `json:"digest"`
		}
		if err := dev.Relay.Do(ctx, http.MethodPost, "/v1/relay/endorse", map[string]any{"bytes": pb, "signature": sig}, &tx); err != nil {
			t.Fatal(err)
		}
		err = dev.Relay.Do(ctx, http.MethodPost, "/v1/relay/endorse", map[string]any{"bytes": pb, "signature": sig}, nil)
		wantRelayProblem(t, "replayed proposal", err, 409, "REPLAYED")
		err = dev.Relay.Do(ctx, http.MethodPost, "/v1/relay/evaluate", map[string]any{"bytes": pb, "signature": sig}, nil)
		wantRelayProblem(t, "replayed proposal as a query", err, 409, "REPLAYED")
		bad, _ := relay.SignDigest(other, tx.Digest)
		err = dev.Relay.Do(ctx, http.MethodPost, "/v1/relay/submit", map[string]any{"bytes": tx.Bytes, "signature": bad}, nil)
		wantRelayProblem(t, "foreign transaction signature", err, 403, "BAD_SIGNATURE")
		unchanged("a replayed proposal and a foreign transaction signature")
	})
	t.Run("the operator's gateway acts for it", func(t *testing.T) {
		op, err := opGW.Directory.Client(ctx, "operator")
		if err != nil {
			t.Fatal(err)
		}
		_, err = op.Submit(ctx, "tierchain", sp.Function, string(arg))
		var cc *fabricclient.ChaincodeError
		if !errors.As(err, &cc) || (cc.Code != "FORBIDDEN" && cc.Code != "UNAUTHORIZED") {
			t.Fatalf("operator's identity: %v", err)
		}
		unchanged("the operator's identity")
	})
	t.Run("a certificate the operator's CA forged for it", func(t *testing.T) {
		org, _ := opGW.Directory.Org(opGW.Org.Name)
		now := time.Now()
		forged, err := org.CA.IssueClient(id+"@operator", now, now.Add(time.Hour), nil)
		if err != nil {
			t.Fatal(err)
		}
		conn, err := fabricclient.DialPeer(org.PeerAddress, org.TLSCACert, "")
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fc, err := fabricclient.NewOnConn(conn, org.MSPID, forged.CertPEM, forged.KeyPEM, fabricclient.Options{MSPID: org.MSPID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = fc.Submit(ctx, "tierchain", sp.Function, string(arg))
		var cc *fabricclient.ChaincodeError
		if !errors.As(err, &cc) || cc.Code != "UNAUTHORIZED" {
			t.Fatalf("forged certificate: %v", err)
		}
		unchanged("a forged certificate")
	})
	t.Run("its token on the hosted routes", func(t *testing.T) {
		me := as(id, onb.APIToken)
		err := me.Do(ctx, http.MethodPost, "/v1/tokens/"+piece+"/split", map[string]any{
			"outputs": []map[string]string{{"to": res.Suppliers[1], "amount": "1.00"}}}, nil)
		wantProblem(t, err, 409, "SELF_CUSTODY")
		unchanged("the hosted split route")
	})

	// The real split and financing, signed on the device.
	w, err := dev.Split(ctx, piece, []selfcustody.Output{{To: res.Suppliers[1], Amount: 30_000_00}})
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Tokens) != 2 || w.Tokens[1].Holder != id {
		t.Fatalf("split %+v", w.Tokens)
	}
	change := w.Tokens[1].ID
	o, err := dev.Wallet.TokenOpening(ctx, id, change)
	if err != nil || o.Value != 70_000_00 {
		t.Fatalf("change opening: %v", err)
	}
	// The financing request by hand, to replay its signed transaction.
	bankA, err := wallet.Directory{Ledger: dev.Relay}.Recipient(ctx, "bankA")
	if err != nil {
		t.Fatal(err)
	}
	freq, err := dev.Wallet.BuildFinance(ctx, dev.Relay, id, change, bankA)
	if err != nil {
		t.Fatal(err)
	}
	farg, _ := json.Marshal(freq)
	fp, pb, psig, err := dev.Relay.PrepareSigned(ctx, "RequestFinancing", string(farg))
	if err != nil {
		t.Fatal(err)
	}
	var ftx relay.Unsigned
	if err := dev.Relay.Do(ctx, http.MethodPost, "/v1/relay/endorse", relay.Signed{Bytes: pb, Signature: psig}, &ftx); err != nil {
		t.Fatal(err)
	}
	it, err := relay.InspectTransaction(ftx.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := relay.CheckTransaction(it, fp, ftx.Result); err != nil {
		t.Fatal(err)
	}
	tsig, _ := relay.SignDigest(dev.Keys.Signing, it.Digest)
	var committed relay.Committed
	if err := dev.Relay.Do(ctx, http.MethodPost, "/v1/relay/submit", relay.Signed{Bytes: ftx.Bytes, Signature: tsig}, &committed); err != nil {
		t.Fatal(err)
	}
	var fin model.Token
	if err := json.Unmarshal(committed.Result, &fin); err != nil || fin.Status != model.TokenFinancing {
		t.Fatalf("financing %+v, %v", fin, err)
	}
	err = dev.Relay.Do(ctx, http.MethodPost, "/v1/relay/submit", relay.Signed{Bytes: ftx.Bytes, Signature: tsig}, nil)
	wantRelayProblem(t, "replayed transaction", err, 409, "REPLAYED")

	// An invoice filed from the device (docs/custody.md, "Invoices"): parsed,
	// fingerprinted, committed, sealed and signed there; relayed here.
	// In the currency of the core's line at bank A (CNY where it has one).
	core := as("carmaker", c.Token("carmaker"))
	var lines struct {
		Items []struct {
			Bank     string `json:"bank"`
			Currency string `json:"currency"`
		} `json:"items"`
	}
	if err := core.Do(ctx, http.MethodGet, "/v1/credit-lines", nil, &lines); err != nil {
		t.Fatal(err)
	}
	currency := ""
	for _, l := range lines.Items {
		if l.Bank == "bankA" && l.Currency != "" && (currency == "" || l.Currency == "CNY") {
			currency = l.Currency
		}
	}
	if currency == "" {
		t.Fatalf("the core has no line at bank A: %+v", lines.Items)
	}
	sellerLegal := demo.SupplierLegalID(0, "-selfcust")
	number := fmt.Sprintf("SC-%d", time.Now().UnixNano()%1_000_000_000)
	invoiceDoc := func(number, seller string) selfcustody.InvoiceUpload {
		return selfcustody.InvoiceUpload{Format: invoice.FormatJSON, Document: fmt.Appendf(nil,
			`{"invoice": {"number": %q, "issueDate": %q, "dueDate": %q, "currency": %q, "amount": "123456.78",
  "seller": {"id": %q, "name": "Self Custody AS"}, "buyer": {"id": %q, "name": "carmaker"}}}`,
			number, time.Now().UTC().Format("2006-01-02"), time.Now().UTC().AddDate(0, 3, 0).Format("2006-01-02"), currency, seller, demo.CoreLegalID)}
	}
	snapshot := func() {
		t.Helper()
		if _, err := dev.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		before, devBefore = ledgerState(t, ctx, regulator, tier1, tier2), holdingsLine(t, ctx, dev)
	}
	reuses := func() int {
		t.Helper()
		var n int
		if err := opGW.DB.SQL.QueryRowContext(ctx, opGW.DB.Rebind(`SELECT COUNT(*) FROM invoice_reuse_attempts WHERE supplier_id = ?`), id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	snapshot()
	t.Run("an invoice naming another seller", func(t *testing.T) {
		_, err := dev.UploadInvoice(ctx, invoiceDoc(number, demo.SupplierLegalID(0, "-sc")))
		if !errors.Is(err, invoice.ErrNotSeller) {
			t.Fatalf("another seller's invoice: %v", err)
		}
		unchanged("an invoice naming another seller")
	})
	t.Run("a tampered relayed invoice", func(t *testing.T) {
		req, _, err := dev.BuildInvoice(ctx, invoiceDoc(number, sellerLegal))
		if err != nil {
			t.Fatal(err)
		}
		iarg, _ := json.Marshal(req)
		_, pb, sig, err := dev.Relay.PrepareSigned(ctx, "RegisterInvoice", string(iarg))
		if err != nil {
			t.Fatal(err)
		}
		// Owed by another buyer, the bytes otherwise the same.
		forged := bytes.Replace(pb, []byte(`"buyer":"carmaker"`), []byte(`"buyer":"carmakeX"`), 1)
		if bytes.Equal(forged, pb) {
			t.Fatal("the proposal does not carry the buyer as expected")
		}
		err = dev.Relay.Do(ctx, http.MethodPost, "/v1/relay/endorse", relay.Signed{Bytes: forged, Signature: sig}, nil)
		wantRelayProblem(t, "tampered invoice proposal", err, 403, "BAD_SIGNATURE")
		unchanged("a tampered invoice proposal")
	})
	filed, err := dev.UploadInvoice(ctx, invoiceDoc(number, sellerLegal))
	if err != nil {
		t.Fatal(err)
	}
	if filed.Invoice.Supplier != id || filed.Invoice.Buyer != "carmaker" || filed.Invoice.Currency != currency ||
		filed.Invoice.Status != model.InvoiceRegistered || filed.AmountMinor != 123456_78 || filed.Number != number {
		t.Fatalf("filed %+v", filed)
	}
	snapshot()
	t.Run("the same invoice again", func(t *testing.T) {
		n := reuses()
		for _, again := range []string{number, strings.ReplaceAll(number, "-", " ")} { // as filed, and retyped
			_, err := dev.UploadInvoice(ctx, invoiceDoc(again, sellerLegal))
			wantRelayProblem(t, "second upload of "+again, err, 409, "CONFLICT")
		}
		if got := reuses(); got != n+2 {
			t.Fatalf("%d reuse attempts recorded, want %d", got-n, 2)
		}
		var reason, fp string
		if err := opGW.DB.SQL.QueryRowContext(ctx, opGW.DB.Rebind(`SELECT reason, fingerprint FROM invoice_reuse_attempts
			WHERE supplier_id = ? ORDER BY at LIMIT 1`), id).Scan(&reason, &fp); err != nil || reason != "registered-on-ledger" || fp == "" {
			t.Fatalf("reuse attempt %q %q, %v", reason, fp, err)
		}
		unchanged("a second upload of the same invoice")
	})
	// The gateway stored nothing of the invoice beyond the ledger's record:
	// no upload row, no document, and neither its number nor its amount in
	// any file of its data folder.
	for _, q := range []string{`SELECT COUNT(*) FROM invoices WHERE supplier_id = ?`,
		`SELECT COUNT(*) FROM invoice_documents d JOIN invoices i ON i.seq = d.invoice_seq WHERE i.supplier_id = ?`} {
		var n int
		if err := opGW.DB.SQL.QueryRowContext(ctx, opGW.DB.Rebind(q), id).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows, %v", q, n, err)
		}
	}
	noneIn(t, opGW.DataDir, "the invoice's number or amount", []byte(number), []byte("123456.78"))
	// The core confirms it from its own records and issues against it.
	deadline := time.Now().Add(time.Minute)
	for {
		err := core.Do(ctx, http.MethodPost, "/v1/invoices/"+filed.Invoice.ID+"/confirm", map[string]string{"number": number, "seller": sellerLegal}, nil)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the core confirms the device's invoice: %v", err)
		}
		time.Sleep(time.Second)
	}
	var issued demo.Token
	if err := core.Do(ctx, http.MethodPost, "/v1/receivables", map[string]any{
		"holder": id, "bank": "bankA", "invoices": []string{filed.Invoice.ID},
		"amount": "100000.00", "maturity": time.Now().Add(time.Hour).UTC().Truncate(time.Second)}, &issued); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if o, err := dev.Wallet.TokenOpening(ctx, id, issued.ID); err != nil || o.Value != 100_000_00 {
		t.Fatalf("the device opens the receivable issued against its invoice: %v", err)
	}

	// The gateway holds nothing secret of it.
	for _, q := range []string{
		`SELECT COUNT(*) FROM wallet_keys WHERE enterprise_id = ?`,
		`SELECT COUNT(*) FROM wallet_openings WHERE enterprise_id = ?`,
		`SELECT COUNT(*) FROM directory_members WHERE id = ?`,
	} {
		var n int
		if err := opGW.DB.SQL.QueryRowContext(ctx, opGW.DB.Rebind(q), id).Scan(&n); err != nil || n != 0 {
			t.Errorf("%s: %d rows, %v", q, n, err)
		}
	}
	noSecretsIn(t, opGW.DataDir, dev.Keys)
	for _, b := range bodies {
		for _, amount := range []string{"10000000", "100000.00", "3000000", "30000.00", "7000000", "70000.00", "12345678", "123456.78", number} {
			if bytes.Contains(b, []byte(amount)) {
				t.Errorf("a request body carried the amount %s: %.200s", amount, b)
			}
		}
	}

	// Storage wiped: the wallet comes back from the chain and the key.
	if _, err := dev.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	want := holdingsLine(t, ctx, dev)
	// The financed change, and the receivable issued against the invoice.
	if lines := strings.Split(want, "\n"); len(lines) != 2 || !slices.Contains(lines, fmt.Sprintf("%s FINANCING 7000000", change)) ||
		!slices.ContainsFunc(lines, func(l string) bool { return strings.HasPrefix(l, issued.ID+" ") && strings.HasSuffix(l, " 10000000") }) {
		t.Fatalf("holdings after the split and the financing request:\n%s", want)
	}
	dev.Close()
	for _, f := range []string{selfcustody.DeviceDB, selfcustody.DeviceDB + "-wal", selfcustody.DeviceDB + "-shm"} {
		os.Remove(filepath.Join(dir, f))
	}
	if dev, err = selfcustody.Open(ctx, path, pass, selfcustody.Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := dev.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := holdingsLine(t, ctx, dev); got != want {
		t.Fatalf("rebuilt holdings\n%s\nwant\n%s", got, want)
	}

	// Moving over: tier 2 (hosted) takes its keys into self-custody …
	t2 := res.Suppliers[1]
	t2path := filepath.Join(t.TempDir(), "keys.json")
	if _, err := selfcustody.MoveToSelf(ctx, t2path, pass, c.URL(t2), res.SupplierTokens[1], nil); err != nil {
		t.Fatal(err)
	}
	if m, err := opGW.Custody.Mode(ctx, t2); err != nil || m != custody.Self {
		t.Fatalf("tier 2's mode %s, %v", m, err)
	}
	if _, err := opGW.Wallet.PublicKey(ctx, t2); !errors.Is(err, wallet.ErrNoKey) {
		t.Fatalf("the gateway still holds tier 2's key: %v", err)
	}
	err = tier2.Do(ctx, http.MethodGet, "/v1/tokens", nil, nil)
	wantProblem(t, err, 409, "SELF_CUSTODY")
	dev2, err := selfcustody.Open(ctx, t2path, pass, selfcustody.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dev2.Close()
	noSecretsIn(t, opGW.DataDir, dev2.Keys)
	if _, err := dev2.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	hs, err := dev2.Holdings(ctx)
	if err != nil || len(hs) == 0 {
		t.Fatalf("tier 2's device holds %v, %v", hs, err)
	}
	// … and back.
	if err := dev2.MoveToHosted(ctx); err != nil {
		t.Fatal(err)
	}
	var pg struct {
		Items []demo.Token `json:"items"`
	}
	if err := tier2.Do(ctx, http.MethodGet, "/v1/tokens", nil, &pg); err != nil {
		t.Fatal(err)
	}
	// Every holding the device opened, the gateway opens again.
	for _, h := range hs {
		i := slices.IndexFunc(pg.Items, func(x demo.Token) bool { return x.ID == h.TokenID })
		if i < 0 || pg.Items[i].Amount == nil || pg.Items[i].Amount.Minor != h.Value {
			t.Fatalf("tier 2 hosted again does not open %s: %+v", h.TokenID, pg.Items)
		}
	}
	log, err := opGW.Custody.Log(ctx, t2)
	if err != nil || len(log) != 2 || log[0].Action != custody.ActionExported || log[1].Action != custody.ActionImported {
		t.Fatalf("custody log %+v, %v", log, err)
	}
}

// noneIn fails if any file under dir holds one of values (named what
// in the failure, which does not print them).
func noneIn(t *testing.T, dir, what string, values ...[]byte) {
	t.Helper()
	err := filepath.WalkDir(dir, func(path string, de fs.DirEntry, err error) error {
		if err != nil || de.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, v := range values {
			if bytes.Contains(b, v) {
				t.Errorf("%s holds %s", path, what)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// noSecretsIn fails if any file under dir holds one of the keys' secrets,
// raw, hex or base64.
func noSecretsIn(t *testing.T, dir string, k selfcustody.Keys) {
	t.Helper()
	sk, _ := k.Signing.Bytes()
	var values [][]byte
	for _, s := range [][]byte{sk, k.Encryption.Bytes()} {
		values = append(values, s, []byte(hex.EncodeToString(s)), []byte(base64.StdEncoding.EncodeToString(s)))
	}
	noneIn(t, dir, "a secret key of "+k.EnterpriseID, values...)
}
