package api

import (
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/webhook"
)

// SetWebhooks gives the API the webhook service its routes manage (the
// gateway also feeds the service its ledger events and runs its
// delivery). Without it the routes answer 503.
func (a *API) SetWebhooks(s *webhook.Service) { a.webhooks = s }

// registerWebhooks adds the subscriptions of an enterprise's own systems
// to its notifications (docs/api.md, "Webhooks").
func (a *API) registerWebhooks(r *gateway.Routes) {
	roles := []model.Role{model.RoleBank, model.RoleSupplier, model.RoleCore, model.RoleOperator}
	r.POST("/webhooks", a.subscribeWebhook, roles...)
	r.GET("/webhooks", a.listWebhooks, roles...)
	r.DELETE("/webhooks/:id", a.deleteWebhook, roles...)
	r.GET("/webhooks/deliveries", a.webhookDeliveries, roles...)
}

var errNoWebhooks = problem.New(http.StatusServiceUnavailable, problem.CodeUnavailable, "webhooks are not configured on this gateway")

// WebhookRequest subscribes a URL to event types (all when empty).
type WebhookRequest struct {
	URL    string              `json:"url"`
	Events []webhook.EventType `json:"events,omitempty"`
}

// Validate checks the request's shape: an http(s) URL, known event types.
func (r *WebhookRequest) Validate() []problem.FieldError {
	var errs []problem.FieldError
	if err := webhook.ValidateURL(r.URL); err != nil {
		errs = append(errs, problem.FieldError{Field: "url", Reason: "an absolute http:// or https:// URL with a host, without user information"})
	}
	for i, e := range r.Events {
		if !slices.Contains(webhook.EventTypes, e) {
			errs = append(errs, problem.FieldError{Field: fmt.Sprintf("events[%d]", i), Reason: fmt.Sprintf("one of %v", webhook.EventTypes)})
		}
	}
	return errs
}

// WebhookCreated is a new subscription with its signing secret, shown
// once: keep it to verify deliveries.
type WebhookCreated struct {
	Subscription webhook.Subscription `json:"subscription"`
	Secret       string               `json:"secret"` // hex; HMAC-SHA256 key of the TierChain-Signature header
}

func (a *API) subscribeWebhook(c *gin.Context) error {
	var req WebhookRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	if a.webhooks == nil {
		return errNoWebhooks
	}
	sub, secret, err := a.webhooks.Subscribe(c.Request.Context(), gateway.PrincipalOf(c).EnterpriseID, req.URL, req.Events)
	if err != nil {
		return webhookError(err)
	}
	c.JSON(http.StatusCreated, WebhookCreated{Subscription: *sub, Secret: hex.EncodeToString(secret)})
	return nil
}

func (a *API) listWebhooks(c *gin.Context) error {
	if a.webhooks == nil {
		return errNoWebhooks
	}
	subs, err := a.webhooks.Subscriptions(c.Request.Context(), gateway.PrincipalOf(c).EnterpriseID)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, subs)
	return nil
}

func (a *API) deleteWebhook(c *gin.Context) error {
	if a.webhooks == nil {
		return errNoWebhooks
	}
	id, err := gateway.PathID(c, "id")
	if err != nil {
		return err
	}
	if err := a.webhooks.Unsubscribe(c.Request.Context(), gateway.PrincipalOf(c).EnterpriseID, id); err != nil {
		return webhookError(err)
	}
	c.Status(http.StatusNoContent)
	return nil
}

func (a *API) webhookDeliveries(c *gin.Context) error {
	if a.webhooks == nil {
		return errNoWebhooks
	}
	ds, err := a.webhooks.Deliveries(c.Request.Context(), gateway.PrincipalOf(c).EnterpriseID, model.MaxPageSize)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, ds)
	return nil
}

// webhookError renders the service's typed errors as problems naming the
// field where there is one.
func webhookError(err error) error {
	var we *webhook.Error
	if !errors.As(err, &we) {
		return err
	}
	switch {
	case errors.Is(err, webhook.ErrBadURL), errors.Is(err, webhook.ErrDestination):
		return gateway.Invalid("invalid webhook URL", problem.FieldError{Field: "url", Reason: err.Error()})
	case errors.Is(err, webhook.ErrBadEvent):
		return gateway.Invalid("invalid event type", problem.FieldError{Field: "events", Reason: err.Error()})
	}
	return err
}
