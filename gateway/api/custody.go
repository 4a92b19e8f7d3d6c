package api

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"database/sql"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/fabricca"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/internal/relay"
	"github.com/tierchain/tierchain/services/custody"
	"github.com/tierchain/tierchain/services/directory"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/zk/envelope"
)

// Self-custody (docs/custody.md): an enterprise of this gateway's
// organisation whose Fabric key and HPKE key live on its own device. The
// gateway keeps its certificate only, prepares and relays what it signs
// (relay.go), and never holds one of its openings.

func (a *API) registerCustody(r *gateway.Routes) {
	r.GET("/custody", a.custodyMode)
	r.POST("/custody/export", a.custodyExport, model.RoleSupplier)
	r.POST("/custody/import", a.custodyImport, model.RoleSupplier)
	r.POST("/relay/proposals", a.relayPrepare, model.RoleSupplier)
	r.POST("/relay/evaluate", a.relayEvaluate, model.RoleSupplier)
	r.POST("/relay/endorse", a.relayEndorse, model.RoleSupplier)
	r.POST("/relay/submit", a.relaySubmit, model.RoleSupplier)
	r.GET("/relay/invoice-parties", a.relayInvoiceParties, model.RoleSupplier)
	if !a.d.Onboarding {
		const detail = "self-custody onboarding and the custody log are served by the operator's gateway only"
		r.NotHosted(http.MethodPost, "/custody/enterprises", detail)
		r.NotHosted(http.MethodGet, "/custody/log", detail)
		return
	}
	r.POST("/custody/enterprises", a.onboardSelf, model.RoleOperator)
	r.GET("/custody/log", a.custodyLog, model.RoleOperator)
}

func selfCustodyProblem(id string) *problem.Problem {
	return problem.New(http.StatusConflict, problem.CodeSelfCustody,
		"enterprise "+id+" holds its own keys: this gateway cannot act for it, only relay what it signs (/v1/relay)")
}

// custodyOf returns the self-custody record of the request's enterprise,
// or a problem when it is hosted.
func (a *API) custodyOf(c *gin.Context) (custody.Enterprise, error) {
	id := gateway.PrincipalOf(c).EnterpriseID
	if a.d.Custody == nil {
		return custody.Enterprise{}, problem.New(http.StatusConflict, problem.CodeInvalidState, "this gateway hosts no self-custody enterprise")
	}
	e, err := a.d.Custody.Get(c.Request.Context(), id)
	if errors.Is(err, custody.ErrNotSelf) {
		return custody.Enterprise{}, problem.New(http.StatusConflict, problem.CodeInvalidState,
			"enterprise "+id+" is hosted: its gateway acts for it with the business routes")
	}
	return e, err
}

// CustodyMode is who holds an enterprise's keys.
type CustodyMode struct {
	Enterprise  string       `json:"enterprise"`
	Mode        custody.Mode `json:"mode"`
	MSPID       string       `json:"mspId,omitempty"`
	Certificate string       `json:"certificate,omitempty"` // PEM, self-custody
}

func (a *API) custodyMode(c *gin.Context) error {
	id := gateway.PrincipalOf(c).EnterpriseID
	out := CustodyMode{Enterprise: id, Mode: custody.Hosted}
	if a.d.Custody != nil {
		e, err := a.d.Custody.Get(c.Request.Context(), id)
		switch {
		case err == nil:
			out.Mode, out.MSPID, out.Certificate = custody.Self, e.MSPID, string(e.CertPEM)
		case !errors.Is(err, custody.ErrNotSelf):
			return err
		}
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// SelfCustodyRequest onboards a supplier that keeps its keys on its own
// device. It sends public keys only, and proves it holds the signing key.
type SelfCustodyRequest struct {
	ID            string `json:"id"`
	Name          string `json:"name"`
	LegalID       string `json:"legalId"`
	SigningKey    string `json:"signingKey"`    // PEM "PUBLIC KEY", P-256
	EncryptionKey []byte `json:"encryptionKey"` // HPKE X25519 public key
	// Proof is the ASN.1 ECDSA signature, by the signing key, of
	// relay.OnboardDigest(id, signingKey, encryptionKey).
	Proof []byte `json:"proof"`
}

// SelfCustodyResponse is the registered enterprise, the certificate the
// operator's CA issued for its key, and its API token (shown once).
type SelfCustodyResponse struct {
	Enterprise  model.Enterprise `json:"enterprise"`
	MSPID       string           `json:"mspId"`
	Certificate string           `json:"certificate"`
	APIToken    string           `json:"apiToken"`
}

func (a *API) onboardSelf(c *gin.Context) error {
	var req SelfCustodyRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	ctx := c.Request.Context()
	var errs []problem.FieldError
	if model.ValidateID("id", req.ID) != nil {
		errs = append(errs, problem.FieldError{Field: "id", Reason: "1-64 characters of A-Z a-z 0-9 . _ -"})
	}
	if req.Name == "" || len(req.Name) > 200 {
		errs = append(errs, problem.FieldError{Field: "name", Reason: "1-200 characters"})
	}
	legal, err := invoice.CanonicalPartyID(req.LegalID)
	if err != nil || len(req.LegalID) > 64 {
		errs = append(errs, problem.FieldError{Field: "legalId", Reason: "the identifier invoices name the enterprise by, with its scheme (e.g. 0192:915600123)"})
	}
	pub, perr := parseP256Public(req.SigningKey)
	if perr != nil {
		errs = append(errs, problem.FieldError{Field: "signingKey", Reason: "one PEM P-256 public key"})
	}
	if _, err := envelope.DecodePublicKey(req.EncryptionKey); err != nil {
		errs = append(errs, problem.FieldError{Field: "encryptionKey", Reason: "an X25519 public key (32 bytes)"})
	}
	if len(errs) > 0 {
		return gateway.Invalid("invalid self-custody onboarding", errs...)
	}
	digest, err := relay.OnboardDigest(req.ID, pub, req.EncryptionKey)
	if err != nil {
		return err
	}
	if !ecdsa.VerifyASN1(pub, digest, req.Proof) {
		return problem.New(http.StatusForbidden, problem.CodeBadSignature, "the proof is not the signing key's signature of the onboarding request")
	}
	if _, err := a.d.Directory.Get(ctx, req.ID); err == nil {
		return problem.New(http.StatusConflict, problem.CodeConflict, "an enterprise with this ID is already hosted here")
	} else if !errors.Is(err, directory.ErrNotFound) {
		return err
	}
	if m, err := a.memberByLegalID(ctx, legal); err == nil && m.ID != req.ID {
		// As for a hosted onboarding: never which enterprise holds it.
		return problem.New(http.StatusConflict, problem.CodeConflict,
			"these details cannot be onboarded: check the legal ID with the enterprise's KYC file")
	} else if err != nil && !errors.Is(err, directory.ErrNotFound) {
		return err
	}
	org, ok := a.d.Directory.Org(a.d.Org)
	if !ok || org.CA == nil {
		return fmt.Errorf("api: organisation %s has no CA at this gateway", a.d.Org)
	}
	// An ID the ledger already knows is another enterprise's (or this
	// one's, registered by an attempt whose answer was lost: resumed below).
	var onLedger model.Enterprise
	var cc *fabricclient.ChaincodeError
	registered := false
	switch err := a.evaluate(c, &onLedger, "GetEnterprise", req.ID); {
	case err == nil:
		if rec, gerr := a.d.Custody.Get(ctx, req.ID); gerr != nil || certHash(rec.CertPEM) != onLedger.CertHash {
			return problem.New(http.StatusConflict, problem.CodeConflict, "enterprise "+req.ID+" is already registered")
		}
		registered = true
	case errors.As(err, &cc) && cc.Code == string(model.CodeNotFound):
	default:
		return err
	}
	rec, err := a.d.Custody.Get(ctx, req.ID)
	switch {
	case errors.Is(err, custody.ErrNotSelf):
		// First attempt: the CA certifies the device's key.
		now := a.d.Now()
		certPEM, err := org.CA.IssueClientFor(req.ID+"@"+strings.ToLower(a.d.Org), pub, now, now.AddDate(2, 0, 0), nil)
		if err != nil {
			return err
		}
		rec = custody.Enterprise{ID: req.ID, MSPID: org.MSPID, CertPEM: certPEM, LegalID: legal}
		if err := a.d.Custody.SetSelf(ctx, rec, custody.Event{Enterprise: req.ID, Action: custody.ActionOnboardedSelf,
			Actor: gateway.PrincipalOf(c).EnterpriseID, Detail: "certificate issued for the device's key; no private key or opening held here"}, nil); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		// An earlier attempt stopped before the ledger: only the same key
		// may resume it.
		cert, err := fabricca.ParseCertificatePEM(rec.CertPEM)
		if err != nil {
			return err
		}
		if k, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || !k.Equal(pub) || rec.LegalID != legal {
			return problem.New(http.StatusConflict, problem.CodeConflict, "an enterprise with this ID is already in self-custody here")
		}
	}
	block, _ := pem.Decode(rec.CertPEM)
	reg := model.RegisterEnterpriseRequest{ID: req.ID, Name: req.Name, Role: model.RoleSupplier, LegalID: legal, MSPID: rec.MSPID,
		Certificate: block.Bytes, EncryptionKey: req.EncryptionKey}
	e := onLedger
	if !registered {
		if _, err := a.submit(c, "RegisterEnterprise", &reg, &e); err != nil {
			return err
		}
	}
	tok, err := a.d.Tokens.Issue(ctx, gateway.Principal{EnterpriseID: e.ID, Role: e.Role, MSPID: e.MSPID}, "self-custody")
	if err != nil {
		return err
	}
	created(c, "/v1/enterprises/"+e.ID, SelfCustodyResponse{Enterprise: e, MSPID: rec.MSPID, Certificate: string(rec.CertPEM), APIToken: tok})
	return nil
}

// certHash is the ledger's name for a certificate: hex SHA-256 of its DER.
func certHash(certPEM []byte) string {
	block, _ := pem.Decode(certPEM)
	if block == nil {
		return ""
	}
	sum := sha256.Sum256(block.Bytes)
	return hex.EncodeToString(sum[:])
}

func parseP256Public(s string) (*ecdsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil, errors.New("not a PEM public key")
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	pub, ok := k.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		return nil, errors.New("not a P-256 key")
	}
	return pub, nil
}

// CustodyLog is the custody log: every onboarding into self-custody and
// every move of keys, oldest first.
type CustodyLog struct {
	Events []custody.Event `json:"events"`
}

func (a *API) custodyLog(c *gin.Context) error {
	out := CustodyLog{Events: []custody.Event{}}
	if id := c.Query("enterprise"); id != "" && model.ValidateID("enterprise", id) != nil {
		return gateway.Invalid("invalid enterprise", problem.FieldError{Field: "enterprise", Reason: "an enterprise ID"})
	}
	if a.d.Custody != nil {
		evs, err := a.d.Custody.Log(c.Request.Context(), c.Query("enterprise"))
		if err != nil {
			return err
		}
		out.Events = append(out.Events, evs...)
	}
	c.JSON(http.StatusOK, out)
	return nil
}

// ExportRequest moves a hosted enterprise to self-custody: the device
// sends a one-time X25519 transport key (relay.NewTransportKey).
type ExportRequest struct {
	TransportKey []byte `json:"transportKey"`
}

// ExportResponse carries the enterprise's keys sealed to the transport
// key (relay.OpenExport); the gateway has deleted its copies.
type ExportResponse struct {
	Enterprise string `json:"enterprise"`
	Sealed     []byte `json:"sealed"`
	Mode       string `json:"mode"`
}

func (a *API) custodyExport(c *gin.Context) error {
	var req ExportRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	if a.d.Custody == nil {
		return problem.New(http.StatusConflict, problem.CodeInvalidState, "this gateway offers no self-custody")
	}
	ctx := c.Request.Context()
	id := gateway.PrincipalOf(c).EnterpriseID
	if _, err := envelope.DecodePublicKey(req.TransportKey); err != nil {
		return gateway.Invalid("invalid transport key", problem.FieldError{Field: "transportKey", Reason: "an X25519 public key (32 bytes)"})
	}
	m, err := a.d.Directory.Get(ctx, id)
	if errors.Is(err, directory.ErrNotFound) {
		return selfCustodyProblem(id)
	}
	if err != nil {
		return err
	}
	keyPEM, err := a.d.Directory.KeyPEM(ctx, id)
	if err != nil {
		return err
	}
	hpkeKey, err := a.d.Wallet.PrivateKey(ctx, id)
	if err != nil {
		return err
	}
	sealed, err := relay.SealExport(req.TransportKey, relay.ExportedKeys{EnterpriseID: id, MSPID: m.MSPID, CertPEM: string(m.CertPEM),
		SigningKeyPEM: string(keyPEM), EncryptionKey: hpkeKey.Bytes()}, nil)
	if err != nil {
		return err
	}
	err = a.d.Custody.SetSelf(ctx, custody.Enterprise{ID: id, MSPID: m.MSPID, CertPEM: m.CertPEM, LegalID: m.LegalID},
		custody.Event{Enterprise: id, Action: custody.ActionExported, Actor: id,
			Detail: "keys exported once, sealed to the device; the gateway deleted its Fabric key, HPKE key and every opening"},
		func(tx *sql.Tx) error {
			if err := a.d.Directory.ForgetTx(ctx, tx, id); err != nil {
				return err
			}
			return a.d.Wallet.ForgetTx(ctx, tx, id)
		})
	if err != nil {
		return err
	}
	a.d.Log.InfoContext(ctx, "custody: keys exported, gateway copies deleted", "enterprise", id)
	c.JSON(http.StatusOK, ExportResponse{Enterprise: id, Sealed: sealed, Mode: string(custody.Self)})
	return nil
}

// ImportRequest hands a self-custody enterprise's keys back to the
// gateway (the reverse move): its Fabric key (PKCS#8 PEM) and HPKE key.
type ImportRequest struct {
	SigningKey    string `json:"signingKey"`
	EncryptionKey []byte `json:"encryptionKey"`
}

// String redacts the keys.
func (ImportRequest) String() string { return "api.ImportRequest{REDACTED}" }

func (a *API) custodyImport(c *gin.Context) error {
	var req ImportRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	rec, err := a.custodyOf(c)
	if err != nil {
		return err
	}
	ctx := c.Request.Context()
	key, err := fabricca.ParsePrivateKeyPEM([]byte(req.SigningKey))
	if err != nil {
		return gateway.Invalid("invalid signing key", problem.FieldError{Field: "signingKey", Reason: "a PKCS#8 PEM private key"})
	}
	cert, err := fabricca.ParseCertificatePEM(rec.CertPEM)
	if err != nil {
		return err
	}
	if pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(cert.PublicKey) {
		return problem.New(http.StatusForbidden, problem.CodeBadSignature, "the signing key is not the key of the enterprise's registered certificate")
	}
	hk, err := envelope.DecodePrivateKey(req.EncryptionKey)
	if err != nil {
		return gateway.Invalid("invalid encryption key", problem.FieldError{Field: "encryptionKey", Reason: "an X25519 private key (32 bytes)"})
	}
	self, err := a.d.Directory.Client(ctx, a.d.Self)
	if err != nil {
		return err
	}
	var e model.Enterprise
	if err := evaluateWith(ctx, self, &e, "GetEnterprise", rec.ID); err != nil {
		return err
	}
	if !bytes.Equal(e.EncryptionKey, hk.Public().Bytes()) {
		return problem.New(http.StatusForbidden, problem.CodeBadSignature, "the encryption key is not the one the ledger registered for the enterprise")
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	if _, err := a.d.Directory.Add(ctx, directory.Member{ID: rec.ID, Name: e.Name, Role: e.Role, Org: a.d.Org, LegalID: rec.LegalID, CertPEM: rec.CertPEM}, keyPEM); err != nil && !errors.Is(err, directory.ErrExists) {
		return err
	}
	if err := a.d.Wallet.ImportKey(ctx, rec.ID, hk); err != nil {
		return err
	}
	if err := a.d.Custody.SetHosted(ctx, rec.ID, custody.Event{Enterprise: rec.ID, Action: custody.ActionImported, Actor: rec.ID,
		Detail: "keys handed to the gateway: it holds the Fabric key and HPKE key again and rebuilds the openings from the chain"}, nil); err != nil {
		return err
	}
	// The wallet rebuilds the openings from the chain, reading as the
	// enterprise (the ledger lists a holder's tokens to the holder).
	if own, err := a.d.Directory.Client(ctx, rec.ID); err != nil {
		return err
	} else if _, err := a.d.Wallet.Sync(ctx, rec.ID, own); err != nil {
		a.d.Log.WarnContext(ctx, "custody: first sync after import", "enterprise", rec.ID, "err", err)
	}
	c.JSON(http.StatusOK, CustodyMode{Enterprise: rec.ID, Mode: custody.Hosted})
	return nil
}
