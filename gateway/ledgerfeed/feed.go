// Package ledgerfeed turns the chaincode's events into the gateway's
// server-sent events: it publishes each TierChain transaction (model.Event,
// "tierchain.v1") to the parties it concerns — the holders and banks of
// its tokens, the supplier and buyer of its invoices, the core and bank of
// its credit lines, the enterprises it registered — and to the regulator
// and the operator. New tokens and financing requests reach their holders
// and banks this way.
//
// The feed does not read the chain itself: it is a consumer of the
// gateway's one ledger stream (services/ledgerstream), which hands it each
// event after the read model (services/indexer) has it, in block order,
// at least once. Each published event carries its transaction ID (the
// data's "txId"), the key a browser uses to drop an event it has seen; the
// broker's own event IDs are its ring buffer's, for Last-Event-ID.
package ledgerfeed

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/services/ledgerstream"
)

// Publisher receives the server-sent events; *gateway.Broker is one.
type Publisher interface {
	Publish(ev gateway.Event) (gateway.Event, error)
}

// Feed publishes ledger events to a Publisher.
type Feed struct {
	Publisher Publisher
	Logger    *slog.Logger
}

// EventType is the SSE type of a ledger transaction: "ledger." + its kind.
func EventType(kind string) string { return "ledger." + kind }

var _ ledgerstream.Consumer = ledgerstream.Notify((&Feed{}).Receive)

// Receive publishes e to its parties, the regulator and the operator (a
// ledgerstream.Consumer through ledgerstream.Notify). Publishing never blocks (a subscriber too slow
// for the broker is dropped, and told so).
func (f *Feed) Receive(_ context.Context, e model.Event) {
	data, err := json.Marshal(e)
	if err != nil {
		f.Logger.Warn("ledger feed: encode event", "tx_id", e.TxID, "error", err)
		return
	}
	if _, err := f.Publisher.Publish(gateway.Event{
		Type:  EventType(e.Kind),
		Data:  data,
		To:    Parties(e),
		Roles: []model.Role{model.RoleRegulator, model.RoleOperator},
	}); err != nil {
		f.Logger.Debug("publish ledger event", "tx_id", e.TxID, "error", err)
	}
}

// Parties are the enterprises a transaction concerns, sorted, without
// duplicates: its actor and every party of the records it changed.
func Parties(e model.Event) []string {
	var out []string
	add := func(ids ...string) {
		for _, id := range ids {
			if id != "" {
				out = append(out, id)
			}
		}
	}
	if e.Actor != "bootstrap" {
		add(e.Actor)
	}
	for _, t := range e.Tokens {
		add(t.Holder, t.Bank)
	}
	for _, i := range e.Invoices {
		add(i.Supplier, i.Buyer)
	}
	for _, c := range e.CreditLines {
		add(c.Core, c.Bank)
	}
	for _, en := range e.Enterprises {
		add(en.ID)
	}
	for _, d := range e.Disputes {
		add(d.Holder, d.Sender)
	}
	slices.Sort(out)
	return slices.Compact(out)
}
