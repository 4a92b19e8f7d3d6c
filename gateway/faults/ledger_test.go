package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/demo"
	"github.com/tierchain/tierchain/services/audit"
)

// ledgerToken is a token as the regulator's report shows it: the ledger's
// record and the amount the regulator opened.
type ledgerToken struct {
	model.Token
	Minor  uint64
	Opened audit.Status
}

// ledger is the whole ledger as the regulator reads it from its own peer.
type ledger struct {
	Tokens      map[string]ledgerToken
	Enterprises map[string]model.EnterpriseStatus
	Invoices    map[string]model.InvoiceStatus
	Lines       map[string]uint64 // core/bank → opened outstanding
	Problems    int               // conservation breaks
}

func readLedger(t *testing.T, ctx context.Context, regulator *demo.Client) *ledger {
	t.Helper()
	var rep audit.Report
	if err := regulator.Do(ctx, http.MethodGet, "/v1/audit/report", nil, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Snapshot == nil {
		t.Fatal("the report has no snapshot")
	}
	l := &ledger{Tokens: map[string]ledgerToken{}, Invoices: map[string]model.InvoiceStatus{},
		Enterprises: map[string]model.EnterpriseStatus{}, Lines: map[string]uint64{},
		Problems: len(rep.Snapshot.Breaks)}
	for _, x := range rep.Snapshot.Tokens {
		l.Tokens[x.Token.ID] = ledgerToken{Token: x.Token, Minor: x.Amount.Minor, Opened: x.Amount.Status}
	}
	for _, e := range rep.Snapshot.Enterprises {
		l.Enterprises[e.ID] = e.Status
	}
	for _, x := range rep.Snapshot.Invoices {
		l.Invoices[x.Invoice.ID] = x.Invoice.Status
	}
	for _, x := range rep.Snapshot.CreditLines {
		l.Lines[x.Core+"/"+x.Bank] = x.Outstanding.Minor
	}
	return l
}

// String is the ledger as sorted lines, for comparing two reads.
func (l *ledger) String() string {
	var lines []string
	for _, t := range l.Tokens {
		lines = append(lines, fmt.Sprintf("token %s %s %s %d %s children=%v", t.ID, t.Status, t.Holder, t.Minor, t.Opened, t.Children))
	}
	for id, s := range l.Enterprises {
		lines = append(lines, fmt.Sprintf("enterprise %s %s", id, s))
	}
	for id, s := range l.Invoices {
		lines = append(lines, fmt.Sprintf("invoice %s %s", id, s))
	}
	for k, v := range l.Lines {
		lines = append(lines, fmt.Sprintf("line %s %d", k, v))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// diff names the lines of two ledger reads that differ.
func diff(before, after string) string {
	b, a := map[string]bool{}, map[string]bool{}
	for _, l := range strings.Split(before, "\n") {
		b[l] = true
	}
	for _, l := range strings.Split(after, "\n") {
		a[l] = true
	}
	var out []string
	for l := range b {
		if !a[l] {
			out = append(out, "- "+l)
		}
	}
	for l := range a {
		if !b[l] {
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
