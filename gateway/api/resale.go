package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/wallet"
)

// registerResale adds the resale of financed pieces between banks
// (forfaiting).
func (a *API) registerResale(r *gateway.Routes) {
	r.POST("/tokens/:id/resale", a.offerResale, model.RoleBank)
	r.GET("/tokens/:id/resale", a.getResale, model.RoleBank)
	r.POST("/tokens/:id/resale/accept", a.acceptResale, model.RoleBank)
	r.POST("/tokens/:id/resale/cancel", a.tokenAction("CancelResale"), model.RoleBank)
	r.GET("/resale-offers", a.resaleOffers, model.RoleBank)
}

// ResaleRequest offers a financed piece the caller holds to another bank
// at a price (a decimal amount, at most the face), disclosed only to the
// two banks and the regulator.
type ResaleRequest struct {
	Buyer string `json:"buyer"`
	Price string `json:"price"`
}

// Validate checks the request's shape.
func (r *ResaleRequest) Validate() []problem.FieldError {
	var errs []problem.FieldError
	if model.ValidateID("buyer", r.Buyer) != nil {
		errs = append(errs, problem.FieldError{Field: "buyer", Reason: "an enterprise ID"})
	}
	if r.Price == "" {
		errs = append(errs, problem.FieldError{Field: "price", Reason: "a decimal amount"})
	}
	return errs
}

// ResaleView is a pending resale offer as its seller or buyer opens it.
type ResaleView struct {
	Token  TokenView `json:"token"`
	Seller string    `json:"seller"`
	Buyer  string    `json:"buyer"`
	Face   Money     `json:"face"`
	Price  Money     `json:"price"`
	// InvoiceRefs, for the buyer: the invoices under the receivable with
	// the numbers the seller sealed to it, checked against the ledger as
	// in the inbox (financing_refs.go).
	InvoiceRefs []InvoiceRefView `json:"invoiceRefs,omitempty"`
}

func (a *API) offerResale(c *gin.Context) error {
	var req ResaleRequest
	k, err := a.open(c, &req)
	if err != nil {
		return err
	}
	if err := amountSyntax("price", req.Price); err != nil {
		return err
	}
	cur, err := a.tokenCurrency(c, k.id)
	if err != nil {
		return err
	}
	price, err := parseAmount("price", req.Price, cur)
	if err != nil {
		return err
	}
	var t model.Token
	if _, err := a.submitBuilt(c, "OfferResale", func(ctx context.Context, l wallet.Ledger) (any, error) {
		spec := wallet.ResaleSpec{Seller: k.me, Token: k.id, Price: price}
		if spec.Buyer, err = a.keys.recipient(ctx, l, req.Buyer); err != nil {
			return nil, err
		}
		if spec.Auditor, err = a.keys.auditorOf(ctx, l); err != nil {
			return nil, err
		}
		if err := a.syncWallet(c); err != nil {
			return nil, err
		}
		return a.d.Wallet.BuildResale(ctx, l, spec)
	}, &t); err != nil {
		return err
	}
	return a.renderResale(c, t.View(a.d.Now()))
}

func (a *API) renderResale(c *gin.Context, t model.TokenView) error {
	me := gateway.PrincipalOf(c).EnterpriseID
	amounts, err := a.d.Wallet.OpenResale(c.Request.Context(), me, &t)
	if err != nil {
		return err
	}
	v := ResaleView{Token: a.tokenView(c, t), Seller: t.Resale.Seller, Buyer: t.Resale.Buyer,
		Face: NewMoney(amounts.Face, t.Currency), Price: NewMoney(amounts.Price, t.Currency)}
	if me == t.Resale.Buyer {
		v.InvoiceRefs = a.resaleRefs(c, &t)
	}
	c.JSON(http.StatusOK, v)
	return nil
}

func (a *API) getResale(c *gin.Context) error {
	_, t, err := a.pathToken(c)
	if err != nil {
		return err
	}
	return a.renderResale(c, t)
}

// AcceptResaleRequest is the buyer's acceptance with its payment reference.
type AcceptResaleRequest struct {
	PaymentRef string `json:"paymentRef"`
}

// Validate checks the request's shape.
func (r *AcceptResaleRequest) Validate() []problem.FieldError {
	if r.PaymentRef == "" || len(r.PaymentRef) > model.MaxTextLength {
		return []problem.FieldError{{Field: "paymentRef", Reason: fmt.Sprintf("1 to %d bytes: the reference of the price's payment", model.MaxTextLength)}}
	}
	return nil
}

func (a *API) acceptResale(c *gin.Context) error {
	var req AcceptResaleRequest
	k, err := a.open(c, &req)
	if err != nil {
		return err
	}
	return a.submitToken(c, "AcceptResale", &model.AcceptResaleRequest{Token: k.id, PaymentRef: req.PaymentRef})
}

func (a *API) resaleOffers(c *gin.Context) error {
	return answerPage(a, c, gateway.PrincipalOf(c).EnterpriseID, "ResaleOffers", func(t model.TokenView) TokenView { return a.tokenView(c, t) })
}
