package invoice

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"
	"unicode/utf8"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/envelope"
)

// FilingInfo is the HPKE info string of a sealed filing.
const FilingInfo = "tierchain/invoice-filing/v1"

// ErrFiling reports a sealed filing that does not open with the buyer's
// key and the ledger record's binding, or that disagrees with the record.
var ErrFiling = errors.New("invoice: the sealed filing does not open or does not match the ledger record")

// Filing is an invoice as its seller filed it: what the buyer's confirmer
// is shown. It travels on the ledger sealed to the buyer (the only way
// cross-organisation data travels), bound to the record's fingerprint, buyer
// and document hash, so it cannot be moved to another invoice.
type Filing struct {
	Number         string `json:"number"`
	IssueDate      string `json:"issueDate"`
	DueDate        string `json:"dueDate"`
	Currency       string `json:"currency"`
	AmountMinor    int64  `json:"amountMinor"`
	SellerID       string `json:"sellerId"` // the seller's registered legal ID
	SellerName     string `json:"sellerName"`
	BuyerID        string `json:"buyerId"`
	BuyerName      string `json:"buyerName"`
	DocumentSHA256 string `json:"documentSha256"` // hex
	MediaType      string `json:"mediaType"`
	// Document is the original document when it fits the ledger's bound;
	// otherwise only its hash is carried.
	Document  []byte `json:"document,omitempty"`
	PDFSHA256 string `json:"pdfSha256,omitempty"`
}

// NewFiling is the filing of a stored upload.
func NewFiling(rec *Record, inv *Invoice, doc []byte) *Filing {
	f := &Filing{
		Number: inv.Number, IssueDate: inv.IssueDate.Format(DateLayout), DueDate: inv.DueDate.Format(DateLayout),
		Currency: inv.Currency, AmountMinor: inv.AmountMinor,
		SellerID: rec.SellerID, SellerName: inv.Seller.Name, BuyerID: rec.BuyerID, BuyerName: inv.Buyer.Name,
		DocumentSHA256: hex.EncodeToString(rec.DocumentSHA256[:]), MediaType: rec.Format.MediaType(), Document: doc,
	}
	if rec.PDFSHA256 != nil {
		f.PDFSHA256 = hex.EncodeToString(rec.PDFSHA256)
	}
	return f
}

// filingAAD binds a filing to its ledger record.
func filingAAD(fingerprint []byte, buyer string, documentHash []byte) []byte {
	out := []byte(FilingInfo)
	for _, f := range [][]byte{fingerprint, []byte(buyer), documentHash} {
		out = binary.BigEndian.AppendUint32(out, uint32(len(f)))
		out = append(out, f...)
	}
	return out
}

// SealFiling seals f to the buyer (ledger ID buyer, key pub), bound to the
// record's fingerprint and document hash. When the filing with its document
// would exceed the ledger's bound, the document is left out (its hash
// stays).
func SealFiling(pub *envelope.PublicKey, f *Filing, fingerprint []byte, buyer string, rand io.Reader) ([]byte, error) {
	sum, err := hex.DecodeString(f.DocumentSHA256)
	if err != nil || len(sum) != sha256.Size {
		return nil, errors.New("invoice: filing without a document hash")
	}
	aad := filingAAD(fingerprint, buyer, sum)
	msg, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	if len(msg)+envelope.MessageOverhead > model.MaxFilingEnvelopeSize {
		lean := *f
		lean.Document = nil
		if msg, err = json.Marshal(&lean); err != nil {
			return nil, err
		}
	}
	if len(msg)+envelope.MessageOverhead > model.MaxFilingEnvelopeSize {
		return nil, fmt.Errorf("invoice: filing of %d bytes exceeds the ledger's bound", len(msg))
	}
	return envelope.SealMessage(pub, FilingInfo, aad, msg, rand)
}

// OpenFiling opens a ledger invoice's sealed filing with the buyer's key and
// checks it against the record: the binding (fingerprint, buyer, document
// hash), the document's hash when the document is carried, and the
// filing's shape. The seller wrote it: it is decoded strictly (valid UTF-8,
// one JSON object, no unknown fields, bounded printable text). Only this
// view reads it, so no second parser can read it otherwise. Errors wrap
// ErrFiling.
func OpenFiling(k *envelope.PrivateKey, inv *model.Invoice) (*Filing, error) {
	if len(inv.FilingEnvelope) == 0 {
		return nil, fmt.Errorf("%w: the seller sealed no filing", ErrFiling)
	}
	msg, err := envelope.OpenMessage(k, FilingInfo, filingAAD(inv.Fingerprint, inv.Buyer, inv.DocumentHash), inv.FilingEnvelope)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFiling, err)
	}
	f, err := decodeFiling(msg)
	if err != nil {
		return nil, err
	}
	if f.DocumentSHA256 != hex.EncodeToString(inv.DocumentHash) {
		return nil, fmt.Errorf("%w: document hash", ErrFiling)
	}
	if f.Document != nil {
		if sum := sha256.Sum256(f.Document); !bytes.Equal(sum[:], inv.DocumentHash) {
			return nil, fmt.Errorf("%w: the carried document is not the registered one", ErrFiling)
		}
	}
	return f, nil
}

func decodeFiling(msg []byte) (*Filing, error) {
	if !utf8.Valid(msg) {
		return nil, fmt.Errorf("%w: not UTF-8", ErrFiling)
	}
	dec := json.NewDecoder(bytes.NewReader(msg))
	dec.DisallowUnknownFields()
	var f Filing
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrFiling, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: trailing data", ErrFiling)
	}
	for _, s := range []string{f.Number, f.SellerID, f.BuyerID, f.SellerName, f.BuyerName, f.Currency, f.MediaType} {
		if len(s) > maxTextLen || !printable(s) {
			return nil, fmt.Errorf("%w: a field is too long or not printable", ErrFiling)
		}
	}
	if f.Number == "" || f.SellerID == "" || f.AmountMinor <= 0 {
		return nil, fmt.Errorf("%w: number, seller and a positive amount are required", ErrFiling)
	}
	for _, d := range []string{f.IssueDate, f.DueDate} {
		if t, err := time.Parse(DateLayout, d); err != nil || len(d) != len(DateLayout) || t.Year() < minYear {
			return nil, fmt.Errorf("%w: dates are YYYY-MM-DD", ErrFiling)
		}
	}
	return &f, nil
}
