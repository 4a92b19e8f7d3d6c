package invoice

import (
	"context"
	"errors"
	"fmt"
	"mime"
)

// Fingerprinter turns FingerprintInput into the invoice's ledger
// fingerprint. The gateway's implementation runs the OPRF (zk/oprf) against
// the operator's OPRF endpoint: blind here, evaluate there, finalize here, so
// the operator never sees the invoice's fields.
type Fingerprinter interface {
	Fingerprint(ctx context.Context, input []byte) ([]byte, error)
}

// Upload is what a supplier sends: the invoice document and, optionally, a
// PDF rendition as evidence.
type Upload struct {
	SupplierID string // the authenticated enterprise
	// Seller and Buyer are the registered legal IDs (canonical, see
	// CanonicalPartyID) of the uploader and of the buyer the caller resolved.
	// When set, the document's seller and buyer must name them (SamePartyID)
	// and the record and the fingerprint use them, so that every way of
	// writing a party keys alike. Left empty, the document's IDs are used as
	// PartyKey folds them.
	Seller, Buyer string
	Format        Format
	Document      []byte
	PDF           []byte // nil when none was attached
	// DueDate is the due date agreed outside the document (YYYY-MM-DD), for
	// documents that carry none (many Peppol invoices state payment terms
	// only as text); "" when not given. If the document names one too, they
	// must agree.
	DueDate string
}

// Service takes uploads in: parse, validate, hash, fingerprint, store. On-chain
// registration follows, by the caller, with Repo.SetRegistration.
type Service struct {
	Repo *Repo
	// Fingerprinter is optional: without one the record is stored with no
	// fingerprint, to be computed before registration.
	Fingerprinter Fingerprinter
}

// Submit validates and stores one upload. Errors: *ValidationError, or ones
// wrapping ErrTooLarge, ErrMalformed, ErrNotPDF, ErrNotSeller, ErrDuplicate.
func (s *Service) Submit(ctx context.Context, up Upload) (*Record, *Invoice, error) {
	if up.SupplierID == "" {
		return nil, nil, errors.New("invoice: Submit: no supplier")
	}
	inv, err := ParseUpload(up)
	if err != nil {
		return nil, nil, err
	}
	if err := up.resolveParties(inv); err != nil {
		return nil, nil, err
	}
	rec := NewRecord(up.SupplierID, inv, DocumentHash(up.Document))
	docs := []Document{{
		Kind: DocumentOriginal, MediaType: up.Format.MediaType(),
		SHA256: rec.DocumentSHA256, Content: up.Document,
	}}
	if up.PDF != nil {
		if err := CheckPDF(up.PDF); err != nil {
			return nil, nil, err
		}
		sum := DocumentHash(up.PDF)
		rec.PDFSHA256 = sum[:]
		docs = append(docs, Document{Kind: DocumentPDF, MediaType: "application/pdf", SHA256: sum, Content: up.PDF})
	}
	if s.Fingerprinter != nil {
		fp, err := s.Fingerprinter.Fingerprint(ctx, FingerprintInput(inv))
		if err != nil {
			return nil, nil, fmt.Errorf("invoice: fingerprint: %w", err)
		}
		rec.Fingerprint = fp
	}
	if err := s.Repo.Create(ctx, rec, docs...); err != nil {
		return nil, nil, err
	}
	return rec, inv, nil
}

// resolveParties checks the document's parties against the registered legal
// IDs the caller resolved and puts those in their place.
func (up *Upload) resolveParties(inv *Invoice) error {
	if err := resolveParty(&inv.Seller, up.Seller, ErrNotSeller); err != nil {
		return err
	}
	return resolveParty(&inv.Buyer, up.Buyer, ErrUnknownBuyer)
}

// resolveParty replaces p's ID with registered when the document names it,
// or fails with mismatch; with no registered ID it folds p's (PartyKey).
func resolveParty(p *Party, registered string, mismatch error) error {
	if registered == "" {
		p.ID = PartyKey(p.ID)
		return nil
	}
	if !SamePartyID(p.ID, registered) {
		return mismatch
	}
	p.ID = registered
	return nil
}

// Parse parses, validates and normalises a document of the given format.
func Parse(format Format, data []byte) (*Invoice, error) {
	switch format {
	case FormatJSON:
		return ParseJSON(data)
	case FormatUBL:
		return ParseUBL(data)
	default:
		return nil, fmt.Errorf("%w: unknown format %q", ErrMalformed, format)
	}
}

// ParseUpload parses an upload's document as Parse does, taking its due
// date from up.DueDate where the document names none.
func ParseUpload(up Upload) (*Invoice, error) {
	switch up.Format {
	case FormatJSON:
		return parseJSON(up.Document, up.DueDate)
	case FormatUBL:
		return parseUBL(up.Document, up.DueDate)
	default:
		return Parse(up.Format, up.Document)
	}
}

// FormatForMediaType maps an upload's Content-Type to its format:
// application/json, or application/xml or text/xml for UBL.
func FormatForMediaType(contentType string) (Format, bool) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return "", false
	}
	switch mt {
	case "application/json":
		return FormatJSON, true
	case "application/xml", "text/xml":
		return FormatUBL, true
	}
	return "", false
}

// MediaType is the media type a format's documents are stored and served with.
func (f Format) MediaType() string {
	if f == FormatUBL {
		return "application/xml"
	}
	return "application/json"
}
