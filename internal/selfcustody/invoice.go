package selfcustody

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/relay"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/services/wallet"
	"github.com/tierchain/tierchain/zk/oprf"
)

// ErrInvoiceRegistered: the invoice is on the ledger already under the
// first fingerprint encoding (an invoice registered before v2 keys).
var ErrInvoiceRegistered = errors.New("selfcustody: this invoice is already registered on the ledger")

// InvoiceParties is the gateway's answer to GET /v1/relay/invoice-parties:
// the enterprise's registered legal ID, the buyer the document names and
// the operator's OPRF public key.
type InvoiceParties struct {
	Seller  Party  `json:"seller"`
	Buyer   Party  `json:"buyer"`
	OPRFKey []byte `json:"oprfKey"`
}

// Party is an enterprise as an invoice names it.
type Party struct {
	ID      string `json:"id"`
	LegalID string `json:"legalId"`
}

// InvoiceUpload is an invoice document to file, as the hosted upload
// takes it (services/invoice parses, validates and normalises it).
type InvoiceUpload struct {
	Format   invoice.Format
	Document []byte
	// DueDate is the due date agreed outside the document (YYYY-MM-DD),
	// for documents that carry none; "" when not given.
	DueDate string
}

// FiledInvoice is a registered invoice: the ledger record and what only
// the device knows of it (the gateway never sees the number or amount).
type FiledInvoice struct {
	TxID        string        `json:"txId"`
	Invoice     model.Invoice `json:"invoice"`
	Number      string        `json:"number"`
	AmountMinor int64         `json:"amountMinor"`
	Amount      string        `json:"amount"` // decimal, in Currency's unit
	Currency    string        `json:"currency"`
}

// relayOPRF evaluates blinded elements at the operator's gateway
// (POST /v1/oprf/evaluate, open to suppliers).
type relayOPRF struct{ c *relay.Client }

func (e relayOPRF) Evaluate(ctx context.Context, blinded []byte) ([]byte, error) {
	var out struct {
		Evaluation []byte `json:"evaluation"`
	}
	if err := e.c.Do(ctx, http.MethodPost, "/v1/oprf/evaluate", map[string][]byte{"blinded": blinded}, &out); err != nil {
		return nil, err
	}
	return out.Evaluation, nil
}

// Parties asks the gateway for the enterprise's registered legal ID, the
// core enterprise the legal ID buyerLegalID names, and the OPRF key.
func (d *Device) Parties(ctx context.Context, buyerLegalID string) (InvoiceParties, error) {
	var p InvoiceParties
	err := d.Relay.Do(ctx, http.MethodGet, "/v1/relay/invoice-parties?buyer="+url.QueryEscape(buyerLegalID), nil, &p)
	return p, err
}

// BuildInvoice parses and checks up on the device and builds its
// RegisterInvoice request: the OPRF fingerprint (blinded here, evaluated
// by the operator, verified against its key), the commitment to the
// amount with its range proof and audit handle, the envelopes to the
// buyer and the regulator, and the filing sealed to the buyer. An invoice
// that does not name the enterprise as its seller is refused here
// (invoice.ErrNotSeller) before anything of it leaves the device.
func (d *Device) BuildInvoice(ctx context.Context, up InvoiceUpload) (*model.RegisterInvoiceRequest, *invoice.Invoice, error) {
	if err := d.onboarded(); err != nil {
		return nil, nil, err
	}
	iu := invoice.Upload{SupplierID: d.Keys.EnterpriseID, Format: up.Format, Document: up.Document, DueDate: up.DueDate}
	inv, err := invoice.ParseUpload(iu)
	if err != nil {
		return nil, nil, err
	}
	if !model.ValidCurrency(inv.Currency) {
		return nil, nil, &invoice.ValidationError{Fields: []invoice.FieldError{{Field: "currency", Reason: "an ISO 4217 currency code"}}}
	}
	v1 := invoice.FingerprintInputV1(inv) // before the parties are replaced
	parties, err := d.Parties(ctx, inv.Buyer.ID)
	if err != nil {
		return nil, nil, err
	}
	if !invoice.SamePartyID(inv.Seller.ID, parties.Seller.LegalID) {
		return nil, nil, fmt.Errorf("%w: the invoice names %q, the enterprise is registered as %s", invoice.ErrNotSeller, inv.Seller.ID, parties.Seller.LegalID)
	}
	if !invoice.SamePartyID(inv.Buyer.ID, parties.Buyer.LegalID) {
		return nil, nil, fmt.Errorf("%w: the gateway answered %s for %q", invoice.ErrUnknownBuyer, parties.Buyer.LegalID, inv.Buyer.ID)
	}
	// The registered legal IDs key the record and the fingerprint, as on
	// the hosted path, so every way of writing a party keys alike.
	inv.Seller.ID, inv.Buyer.ID = parties.Seller.LegalID, parties.Buyer.LegalID
	pub, err := oprf.DecodeServerPublicKey(parties.OPRFKey)
	if err != nil {
		return nil, nil, fmt.Errorf("selfcustody: the operator's OPRF key: %w", err)
	}
	fpr := invoice.NewOPRFFingerprinter(pub, relayOPRF{d.Relay})
	if err := d.notRegisteredV1(ctx, fpr, v1); err != nil {
		return nil, nil, err
	}
	fp, err := fpr.Fingerprint(ctx, invoice.FingerprintInput(inv))
	if err != nil {
		return nil, nil, err
	}
	aliases, err := invoice.Fingerprints(ctx, fpr, invoice.KeysFor(inv.Seller.ID, inv.Buyer.ID, inv.Number)[1:])
	if err != nil {
		return nil, nil, err
	}
	dir := wallet.Directory{Ledger: d.Relay}
	to, err := dir.Recipient(ctx, parties.Buyer.ID)
	if err != nil {
		return nil, nil, err
	}
	aud, err := dir.Auditor(ctx)
	if err != nil {
		return nil, nil, err
	}
	rec := invoice.NewRecord(d.Keys.EnterpriseID, inv, invoice.DocumentHash(up.Document))
	filing, err := invoice.SealFiling(to.Key, invoice.NewFiling(rec, inv, up.Document), fp, parties.Buyer.ID, nil)
	if err != nil {
		return nil, nil, err
	}
	req, err := d.Wallet.BuildInvoice(ctx, wallet.InvoiceSpec{
		Supplier: d.Keys.EnterpriseID, Buyer: to, Auditor: aud, Amount: uint64(inv.AmountMinor), Currency: inv.Currency,
		Fingerprint: fp, DocumentHash: rec.DocumentSHA256[:], DueDate: inv.DueDate.UTC().Truncate(time.Second),
		FilingEnvelope: filing, Aliases: aliases,
	})
	if err != nil {
		return nil, nil, err
	}
	return req, inv, nil
}

// notRegisteredV1 refuses an invoice the ledger holds under the first
// fingerprint encoding, as the hosted upload does.
func (d *Device) notRegisteredV1(ctx context.Context, f invoice.Fingerprinter, v1 []byte) error {
	fp, err := f.Fingerprint(ctx, v1)
	if err != nil {
		return err
	}
	_, err = d.Relay.Evaluate(ctx, "tierchain", "GetInvoice", hex.EncodeToString(fp))
	var p *relay.Problem
	switch {
	case err == nil:
		return ErrInvoiceRegistered
	case errors.As(err, &p) && p.Code == string(model.CodeNotFound):
		return nil
	}
	return err
}

// UploadInvoice files an invoice document from the device: built by
// BuildInvoice, the RegisterInvoice proposal and transaction signed here
// and relayed. The gateway stores nothing of it; the buyer confirms it
// from the sealed filing as for any invoice.
func (d *Device) UploadInvoice(ctx context.Context, up InvoiceUpload) (FiledInvoice, error) {
	req, inv, err := d.BuildInvoice(ctx, up)
	if err != nil {
		return FiledInvoice{}, err
	}
	out := FiledInvoice{Number: inv.Number, AmountMinor: inv.AmountMinor, Amount: inv.Amount(), Currency: inv.Currency}
	out.TxID, err = d.submit(ctx, "RegisterInvoice", req, &out.Invoice)
	return out, err
}
