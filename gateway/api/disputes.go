package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/wallet"
)

// EventBadEnvelope is the server-sent event type of a bad envelope the
// enterprise's wallet found; its data is a wallet.BadEnvelope.
const EventBadEnvelope = "wallet.bad-envelope"

func (a *API) registerDisputes(r *gateway.Routes) {
	r.GET("/bad-envelopes", a.badEnvelopes, model.RoleSupplier, model.RoleBank, model.RoleCore)
	r.POST("/tokens/:id/dispute", a.fileDispute, model.RoleSupplier, model.RoleBank)
}

// announceBad sends the enterprise one event per bad envelope its wallet
// has just recorded (each is announced once: a later sync knows it).
func (a *API) announceBad(enterpriseID string, rep *wallet.SyncReport) {
	if rep == nil {
		return
	}
	for _, b := range rep.Bad {
		a.d.Log.Warn("envelope does not open its commitment", "enterprise", enterpriseID, "kind", b.Kind, "id", b.ID,
			"sender", b.Sender, "reason", b.Reason)
		if a.d.Events == nil {
			continue
		}
		data, err := json.Marshal(b)
		if err != nil {
			continue
		}
		if _, err := a.d.Events.Publish(gateway.Event{Type: EventBadEnvelope, Data: data, To: []string{enterpriseID}}); err != nil {
			a.d.Log.Debug("publish bad envelope", "error", err)
		}
	}
}

// ReceiveEvent queues a ledger event for the receipt check (RunReceipts):
// the envelopes of the tokens it created for enterprises whose keys this
// gateway's wallet holds are checked as they arrive, so a bad one is
// recorded and announced then, not when its holder next looks. The ledger
// feed calls it and must not wait on ledger queries, so it only queues;
// when the queue is full the event is left to the holder's next sync,
// which checks the same envelopes.
func (a *API) ReceiveEvent(_ context.Context, e model.Event) {
	if a.d.Wallet == nil || a.d.Directory == nil || !slices.ContainsFunc(e.Tokens, isNewToken) {
		return
	}
	select {
	case a.receipts <- e:
	default:
		a.d.Log.Debug("receive: queue full, left to the next sync", "tx", e.TxID)
	}
}

// RunReceipts checks the queued events' new tokens until ctx ends.
func (a *API) RunReceipts(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case e := <-a.receipts:
			a.receive(ctx, e)
		}
	}
}

func isNewToken(t model.TokenChange) bool { return t.Commitment != nil && t.Holder != "" }

// receive opens each new token of e held by an enterprise this gateway
// hosts. The holder's own peer may commit the block a moment after the
// feed's: a token not found yet is asked again a few times; whatever still
// fails is left to the next sync.
func (a *API) receive(ctx context.Context, e model.Event) {
	var hosted []string
	for _, t := range e.Tokens {
		if !isNewToken(t) {
			continue
		}
		if hosted == nil {
			var err error
			if hosted, err = a.d.Wallet.Enterprises(ctx); err != nil {
				a.d.Log.Warn("receive: wallet keys", "error", err)
				return
			}
		}
		if !slices.Contains(hosted, t.Holder) {
			continue
		}
		l, err := a.d.Directory.Client(ctx, t.Holder)
		if err != nil {
			a.d.Log.Debug("receive: ledger client", "holder", t.Holder, "error", err)
			continue
		}
		var rep *wallet.SyncReport
		for attempt := range receiveAttempts {
			if rep, err = a.d.Wallet.ReceiveToken(ctx, t.Holder, l, t.ID); !errors.Is(err, model.ErrNotFound) || attempt == receiveAttempts-1 {
				break
			}
			select {
			case <-ctx.Done():
				return
			case <-time.After(receiveRetry):
			}
		}
		if err != nil {
			a.d.Log.Debug("receive: token", "holder", t.Holder, "token", t.ID, "error", err)
			continue
		}
		a.announceBad(t.Holder, rep)
	}
}

// How receive waits for the holder's peer, and how many events wait for
// it.
const (
	receiptQueue    = 1024
	receiveAttempts = 5
	receiveRetry    = 200 * time.Millisecond
)

// BadEnvelopeList is what GET /v1/bad-envelopes returns.
type BadEnvelopeList struct {
	Items []wallet.BadEnvelope `json:"items"`
}

// badEnvelopes: the records addressed to the caller whose envelopes do not
// open their commitments, after a sync of its wallet.
func (a *API) badEnvelopes(c *gin.Context) error {
	if err := a.syncWallet(c); err != nil {
		return err
	}
	items, err := a.d.Wallet.BadEnvelopes(c.Request.Context(), gateway.PrincipalOf(c).EnterpriseID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, BadEnvelopeList{Items: items})
	return nil
}

// fileDispute: the holder puts on the ledger that its token's envelope
// does not open, with the reason its wallet recorded. The gateway files
// only what the wallet found: a token whose envelope opens is refused
// here (the chaincode, which cannot open envelopes, would take the claim).
func (a *API) fileDispute(c *gin.Context) error {
	k, err := a.open(c, nil)
	if err != nil {
		return err
	}
	if err := noBody(c); err != nil {
		return err
	}
	var d model.Dispute
	if _, err := a.submitBuilt(c, "FileDispute", func(ctx context.Context, l wallet.Ledger) (any, error) {
		if err := a.ensureOpening(c, l, k.id); err != nil {
			return nil, err
		}
		bad, err := a.d.Wallet.TokenBadEnvelope(ctx, k.me, k.id)
		if errors.Is(err, wallet.ErrNotFound) {
			return nil, problem.New(http.StatusConflict, problem.CodeInvalidState,
				"this enterprise's wallet found no bad envelope for the token: it opened, or the token is not held by this enterprise")
		}
		if err != nil {
			return nil, err
		}
		return &model.FileDisputeRequest{Token: k.id, Reason: bad.Reason}, nil
	}, &d); err != nil {
		return err
	}
	created(c, "", d)
	return nil
}
