package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/problem"
	"github.com/tierchain/tierchain/internal/relay"
	"github.com/tierchain/tierchain/services/custody"
	"github.com/tierchain/tierchain/services/directory"
	"github.com/tierchain/tierchain/services/invoice"
)

// The relay (docs/custody.md): a self-custody enterprise's device builds
// its request (proofs, envelopes) itself; the gateway prepares the Fabric
// proposal, the device signs its digest, the gateway checks the signature
// against the enterprise's registered certificate and relays it for
// evaluation or endorsement, then the same for the endorsed transaction.
// The gateway sees only what goes on the ledger.

// RelayMaxArgs bounds a relayed call's arguments.
const RelayMaxArgs = 8

// RelayProposalAge is how old a signed proposal may be when relayed.
const RelayProposalAge = 5 * time.Minute

var relayFunction = regexp.MustCompile(`^[A-Z][A-Za-z0-9]{0,63}$`)

// RelayPrepareRequest is the call the device built: a function of the
// tierchain contract and its arguments (the chaincode's JSON requests).
type RelayPrepareRequest struct {
	Function string   `json:"function"`
	Args     []string `json:"args"`
}

// The relay's wire types are internal/relay's, shared with the device.
type (
	// RelayUnsigned is a proposal or transaction for the device to check
	// and sign.
	RelayUnsigned = relay.Unsigned
	// RelaySigned is a signed proposal or transaction.
	RelaySigned = relay.Signed
	// RelayResult is a query's answer or a committed transaction.
	RelayResult = relay.Committed
)

func (a *API) relayPrepare(c *gin.Context) error {
	var req RelayPrepareRequest
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return err
	}
	if !relayFunction.MatchString(req.Function) {
		return gateway.Invalid("invalid call", problem.FieldError{Field: "function", Reason: "a function of the tierchain contract"})
	}
	if len(req.Args) > RelayMaxArgs {
		return gateway.Invalid("invalid call", problem.FieldError{Field: "args", Reason: "at most 8 arguments"})
	}
	rec, err := a.custodyOf(c)
	if err != nil {
		return err
	}
	off, err := a.d.Directory.Offline(a.d.Org, rec.CertPEM)
	if err != nil {
		return err
	}
	defer off.Close()
	args := make([][]byte, len(req.Args))
	for i, s := range req.Args {
		args[i] = []byte(s)
	}
	u, err := off.Prepare(fabricclient.Call{Contract: Contract, Function: req.Function, Args: args})
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, RelayUnsigned{TxID: u.TxID, Bytes: u.Bytes, Digest: u.Digest})
	return nil
}

// signedProposal checks a relayed proposal: well-formed, for this channel
// and chaincode's contract, fresh, signed by the enterprise's registered
// certificate, and never relayed before (claimed for stage).
func (a *API) signedProposal(c *gin.Context, rec custody.Enterprise, s RelaySigned, stage string) (*relay.Proposal, error) {
	p, err := relay.InspectProposal(s.Bytes)
	if err != nil {
		return nil, gateway.Invalid("invalid proposal", problem.FieldError{Field: "bytes", Reason: "a proposal as /v1/relay/proposals prepared it"})
	}
	if err := relay.Verify(rec.MSPID, rec.CertPEM, p.Creator, p.Digest, s.Signature); err != nil {
		return nil, problem.New(http.StatusForbidden, problem.CodeBadSignature,
			"the proposal is not signed by the certificate the ledger registered for "+rec.ID)
	}
	if p.Channel != a.d.Context.Channel || p.Chaincode != a.d.Context.Chaincode || !relayFunction.MatchString(trimContract(p.Function)) {
		return nil, gateway.Invalid("invalid proposal", problem.FieldError{Field: "bytes", Reason: "a call of this channel's tierchain contract"})
	}
	if age := a.d.Now().Sub(p.Timestamp); age > RelayProposalAge || age < -RelayProposalAge {
		return nil, gateway.Invalid("stale proposal", problem.FieldError{Field: "bytes", Reason: "prepared more than 5 minutes ago: prepare a new one"})
	}
	if err := a.d.Custody.Claim(c.Request.Context(), rec.ID, p.TxID, stage); err != nil {
		return nil, relayClaimProblem(err)
	}
	return p, nil
}

func trimContract(fn string) string {
	if len(fn) > len(Contract)+1 && fn[:len(Contract)+1] == Contract+":" {
		return fn[len(Contract)+1:]
	}
	return ""
}

func relayClaimProblem(err error) error {
	switch {
	case errors.Is(err, custody.ErrReplayed):
		return problem.New(http.StatusConflict, problem.CodeReplayed, "this signed proposal or transaction was relayed before: prepare a new one")
	case errors.Is(err, custody.ErrUnknownTx):
		return problem.New(http.StatusConflict, problem.CodeInvalidState, "no proposal of this enterprise was endorsed with this transaction ID here")
	}
	return err
}

// relayProposal decodes a signed proposal, checks it for stage and relays
// it with send over an offline client of the enterprise's certificate.
func (a *API) relayProposal(c *gin.Context, stage string, send func(*fabricclient.Offline, RelaySigned) (any, error)) error {
	req, rec, err := a.relayed(c)
	if err != nil {
		return err
	}
	if _, err := a.signedProposal(c, rec, req, stage); err != nil {
		return err
	}
	off, err := a.d.Directory.Offline(a.d.Org, rec.CertPEM)
	if err != nil {
		return err
	}
	defer off.Close()
	out, err := send(off, req)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, out)
	return nil
}

func (a *API) relayEvaluate(c *gin.Context) error {
	return a.relayProposal(c, custody.StageEvaluate, func(off *fabricclient.Offline, req RelaySigned) (any, error) {
		out, err := off.EvaluateSigned(c.Request.Context(), req.Bytes, req.Signature)
		return RelayResult{Result: out}, err
	})
}

func (a *API) relayEndorse(c *gin.Context) error {
	req, rec, err := a.relayed(c)
	if err != nil {
		return err
	}
	p, err := a.signedProposal(c, rec, req, custody.StageEndorse)
	if err != nil {
		return err
	}
	var inv *model.RegisterInvoiceRequest
	if trimContract(p.Function) == "RegisterInvoice" {
		if inv, err = a.relayedInvoice(rec, p); err != nil {
			return err
		}
	}
	off, err := a.d.Directory.Offline(a.d.Org, rec.CertPEM)
	if err != nil {
		return err
	}
	defer off.Close()
	u, result, err := off.EndorseSigned(c.Request.Context(), req.Bytes, req.Signature)
	if err != nil {
		if inv != nil {
			return a.relayedInvoiceRefused(c, inv, err)
		}
		return err
	}
	c.JSON(http.StatusOK, RelayUnsigned{TxID: u.TxID, Bytes: u.Bytes, Digest: u.Digest, Result: result})
	return nil
}

// The relayed invoice (docs/custody.md, "Invoices"): a self-custody
// supplier's device parses its invoice, gets its fingerprint through the
// OPRF, seals the filing to the buyer and commits to the amount; the
// gateway sees the RegisterInvoice request as the ledger will hold it and
// stores nothing of the invoice. It checks what it can read (the supplier
// has a registered legal ID, the request is well-formed) and, when the
// ledger already holds the fingerprint, records the reuse attempt as for a
// hosted upload.

// relayedInvoice decodes and checks a relayed RegisterInvoice proposal.
func (a *API) relayedInvoice(rec custody.Enterprise, p *relay.Proposal) (*model.RegisterInvoiceRequest, error) {
	if rec.LegalID == "" {
		return nil, problem.New(http.StatusForbidden, problem.CodeForbidden,
			"your enterprise has no registered legal ID: the operator records it before you can file invoices")
	}
	var req model.RegisterInvoiceRequest
	if len(p.Args) != 1 || json.Unmarshal(p.Args[0], &req) != nil {
		return nil, gateway.Invalid("invalid proposal", problem.FieldError{Field: "bytes", Reason: "RegisterInvoice takes one JSON request"})
	}
	if err := req.Validate(); err != nil {
		return nil, gateway.Invalid("invalid invoice registration", problem.FieldError{Field: "bytes", Reason: err.Error()})
	}
	return &req, nil
}

// relayedInvoiceRefused maps a refused endorsement of a relayed invoice:
// a fingerprint the ledger holds already is the same 409 as a hosted
// upload's, recorded as a reuse attempt (without the invoice number, which
// the gateway never sees).
func (a *API) relayedInvoiceRefused(c *gin.Context, req *model.RegisterInvoiceRequest, err error) error {
	var cc *fabricclient.ChaincodeError
	if !errors.As(err, &cc) || cc.Code != string(model.CodeConflict) {
		return err
	}
	buyer := req.Buyer
	if m, gerr := a.d.Directory.Get(c.Request.Context(), req.Buyer); gerr == nil && m.LegalID != "" {
		buyer = m.LegalID
	}
	a.recordReuse(c, &invoice.Invoice{Buyer: invoice.Party{ID: buyer}}, req.Fingerprint, invoice.ReuseOnLedger)
	return problem.New(http.StatusConflict, problem.CodeConflict,
		"this invoice is already registered on the ledger: one invoice backs one receivable")
}

// RelayParty is an enterprise as an invoice names it.
type RelayParty struct {
	ID      string `json:"id"`
	LegalID string `json:"legalId"`
}

// RelayInvoiceParties is what a self-custody supplier's device needs to
// file an invoice: its own registered legal ID (the seller the document
// must name), the core enterprise the document names as buyer (resolved as
// for a hosted upload), and the operator's OPRF public key, against which
// the device verifies each fingerprint evaluation.
type RelayInvoiceParties struct {
	Seller  RelayParty `json:"seller"`
	Buyer   RelayParty `json:"buyer"`
	OPRFKey []byte     `json:"oprfKey"`
}

// relayInvoiceParties: GET /v1/relay/invoice-parties?buyer=LEGAL-ID. The
// gateway learns the buyer's legal ID, which the ledger record names by
// its enterprise ID anyway; an unknown buyer is the hosted upload's answer.
func (a *API) relayInvoiceParties(c *gin.Context) error {
	rec, err := a.custodyOf(c)
	if err != nil {
		return err
	}
	if a.d.OPRF == nil {
		return problem.New(http.StatusForbidden, problem.CodeNotHosted, "invoice fingerprints are evaluated by the operator's gateway only")
	}
	if rec.LegalID == "" {
		return problem.New(http.StatusForbidden, problem.CodeForbidden,
			"your enterprise has no registered legal ID: the operator records it before you can file invoices")
	}
	legal := c.Query("buyer")
	if legal == "" || len(legal) > 64 {
		return gateway.Invalid("no buyer", problem.FieldError{Field: "buyer", Reason: "the legal ID the invoice names as buyer"})
	}
	buyer, err := a.buyerByLegalID(c, legal)
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, RelayInvoiceParties{Seller: RelayParty{ID: rec.ID, LegalID: rec.LegalID},
		Buyer: RelayParty{ID: buyer.ID, LegalID: buyer.LegalID}, OPRFKey: a.d.OPRF.PublicKey().Bytes()})
	return nil
}

// memberByLegalID finds the enterprise a legal ID names among those this
// gateway knows: its hosted members, then its self-custody enterprises
// (whose legal IDs are not in the directory), then the consortium's
// other enterprises (Parties).
func (a *API) memberByLegalID(ctx context.Context, legalID string) (directory.Member, error) {
	m, err := a.d.Directory.ByLegalID(ctx, legalID)
	if errors.Is(err, directory.ErrNotFound) && a.d.Custody != nil {
		e, cerr := a.d.Custody.ByLegalID(ctx, legalID)
		switch {
		case cerr == nil:
			return directory.Member{ID: e.ID, Role: model.RoleSupplier, Org: a.d.Org, MSPID: e.MSPID, LegalID: e.LegalID, CertPEM: e.CertPEM}, nil
		case !errors.Is(cerr, custody.ErrNotSelf):
			return directory.Member{}, cerr
		}
	}
	if errors.Is(err, directory.ErrNotFound) && a.d.Parties != nil {
		m, err = a.d.Parties.ByLegalID(ctx, legalID)
	}
	return m, err
}

// relayed decodes a signed message for the request's self-custody
// enterprise.
func (a *API) relayed(c *gin.Context) (RelaySigned, custody.Enterprise, error) {
	var req RelaySigned
	if err := gateway.DecodeJSON(c, &req); err != nil {
		return req, custody.Enterprise{}, err
	}
	rec, err := a.custodyOf(c)
	return req, rec, err
}

func (a *API) relaySubmit(c *gin.Context) error {
	req, rec, err := a.relayed(c)
	if err != nil {
		return err
	}
	t, err := relay.InspectTransaction(req.Bytes)
	if err != nil {
		return gateway.Invalid("invalid transaction", problem.FieldError{Field: "bytes", Reason: "a transaction as /v1/relay/endorse returned it"})
	}
	if err := relay.Verify(rec.MSPID, rec.CertPEM, t.Creator, t.Digest, req.Signature); err != nil {
		return problem.New(http.StatusForbidden, problem.CodeBadSignature,
			"the transaction is not signed by the certificate the ledger registered for "+rec.ID)
	}
	ctx := c.Request.Context()
	if err := a.d.Custody.Claim(ctx, rec.ID, t.TxID, custody.StageSubmit); err != nil {
		return relayClaimProblem(err)
	}
	off, err := a.d.Directory.Offline(a.d.Org, rec.CertPEM)
	if err != nil {
		return err
	}
	defer off.Close()
	txID, err := off.SubmitSigned(ctx, req.Bytes, req.Signature)
	if err != nil {
		return err
	}
	// The commit, as the gateway's own peer records it.
	self, err := a.d.Directory.Client(ctx, a.d.Self)
	if err != nil {
		return err
	}
	res, err := self.AwaitCommit(ctx, txID)
	if err != nil {
		return err
	}
	res.TxID = txID
	a.awaitIndexed(ctx, res.TxID)
	c.JSON(http.StatusOK, RelayResult{TxID: res.TxID, BlockNumber: res.BlockNumber, Result: res.Payload})
	return nil
}
