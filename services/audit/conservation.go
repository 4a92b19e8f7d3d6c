package audit

import (
	"cmp"
	"fmt"
	"math/bits"
	"slices"

	"github.com/tierchain/tierchain/chaincode/model"
)

// CheckKind is what a conservation check compares.
type CheckKind string

const (
	// CheckSpend: a split, merge or transfer; its inputs sum to its outputs.
	CheckSpend CheckKind = "SPEND"
	// CheckRoot: a receivable's unspent tokens sum to its root.
	CheckRoot CheckKind = "ROOT"
	// CheckIssue: a root is at most the total of the invoices behind it.
	CheckIssue CheckKind = "ISSUE"
)

// CheckResult is the outcome of a conservation check.
type CheckResult string

const (
	CheckOK CheckResult = "OK"
	// CheckBroken: the opened amounts do not add up, or the records do not
	// link up (a missing parent, a child its parent does not list).
	CheckBroken CheckResult = "BROKEN"
	// CheckUnverified: an amount in the check is UNOPENABLE.
	CheckUnverified CheckResult = "UNVERIFIED"
)

// Break is a conservation check that did not pass. In and Out are the
// sums of the known amounts on each side (inputs and outputs; for ROOT the
// root and the unspent tokens; for ISSUE the invoices and the root).
type Break struct {
	Kind    CheckKind   `json:"kind"`
	Result  CheckResult `json:"result"`
	Root    string      `json:"root"`
	TxID    string      `json:"txId,omitempty"`
	Inputs  []string    `json:"inputs,omitempty"`
	Outputs []string    `json:"outputs,omitempty"`
	In      uint64      `json:"in"`
	Out     uint64      `json:"out"`
	Detail  string      `json:"detail"`
}

// checkConservation checks every receivable of tokens and returns how
// many checks ran and those that did not pass. invoices may be nil (a
// provenance trace): then the ISSUE checks are skipped.
func checkConservation(tokens []TokenItem, invoices []InvoiceItem) (int, []Break) {
	byRoot := map[string][]TokenItem{}
	var roots []string
	for _, t := range tokens {
		if _, seen := byRoot[t.Token.Root]; !seen {
			roots = append(roots, t.Token.Root)
		}
		byRoot[t.Token.Root] = append(byRoot[t.Token.Root], t)
	}
	var inv map[string]InvoiceItem
	if invoices != nil {
		inv = make(map[string]InvoiceItem, len(invoices))
		for _, i := range invoices {
			inv[i.Invoice.ID] = i
		}
	}
	slices.Sort(roots)
	checks := 0
	var breaks []Break
	for _, root := range roots {
		n, bs := checkReceivable(root, byRoot[root], inv)
		checks += n
		breaks = append(breaks, bs...)
	}
	return checks, breaks
}

// sum adds known amounts; it reports whether all were known and whether
// the sum stayed below 2^64 (a receivable's pieces always do).
type sum struct {
	v        uint64
	unknown  bool
	overflow bool
}

func (s *sum) add(a Amount) {
	if !a.Known() {
		s.unknown = true
		return
	}
	var carry uint64
	s.v, carry = bits.Add64(s.v, a.Minor, 0)
	s.overflow = s.overflow || carry != 0
}

// compare makes a check's result from two sums that must be equal (or,
// with atMost, in ≥ out).
func compare(in, out sum, atMost bool) (CheckResult, string) {
	switch {
	case in.overflow || out.overflow:
		return CheckBroken, "a sum exceeds 2^64"
	case in.unknown || out.unknown:
		return CheckUnverified, "an amount is UNOPENABLE"
	case atMost && out.v > in.v:
		return CheckBroken, "root exceeds its invoices"
	case !atMost && in.v != out.v:
		return CheckBroken, "sums differ"
	}
	return CheckOK, ""
}

// checkReceivable checks one receivable: each spend, the unspent tokens
// against the root, and the root against its invoices.
func checkReceivable(root string, tokens []TokenItem, invoices map[string]InvoiceItem) (int, []Break) {
	byID := make(map[string]TokenItem, len(tokens))
	byTx := map[string][]TokenItem{}
	var txs []string
	for _, t := range tokens {
		byID[t.Token.ID] = t
		if len(t.Token.Parents) == 0 {
			continue
		}
		if _, seen := byTx[t.Token.TxID]; !seen {
			txs = append(txs, t.Token.TxID)
		}
		byTx[t.Token.TxID] = append(byTx[t.Token.TxID], t)
	}
	rt, ok := byID[root]
	if !ok {
		return 1, []Break{{Kind: CheckRoot, Result: CheckBroken, Root: root, Detail: "root token not in the ledger listing"}}
	}
	var breaks []Break
	checks := 0
	slices.SortFunc(txs, func(a, b string) int {
		return cmp.Or(byTx[a][0].Token.CreatedAt.Compare(byTx[b][0].Token.CreatedAt), cmp.Compare(a, b))
	})
	for _, tx := range txs {
		checks++
		if b, ok := checkSpend(root, tx, byTx[tx], byID); !ok {
			breaks = append(breaks, b)
		}
	}

	checks++
	var in, out sum
	in.add(rt.Amount)
	var leaves []string
	for _, t := range tokens {
		if t.Token.Status != model.TokenSplit {
			out.add(t.Amount)
			leaves = append(leaves, t.Token.ID)
		}
	}
	if res, detail := compare(in, out, false); res != CheckOK {
		breaks = append(breaks, Break{Kind: CheckRoot, Result: res, Root: root, Inputs: []string{root}, Outputs: leaves,
			In: in.v, Out: out.v, Detail: "unspent tokens vs root: " + detail})
	}

	if invoices != nil && len(rt.Token.Invoices) > 0 {
		checks++
		var total sum
		var detail string
		for _, id := range rt.Token.Invoices {
			i, ok := invoices[id]
			if !ok {
				total.unknown = true
				detail = fmt.Sprintf("invoice %s not in the ledger listing", id)
				continue
			}
			if i.Invoice.Currency != rt.Token.Currency {
				// Summing amounts of two currencies would mean nothing.
				total.unknown = true
				detail = fmt.Sprintf("invoice %s is in %q, the receivable in %q", id, i.Invoice.Currency, rt.Token.Currency)
				continue
			}
			total.add(i.Amount)
		}
		var r sum
		r.add(rt.Amount)
		res, d := compare(total, r, true)
		if detail != "" && res != CheckBroken {
			res, d = CheckBroken, detail
		}
		if res != CheckOK {
			breaks = append(breaks, Break{Kind: CheckIssue, Result: res, Root: root, TxID: rt.Token.TxID, Inputs: rt.Token.Invoices,
				Outputs: []string{root}, In: total.v, Out: r.v, Detail: d})
		}
	}
	return checks, breaks
}

// checkSpend checks one spend transaction's outputs against its inputs.
func checkSpend(root, tx string, outputs []TokenItem, byID map[string]TokenItem) (Break, bool) {
	parents := outputs[0].Token.Parents
	b := Break{Kind: CheckSpend, Root: root, TxID: tx, Inputs: parents}
	var in, out sum
	for _, o := range outputs {
		b.Outputs = append(b.Outputs, o.Token.ID)
		out.add(o.Amount)
		if !slices.Equal(o.Token.Parents, parents) {
			b.Detail = fmt.Sprintf("outputs of one transaction list different parents (%s)", o.Token.ID)
		}
	}
	for _, id := range parents {
		p, ok := byID[id]
		switch {
		case !ok:
			b.Detail = fmt.Sprintf("parent %s not in the ledger listing", id)
			in.unknown = true
			continue
		case p.Token.Status != model.TokenSplit:
			b.Detail = fmt.Sprintf("parent %s is %s, not SPLIT", id, p.Token.Status)
		}
		for _, o := range b.Outputs {
			if !slices.Contains(p.Token.Children, o) {
				b.Detail = fmt.Sprintf("parent %s does not list child %s", id, o)
			}
		}
		in.add(p.Amount)
	}
	b.In, b.Out = in.v, out.v
	if b.Detail != "" {
		b.Result = CheckBroken
		return b, false
	}
	b.Result, b.Detail = compare(in, out, false)
	return b, b.Result == CheckOK
}
