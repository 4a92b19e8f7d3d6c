package platform

import (
	"context"
	"log/slog"
	"sync"

	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/services/directory"
)

// cardRegistrar is the operator gateway's registration of the
// consortium's enterprise cards: every card in the cards folder whose
// enterprise the ledger does not know is registered by the operator. It
// also answers who a legal ID on an invoice names, from the cards (the
// legal ID is the card's; the ledger does not record it).
type cardRegistrar struct {
	dir  string
	by   *fabricclient.Client // the operator enterprise's
	self string               // the operator's own card, registered by its Admin
	log  *slog.Logger

	mu    sync.Mutex
	cards map[string]enterprisecard.Card // by ID, the last good read
}

// run registers the cards not on the ledger yet; a bad card or a failed
// registration is logged and tried again next time.
func (r *cardRegistrar) run(ctx context.Context) {
	if r.dir == "" {
		return
	}
	cards, err := enterprisecard.LoadDir(r.dir)
	if err != nil {
		r.log.Warn("enterprise cards", "dir", r.dir, "error", err)
	}
	r.mu.Lock()
	if r.cards == nil {
		r.cards = map[string]enterprisecard.Card{}
	}
	for _, c := range cards {
		r.cards[c.ID] = c
	}
	r.mu.Unlock()
	for _, c := range cards {
		if c.ID == r.self || ctx.Err() != nil {
			continue
		}
		_, err := r.by.Evaluate(ctx, "tierchain", "GetEnterprise", c.ID)
		if err == nil {
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
		r.log.Info("enterprise card registered", "enterprise", c.ID, "msp", c.MSPID, "role", c.Role)
	}
}

// ByLegalID finds a card's enterprise by its legal ID (api.PartyDirectory).
func (r *cardRegistrar) ByLegalID(_ context.Context, legalID string) (directory.Member, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.cards {
		if c.LegalID == legalID {
			return directory.Member{ID: c.ID, Name: c.Name, Role: c.Role, MSPID: c.MSPID, LegalID: c.LegalID}, nil
		}
	}
	return directory.Member{}, directory.ErrNotFound
}
