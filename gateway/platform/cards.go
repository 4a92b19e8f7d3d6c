package platform

import (
	"context"
	"log/slog"
	"sync"

	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/directory"
	"github.com/tierchain/tierchain/services/invoice"
)

// cardRegistrar is the operator gateway's registration of the
// consortium's enterprise cards: every card in the cards folder whose
// enterprise the ledger does not know is registered by the operator. It
// also answers who a legal ID on an invoice names, from the cards (the
// card's legal ID, which registration also puts on the ledger).
type cardRegistrar struct {
	dir  string
	by   *fabricclient.Client // the operator enterprise's
	self string               // the operator's own card, registered by its Admin
	log  *slog.Logger

	mu         sync.Mutex
	cards      map[string]enterprisecard.Card // by ID, the last good read
	registered map[string]bool                // by ID: on the ledger, not looked up again
}

// run registers the cards not on the ledger yet; a bad card or a failed
// registration is logged and tried again next time.
func (r *cardRegistrar) run(ctx context.Context) {
	if r.dir == "" {
		return
	}
	for _, c := range r.load() {
		if c.ID == r.self || ctx.Err() != nil || r.isRegistered(c.ID) {
			continue
		}
		_, err := r.by.Evaluate(ctx, "tierchain", "GetEnterprise", c.ID)
		if err == nil {
			r.markRegistered(c.ID)
			continue
		}
		if !unknownCaller(err) {
			r.log.Warn("enterprise card: look-up", "enterprise", c.ID, "error", err)
			continue
		}
		if err := register(ctx, r.by, c); err != nil {
			r.log.Warn("enterprise card: register", "enterprise", c.ID, "error", err)
			continue
		}
		r.markRegistered(c.ID)
		r.log.Info("enterprise card registered", "enterprise", c.ID, "msp", c.MSPID, "role", c.Role)
	}
}

// load reads the cards folder and keeps its good cards; a bad card is
// logged (the others still load).
func (r *cardRegistrar) load() []enterprisecard.Card {
	cards, err := enterprisecard.LoadDir(r.dir)
	if err != nil {
		r.log.Warn("enterprise cards", "dir", r.dir, "error", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cards == nil {
		r.cards, r.registered = map[string]enterprisecard.Card{}, map[string]bool{}
	}
	for _, c := range cards {
		r.cards[c.ID] = c
	}
	return cards
}

func (r *cardRegistrar) isRegistered(id string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.registered[id]
}

func (r *cardRegistrar) markRegistered(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.registered[id] = true
}

// ByLegalID finds a card's enterprise by its legal ID (api.PartyDirectory),
// compared canonically (services/invoice), as invoices name parties.
func (r *cardRegistrar) ByLegalID(_ context.Context, legalID string) (directory.Member, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.cards {
		if invoice.SamePartyID(legalID, c.LegalID) {
			return directory.Member{ID: c.ID, Name: c.Name, Role: c.Role, MSPID: c.MSPID, LegalID: c.LegalID}, nil
		}
	}
	return directory.Member{}, directory.ErrNotFound
}
