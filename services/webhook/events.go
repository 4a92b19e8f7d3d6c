package webhook

import (
	"slices"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

// EventType is a kind of notification.
type EventType string

// Event types.
const (
	// FinancingRequested: a holder asked the bank to finance a token, with
	// or without terms, or invited it to quote (data: token, requester, rfq).
	FinancingRequested EventType = "financing.requested"
	// QuoteAccepted: the bank's quote won (data: quote, rfq, token).
	QuoteAccepted EventType = "quote.accepted"
	// QuoteLapsed: the bank's quote lapsed: another was accepted or the
	// holder cancelled (data: quote, rfq, token).
	QuoteLapsed EventType = "quote.lapsed"
	// MaturityDue: a piece the bank holds FINANCED matures within the
	// sweep's horizon or has matured unpaid (data: token, maturity).
	MaturityDue EventType = "maturity.due"
	// Defaulted: a piece the enterprise holds or financed was declared in
	// default (data: token).
	Defaulted EventType = "default"
	// Repayment: the core declared payment of a piece the enterprise
	// holds, or the seller repaid a recourse claim (data: token, ref kind).
	Repayment EventType = "repayment"
)

// EventTypes lists every event type.
var EventTypes = []EventType{FinancingRequested, QuoteAccepted, QuoteLapsed, MaturityDue, Defaulted, Repayment}

// Notification is the JSON body of a delivery.
type Notification struct {
	ID         string            `json:"id"`   // the same on every retry
	Type       EventType         `json:"type"` // one of EventTypes
	Enterprise string            `json:"enterprise"`
	CreatedAt  time.Time         `json:"createdAt"`
	TxID       string            `json:"txId,omitempty"` // the ledger transaction it comes from
	Data       map[string]string `json:"data"`
}

// notice is a notification addressed to an enterprise before it is
// fanned out to its subscriptions; key makes it idempotent.
type notice struct {
	to   string
	typ  EventType
	key  string
	tx   string
	data map[string]string
}

// noticesOf maps a chaincode event to the notifications it gives.
func noticesOf(ev model.Event) []notice {
	var out []notice
	add := func(to string, typ EventType, data map[string]string) {
		if to == "" {
			return
		}
		n := notice{to: to, typ: typ, key: string(typ) + "/" + ev.TxID + "/" + to, tx: ev.TxID, data: data}
		if !slices.ContainsFunc(out, func(o notice) bool { return o.key == n.key }) {
			out = append(out, n)
		}
	}
	switch ev.Kind {
	case protocol.KindRequestFinancing, protocol.KindFinanceTerms:
		for _, t := range ev.Tokens {
			if t.Status == model.TokenFinancing {
				add(t.Bank, FinancingRequested, map[string]string{"token": t.ID, "requester": ev.Actor, "kind": ev.Kind})
			}
		}
	case protocol.KindRequestQuotes:
		for _, q := range ev.Quotes {
			for _, b := range q.Banks {
				add(b, FinancingRequested, map[string]string{"rfq": q.RFQ, "token": q.Token, "requester": q.Requester, "kind": ev.Kind})
			}
		}
	case protocol.KindAcceptQuote, protocol.KindCancelQuotes:
		for _, q := range ev.Quotes {
			data := map[string]string{"quote": q.Quote, "rfq": q.RFQ, "token": q.Token}
			switch {
			case q.Quote == "":
			case q.Status == string(model.QuoteAccepted):
				add(q.Bank, QuoteAccepted, data)
			case q.Status == string(model.QuoteLapsed):
				add(q.Bank, QuoteLapsed, data)
			}
		}
	case protocol.KindDeclareDefault:
		for _, t := range ev.Tokens {
			data := map[string]string{"token": t.ID, "declaredBy": ev.Actor}
			add(t.Holder, Defaulted, data)
			add(t.Bank, Defaulted, data)
		}
	case protocol.KindDeclarePayment, protocol.KindSettleRecourse:
		for _, t := range ev.Tokens {
			add(t.Holder, Repayment, map[string]string{"token": t.ID, "kind": ev.Kind, "by": ev.Actor})
		}
	}
	return out
}
