package api

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/services/directory"
	"github.com/tierchain/tierchain/services/invoice"
)

func (a *API) registerEnterprises(r *gateway.Routes) {
	r.GET("/enterprises", a.listEnterprises)
	r.GET("/enterprises/:id", a.getEnterprise)
	if !a.d.Onboarding {
		const detail = "onboarding and the enterprises' lifecycle are served by the operator's gateway only"
		r.NotHosted(http.MethodPost, "/enterprises", detail)
		r.NotHosted(http.MethodPost, "/enterprises/:id/suspend", detail)
		r.NotHosted(http.MethodPost, "/enterprises/:id/reactivate", detail)
		return
	}
	r.POST("/enterprises", a.onboard, model.RoleOperator)
	r.POST("/enterprises/:id/suspend", a.enterpriseAction("SuspendEnterprise"), model.RoleOperator)
	r.POST("/enterprises/:id/reactivate", a.enterpriseAction("ReactivateEnterprise"), model.RoleOperator)
}

func (a *API) listEnterprises(c *gin.Context) error {
	role := c.Query("role")
	if role != "" && !model.Role(role).Valid() {
		return gateway.Invalid("invalid role", problem.FieldError{Field: "role", Reason: "core, supplier, bank, regulator or operator"})
	}
	return answerPage(a, c, role, "Enterprises", func(e model.Enterprise) EnterpriseView { return a.enterpriseView(c, e) })
}

// EnterpriseView is an enterprise as the ledger holds it, legal ID
// included. An enterprise registered before the ledger kept legal IDs has
// none there: its legal ID is then this gateway's directory's where it
// knows it (the operator's: the suppliers it onboarded; every gateway: the
// enterprises it acts for).
type EnterpriseView struct {
	model.Enterprise
}

func (a *API) enterpriseView(c *gin.Context, e model.Enterprise) EnterpriseView {
	v := EnterpriseView{Enterprise: e}
	if e.LegalID != "" || a.d.Directory == nil {
		return v
	}
	if m, err := a.d.Directory.Get(c.Request.Context(), e.ID); err == nil {
		v.LegalID = m.LegalID
	}
	return v
}

func (a *API) getEnterprise(c *gin.Context) error {
	id, err := gateway.PathID(c, "id")
	if err != nil {
		return err
	}
	return answer(a, c, "GetEnterprise", id, func(e model.Enterprise) EnterpriseView { return a.enterpriseView(c, e) })
}

// OnboardRequest onboards an enterprise after KYC. Without a certificate
// the enterprise is a supplier hosted by this gateway: the operator issues
// its Fabric identity and its encryption key here, and the response carries
// its API token (shown once). With a certificate (PEM) and encryption key
// the enterprise runs its own gateway and is only registered on the ledger.
type OnboardRequest struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Role          model.Role `json:"role"`
	LegalID       string     `json:"legalId"` // how invoices name it, e.g. "0192:915600123"; required
	MSPID         string     `json:"mspId,omitempty"`
	Certificate   string     `json:"certificate,omitempty"`   // PEM
	EncryptionKey []byte     `json:"encryptionKey,omitempty"` // HPKE X25519 public key
}

// Validate checks the request's shape.
func (r *OnboardRequest) Validate() []problem.FieldError {
	var errs []problem.FieldError
	if model.ValidateID("id", r.ID) != nil {
		errs = append(errs, problem.FieldError{Field: "id", Reason: "1-64 characters of A-Z a-z 0-9 . _ -"})
	}
	if r.Name == "" || len(r.Name) > 200 {
		errs = append(errs, problem.FieldError{Field: "name", Reason: "1-200 characters"})
	}
	if !r.Role.Valid() {
		errs = append(errs, problem.FieldError{Field: "role", Reason: "core, supplier, bank, regulator or operator"})
	}
	switch _, err := invoice.CanonicalPartyID(r.LegalID); {
	case r.LegalID == "":
		errs = append(errs, problem.FieldError{Field: "legalId", Reason: "required: the identifier invoices name the enterprise by, with its scheme (e.g. 0192:915600123)"})
	case len(r.LegalID) > 64:
		errs = append(errs, problem.FieldError{Field: "legalId", Reason: "at most 64 characters"})
	case err != nil:
		errs = append(errs, problem.FieldError{Field: "legalId", Reason: strings.TrimPrefix(err.Error(), invoice.ErrPartyID.Error()+": ")})
	}
	hosted := r.Certificate == "" && len(r.EncryptionKey) == 0 && r.MSPID == ""
	switch {
	case hosted && r.Role != model.RoleSupplier:
		errs = append(errs, problem.FieldError{Field: "role", Reason: "only suppliers are hosted by the operator; other roles bring their own certificate, MSP and encryption key"})
	case !hosted && (r.Certificate == "" || len(r.EncryptionKey) == 0 || r.MSPID == ""):
		errs = append(errs, problem.FieldError{Field: "certificate", Reason: "certificate, mspId and encryptionKey go together"})
	}
	return errs
}

// OnboardResponse is the registered enterprise and, for a hosted one, its
// API token.
type OnboardResponse struct {
	Enterprise model.Enterprise `json:"enterprise"`
	APIToken   string           `json:"apiToken,omitempty"`
}

func (a *API) onboard(c *gin.Context) error {
	var req OnboardRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	legal, err := invoice.CanonicalPartyID(req.LegalID)
	if err != nil {
		return gateway.Invalid("invalid legal ID", problem.FieldError{Field: "legalId", Reason: "not a valid identifier"})
	}
	req.LegalID = legal
	reg := model.RegisterEnterpriseRequest{ID: req.ID, Name: req.Name, Role: req.Role, LegalID: req.LegalID, MSPID: req.MSPID, EncryptionKey: req.EncryptionKey}
	hosted := req.Certificate == ""
	if hosted {
		m, err := a.d.Directory.Get(ctx, req.ID)
		switch {
		case errors.Is(err, directory.ErrNotFound):
			// A self-custody enterprise's legal ID and a member
			// organisation's card's are not in the directory's unique
			// column: checked first, before the wallet makes a key the
			// ledger would then refuse (it keeps legal IDs unique too).
			if err = a.legalIDFree(ctx, req.ID, req.LegalID); err == nil {
				m, err = a.d.Directory.Issue(ctx, directory.Member{ID: req.ID, Name: req.Name, Role: req.Role, Org: a.d.Org, LegalID: req.LegalID})
			}
			if errors.Is(err, directory.ErrExists) {
				// The enterprise ID is free (looked up above): the legal ID is
				// taken. Say no more than that the details cannot be used;
				// never which enterprise holds them.
				return problem.New(http.StatusConflict, problem.CodeConflict,
					"these details cannot be onboarded: check the legal ID with the enterprise's KYC file")
			}
			if err != nil {
				return err
			}
		case err != nil:
			return err
		case m.Role != req.Role || m.Name != req.Name || m.LegalID != req.LegalID:
			// An earlier onboarding of this ID stopped before the ledger;
			// only the same request may resume it.
			return problem.New(http.StatusConflict, problem.CodeConflict, "an enterprise with this ID is already hosted here")
		}
		key, err := a.d.Wallet.PublicKey(ctx, req.ID)
		if err != nil {
			if key, err = a.d.Wallet.GenerateKey(ctx, req.ID); err != nil {
				return err
			}
		}
		block, _ := pem.Decode(m.CertPEM)
		if block == nil {
			return fmt.Errorf("api: stored certificate of %s is not PEM", m.ID)
		}
		reg.MSPID, reg.Certificate, reg.EncryptionKey = m.MSPID, block.Bytes, key.Bytes()
	} else {
		block, _ := pem.Decode([]byte(req.Certificate))
		if block == nil || block.Type != "CERTIFICATE" {
			return gateway.Invalid("invalid certificate", problem.FieldError{Field: "certificate", Reason: "one PEM certificate"})
		}
		reg.Certificate = block.Bytes
	}
	var e model.Enterprise
	if _, err := a.submit(c, "RegisterEnterprise", &reg, &e); err != nil {
		return err
	}
	resp := OnboardResponse{Enterprise: e}
	if hosted {
		tok, err := a.d.Tokens.Issue(ctx, gateway.Principal{EnterpriseID: e.ID, Role: e.Role, MSPID: e.MSPID}, "onboarded")
		if err != nil {
			return err
		}
		resp.APIToken = tok
	}
	created(c, "/v1/enterprises/"+e.ID, resp)
	return nil
}

// legalIDFree reports directory.ErrExists when another enterprise known
// here (hosted, self-custody, or a member organisation's card) has legalID.
func (a *API) legalIDFree(ctx context.Context, id, legalID string) error {
	m, err := a.memberByLegalID(ctx, legalID)
	switch {
	case err == nil && m.ID != id:
		return directory.ErrExists
	case err != nil && !errors.Is(err, directory.ErrNotFound):
		return err
	}
	return nil
}

func (a *API) enterpriseAction(fn string) gateway.HandlerFunc {
	return func(c *gin.Context) error {
		id, err := gateway.PathID(c, "id")
		if err != nil {
			return err
		}
		if err := noBody(c); err != nil {
			return err
		}
		var e model.Enterprise
		if _, err := a.submit(c, fn, id, &e); err != nil {
			return err
		}
		c.JSON(http.StatusOK, e)
		return nil
	}
}
