package api

import (
	"encoding/json"
	"errors"
	"net/http"

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
	id, err := gateway.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := noBody(c); err != nil {
		return err
	}
	ctx := c.Request.Context()
	me := gateway.PrincipalOf(c).EnterpriseID
	var req *model.FileDisputeRequest
	if _, ok := resumed(c); !ok {
		l, err := a.ledger(c)
		if err != nil {
			return err
		}
		if err := a.ensureOpening(c, l, id); err != nil {
			return err
		}
		bad, err := a.d.Wallet.TokenBadEnvelope(ctx, me, id)
		if errors.Is(err, wallet.ErrNotFound) {
			return problem.New(http.StatusConflict, problem.CodeInvalidState,
				"this enterprise's wallet found no bad envelope for the token: it opened, or the token is not held by this enterprise")
		}
		if err != nil {
			return err
		}
		req = &model.FileDisputeRequest{Token: id, Reason: bad.Reason}
	}
	var d model.Dispute
	if _, err := a.submit(c, "FileDispute", req, &d); err != nil {
		return err
	}
	created(c, "", d)
	return nil
}
