package indexer

import (
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/services/store/storetest"
)

// TestAcceptedQuoteIsAFinancingRequest: accepting a bank's sealed quote
// puts the token in FINANCING at that bank, which the read model lists as
// the bank's pending request until it decides, like a request made
// directly.
func TestAcceptedQuoteIsAFinancingRequest(t *testing.T) {
	storetest.ForEachDialect(t, func(t *testing.T, db *store.DB) {
		c := newChain(t, newFakeLedger())
		st := c.story()
		tok := c.tokens[st.l1[1]]
		c.tx(protocol.KindAcceptQuote, tok.Holder, func(e *model.Event) {
			tok.Status = model.TokenFinancing
			tok.Financing = &model.Financing{Bank: "bankB", Requester: tok.Holder, BankEnvelope: []byte{9}, RequestedAt: c.now,
				Quote: &model.FinancingQuote{Quote: "q1", RFQ: "r1"}}
			e.Quotes = []model.QuoteChange{{RFQ: "r1", Token: tok.ID, Requester: tok.Holder, Status: string(model.RFQAccepted)},
				{RFQ: "r1", Quote: "q1", Token: tok.ID, Requester: tok.Holder, Bank: "bankB", Status: string(model.QuoteAccepted)}}
			c.tokenChanged(e, tok, false)
		})
		ix := newIndexer(t, db, c.ledger, Options{})
		if _, err := ix.apply(t.Context(), c.events); err != nil {
			t.Fatal(err)
		}
		page, err := ix.FinancingRequests(t.Context(), FinancingQuery{Bank: "bankB", Status: FinancingPending})
		if err != nil || len(page.Items) != 1 || page.Items[0].Token != tok.ID || page.Items[0].Requester != "tier1" {
			t.Fatalf("bankB's pending requests %+v: %v", page.Items, err)
		}
	})
}
