package wallet_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
	"github.com/tierchain/tierchain/services/store/storetest"
	"github.com/tierchain/tierchain/services/wallet"
)

// Receive stores the change of the holder's own split from the
// transaction's result, so the next spend needs no Sync; a tampered
// envelope is refused and nothing is stored for it.
func TestReceive(t *testing.T) {
	ctx := context.Background()
	h, s := scenario(t, storetest.SQLite(t))
	h.sync(t, h.S1)
	outs := h.spend(t, h.S1, []string{s.Root}, h.pay(t, h.S2, 100))
	tokens := make([]model.Token, len(outs))
	for i, o := range outs {
		tokens[i] = *o
	}
	change := tokens[len(tokens)-1]
	if change.Holder != h.S1.ID {
		t.Fatalf("last output held by %s, want the change", change.Holder)
	}
	if _, err := h.wallet.TokenOpening(ctx, h.S1.ID, change.ID); !errors.Is(err, wallet.ErrNotFound) {
		t.Fatalf("change known before Receive: %v", err)
	}
	if cur, err := h.wallet.TokenCurrency(ctx, h.S1.ID, change.ID); !errors.Is(err, wallet.ErrNotFound) {
		t.Fatalf("change's currency known before Receive: %q, %v", cur, err)
	}

	tampered := change
	tampered.HolderEnvelope = bytes.Clone(change.HolderEnvelope)
	tampered.HolderEnvelope[len(tampered.HolderEnvelope)-1] ^= 1
	rep, err := h.wallet.Receive(ctx, h.S1.ID, nil, []model.Token{tampered})
	if err != nil || rep.Opened != 0 || len(rep.Refused) != 1 {
		t.Fatalf("tampered envelope: report %+v, %v", rep, err)
	}
	if _, err := h.wallet.TokenOpening(ctx, h.S1.ID, change.ID); !errors.Is(err, wallet.ErrNotFound) {
		t.Fatalf("a refused envelope was stored: %v", err)
	}
	if bad := must(h.wallet.BadEnvelopes(ctx, h.S1.ID)); len(bad) != 1 || bad[0].ID != change.ID || len(rep.Bad) != 1 {
		t.Fatalf("tampered envelope not recorded as bad: %+v", bad)
	}

	rep, err = h.wallet.Receive(ctx, h.S1.ID, nil, tokens)
	if err != nil || rep.Opened != 1 || len(rep.Refused) != 0 {
		t.Fatalf("Receive: report %+v, %v (want the change opened, the other holder's token skipped)", rep, err)
	}
	o, err := h.wallet.TokenOpening(ctx, h.S1.ID, change.ID)
	if err != nil || o.Value != rulestest.RootAmount-100 {
		t.Fatalf("change opening: %v, %v", o.Value, err)
	}
	// Its currency is the ledger's, read from the wallet (the REST split
	// parses its amounts in it without a GetToken).
	if cur, err := h.wallet.TokenCurrency(ctx, h.S1.ID, change.ID); err != nil || change.Currency == "" || cur != change.Currency {
		t.Fatalf("change's currency %q, %v; the ledger's %q", cur, err, change.Currency)
	}
	// The envelope that opens replaces the bad record.
	if bad := must(h.wallet.BadEnvelopes(ctx, h.S1.ID)); len(bad) != 0 {
		t.Fatalf("bad envelope kept after its record opened: %+v", bad)
	}
	// The next spend of the change builds without a Sync.
	h.spend(t, h.S1, []string{change.ID}, h.pay(t, h.S2, 1))
}

// TestReceiveToken: a supplier opens a token it received from another's
// split with one query, and spends it without a Sync; a token it does not
// hold opens nothing; an unknown one is the ledger's NOT_FOUND.
func TestReceiveToken(t *testing.T) {
	ctx := context.Background()
	h, s := scenario(t, storetest.SQLite(t))
	h.sync(t, h.S1)
	outs := h.spend(t, h.S1, []string{s.Root}, h.pay(t, h.S2, 100))
	paid := outs[0]
	if paid.Holder != h.S2.ID {
		t.Fatalf("first output held by %s, want %s", paid.Holder, h.S2.ID)
	}

	l := h.ledger(h.S2)
	rep, err := h.wallet.ReceiveToken(ctx, h.S2.ID, l, paid.ID)
	if err != nil || rep.Opened != 1 || len(rep.Refused) != 0 {
		t.Fatalf("ReceiveToken: report %+v, %v", rep, err)
	}
	if l.calls != 1 {
		t.Errorf("%d ledger calls, want one GetToken", l.calls)
	}
	if o, err := h.wallet.TokenOpening(ctx, h.S2.ID, paid.ID); err != nil || o.Value != 100 {
		t.Fatalf("opening: %v, %v", o.Value, err)
	}
	// Held already: no second ledger call.
	rep, err = h.wallet.ReceiveToken(ctx, h.S2.ID, l, paid.ID)
	if err != nil || rep.Opened != 0 || rep.Kept != 1 || l.calls != 1 {
		t.Fatalf("ReceiveToken of a held token: report %+v, %v, %d ledger calls; want it kept with no call", rep, err, l.calls)
	}
	h.spend(t, h.S2, []string{paid.ID}, h.pay(t, h.S1, 40))

	change := outs[len(outs)-1] // S1's: S2 holds nothing of it
	if rep, err := h.wallet.ReceiveToken(ctx, h.S2.ID, h.ledger(h.S2), change.ID); err != nil || rep.Opened != 0 {
		t.Errorf("another's token: report %+v, %v; want nothing opened", rep, err)
	}
	if _, err := h.wallet.ReceiveToken(ctx, h.S2.ID, h.ledger(h.S2), "tnosuchtoken"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown token: %v, want NOT_FOUND", err)
	}
	if _, err := h.wallet.ReceiveToken(ctx, h.S2.ID, h.ledger(h.S2), "bad id\x00"); !errors.Is(err, wallet.ErrInvalidArgument) {
		t.Errorf("malformed ID: %v, want INVALID_ARGUMENT", err)
	}
}

// TestReceiveHosted: a split's result gives the wallet the openings of every
// output whose holder it hosts — the spender's change and the payee's
// payment — so the payee's receipt (ReceiveToken) reads nothing from the
// ledger; a holder without a key here is skipped.
func TestReceiveHosted(t *testing.T) {
	ctx := context.Background()
	h, s := scenario(t, storetest.SQLite(t))
	h.sync(t, h.S1)
	outs := h.spend(t, h.S1, []string{s.Root}, h.pay(t, h.S2, 100))
	tokens := make([]model.Token, 0, len(outs)+1)
	for _, o := range outs {
		tokens = append(tokens, *o)
	}
	elsewhere := tokens[0]
	elsewhere.ID, elsewhere.Holder = "telsewhere", "not-hosted-here"
	tokens = append(tokens, elsewhere)

	reps, err := h.wallet.ReceiveHosted(ctx, nil, tokens)
	if err != nil || len(reps) != 2 || reps[h.S1.ID] == nil || reps[h.S1.ID].Opened != 1 || reps[h.S2.ID] == nil || reps[h.S2.ID].Opened != 1 {
		t.Fatalf("ReceiveHosted: %+v, %v; want one opening each for %s and %s", reps, err, h.S1.ID, h.S2.ID)
	}
	if o, err := h.wallet.TokenOpening(ctx, h.S2.ID, outs[0].ID); err != nil || o.Value != 100 {
		t.Fatalf("payee's opening: %v, %v", o.Value, err)
	}
	l := h.ledger(h.S2)
	if rep, err := h.wallet.ReceiveToken(ctx, h.S2.ID, l, outs[0].ID); err != nil || rep.Kept != 1 || l.calls != 0 {
		t.Fatalf("payee's receipt after ReceiveHosted: %+v, %v, %d ledger calls; want it kept with none", rep, err, l.calls)
	}
	h.spend(t, h.S2, []string{outs[0].ID}, h.pay(t, h.S1, 40))
}
