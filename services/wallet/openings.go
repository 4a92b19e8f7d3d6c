package wallet

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// openingSize is an encoded opening: value (8 bytes, big-endian) ‖ blinding.
const openingSize = 8 + group.ScalarSize

// Holding is a token the wallet holds an opening of, with its decrypted
// value. Value is secret: String and LogValue leave it out (JSON, which
// the gateway renders for the token's owner, keeps it).
type Holding struct {
	TokenID      string            `json:"tokenId"`
	Root         string            `json:"root"`
	Bank         string            `json:"bank"`               // the credit line's bank
	Currency     string            `json:"currency,omitempty"` // ISO 4217 code of Value; "" legacy
	Value        uint64            `json:"value"`
	Status       model.TokenStatus `json:"status"`       // effective: OVERDUE derived from the wallet's clock
	LedgerStatus model.TokenStatus `json:"ledgerStatus"` // as stored on the ledger at the last Sync
	Maturity     time.Time         `json:"maturity"`
	// Unsettled is set by Issued for a root whose receivable still counts
	// in its credit line's outstanding (some token neither spent nor
	// settled).
	Unsettled bool `json:"unsettled,omitempty"`
}

// String leaves the value out.
func (h Holding) String() string {
	return fmt.Sprintf("wallet.Holding{%s root=%s %s value=REDACTED}", h.TokenID, h.Root, h.Status)
}

// GoString is String, for %#v.
func (h Holding) GoString() string { return h.String() }

// LogValue leaves the value out.
func (h Holding) LogValue() slog.Value {
	return slog.GroupValue(slog.String("token", h.TokenID), slog.String("root", h.Root), slog.String("status", string(h.Status)))
}

// OwedInvoice is an invoice the enterprise (a core) owes, with its
// decrypted amount. Value is secret: String and LogValue leave it out.
type OwedInvoice struct {
	ID      string              `json:"id"` // hex fingerprint
	Value   uint64              `json:"value"`
	Status  model.InvoiceStatus `json:"status"` // as of the last Sync
	DueDate time.Time           `json:"dueDate"`
}

// String leaves the value out.
func (i OwedInvoice) String() string {
	return fmt.Sprintf("wallet.OwedInvoice{%s %s value=REDACTED}", i.ID, i.Status)
}

// GoString is String, for %#v.
func (i OwedInvoice) GoString() string { return i.String() }

// LogValue leaves the value out.
func (i OwedInvoice) LogValue() slog.Value {
	return slog.GroupValue(slog.String("invoice", i.ID), slog.String("status", string(i.Status)))
}

// record is one row of wallet_openings.
type record struct {
	kind, id, root, bank, status string
	currency                     string // ISO 4217, "" legacy
	maturity                     time.Time
	live                         bool
	commitment                   []byte
	sealed                       []byte
}

func (w *Wallet) sealOpening(enterprise, kind, id string, commitment []byte, o pedersen.Opening) ([]byte, error) {
	pt := binary.BigEndian.AppendUint64(make([]byte, 0, openingSize), o.Value)
	pt = append(pt, o.Blinding.Bytes()...)
	return w.seal.seal(pt, associatedData(enterprise, purposeOpening, []byte(kind), []byte(id), commitment))
}

// openRecord decrypts a row's opening and checks that it opens the row's
// commitment.
func (w *Wallet) openRecord(enterprise string, r *record) (pedersen.Opening, error) {
	corrupt := fmt.Errorf("%w: %s %s of %s", ErrCorrupt, r.kind, r.id, enterprise)
	pt, err := w.seal.open(r.sealed, associatedData(enterprise, purposeOpening, []byte(r.kind), []byte(r.id), r.commitment))
	if err != nil || len(pt) != openingSize {
		return pedersen.Opening{}, corrupt
	}
	b, err := group.NewScalar().SetCanonicalBytes(pt[8:])
	if err != nil {
		return pedersen.Opening{}, corrupt
	}
	o := pedersen.Opening{Value: binary.BigEndian.Uint64(pt[:8]), Blinding: b}
	c, err := pedersen.DecodeCommitment(r.commitment)
	if err != nil || !o.Opens(c) {
		return pedersen.Opening{}, corrupt
	}
	return o, nil
}

const recordColumns = `kind, id, root, bank, status, maturity, live, commitment, sealed_opening, currency`

func scanRecord(sc interface{ Scan(...any) error }) (*record, error) {
	var r record
	var maturity, live int64
	if err := sc.Scan(&r.kind, &r.id, &r.root, &r.bank, &r.status, &maturity, &live, &r.commitment, &r.sealed, &r.currency); err != nil {
		return nil, err
	}
	r.maturity, r.live = time.Unix(maturity, 0).UTC(), live == 1
	return &r, nil
}

// records returns the enterprise's rows of kind, live ones only if liveOnly.
func (w *Wallet) records(ctx context.Context, enterprise, kind string, liveOnly bool) ([]*record, error) {
	if err := validEnterprise(enterprise); err != nil {
		return nil, err
	}
	q := `SELECT ` + recordColumns + ` FROM wallet_openings WHERE enterprise_id = ? AND kind = ?`
	if liveOnly {
		q += ` AND live = 1`
	}
	rows, err := w.db.Query(ctx, nil, q+` ORDER BY root, id`, enterprise, kind)
	if err != nil {
		return nil, fmt.Errorf("wallet: read openings: %w", err)
	}
	defer rows.Close()
	var out []*record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, fmt.Errorf("wallet: read openings: %w", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("wallet: read openings: %w", err)
	}
	return out, nil
}

// record returns one row, or ErrNotFound.
func (w *Wallet) record(ctx context.Context, enterprise, kind, id string) (*record, error) {
	if err := validEnterprise(enterprise); err != nil {
		return nil, err
	}
	row := w.db.QueryRow(ctx, nil, `SELECT `+recordColumns+` FROM wallet_openings WHERE enterprise_id = ? AND kind = ? AND id = ?`,
		enterprise, kind, id)
	r, err := scanRecord(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound.With(kind + " " + id)
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: read opening: %w", err)
	}
	return r, nil
}

func (w *Wallet) holdings(ctx context.Context, enterprise, kind string, liveOnly bool) ([]Holding, error) {
	rs, err := w.records(ctx, enterprise, kind, liveOnly)
	if err != nil {
		return nil, err
	}
	now := w.cfg.Now()
	out := make([]Holding, 0, len(rs))
	for _, r := range rs {
		o, err := w.openRecord(enterprise, r)
		if err != nil {
			return nil, err
		}
		t := model.Token{Status: model.TokenStatus(r.status), Maturity: r.maturity}
		out = append(out, Holding{TokenID: r.id, Root: r.root, Bank: r.bank, Currency: r.currency, Value: o.Value,
			Status: t.EffectiveStatus(now), LedgerStatus: t.Status, Maturity: r.maturity, Unsettled: kind == kindRoot && r.live})
	}
	return out, nil
}

// Holdings lists the tokens the enterprise holds on the ledger as of its
// last Sync (any status but spent or handed on), by root then token ID,
// with their values.
func (w *Wallet) Holdings(ctx context.Context, enterpriseID string) ([]Holding, error) {
	return w.holdings(ctx, enterpriseID, kindToken, true)
}

// FinancingRequests lists the tokens a bank was asked to finance and has
// not decided on, as of its last Sync, with the values disclosed to it.
func (w *Wallet) FinancingRequests(ctx context.Context, bankID string) ([]Holding, error) {
	return w.holdings(ctx, bankID, kindFinancing, true)
}

// Issued lists the receivables a core issued (root tokens), settled ones
// included, with their values; LedgerStatus is the root token's own.
func (w *Wallet) Issued(ctx context.Context, coreID string) ([]Holding, error) {
	return w.holdings(ctx, coreID, kindRoot, false)
}

// Invoices lists the invoices a core owes, as of its last Sync, with their
// amounts.
func (w *Wallet) Invoices(ctx context.Context, coreID string) ([]OwedInvoice, error) {
	rs, err := w.records(ctx, coreID, kindInvoice, true)
	if err != nil {
		return nil, err
	}
	out := make([]OwedInvoice, 0, len(rs))
	for _, r := range rs {
		o, err := w.openRecord(coreID, r)
		if err != nil {
			return nil, err
		}
		out = append(out, OwedInvoice{ID: r.id, Value: o.Value, Status: model.InvoiceStatus(r.status), DueDate: r.maturity})
	}
	return out, nil
}

// TokenOpening returns the opening of a token the enterprise holds or held,
// was asked to finance, or (a core) issued as a root.
func (w *Wallet) TokenOpening(ctx context.Context, enterpriseID, tokenID string) (pedersen.Opening, error) {
	for _, kind := range []string{kindToken, kindFinancing, kindRoot} {
		r, err := w.record(ctx, enterpriseID, kind, tokenID)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return pedersen.Opening{}, err
		}
		return w.openRecord(enterpriseID, r)
	}
	return pedersen.Opening{}, ErrNotFound.With("token " + tokenID)
}

// TokenCurrency returns the currency of a token the enterprise holds or
// held, as the ledger gave it with the token's envelope (a token's currency
// never changes), or ErrNotFound when the wallet has no record of the token
// or only one from before currencies were recorded.
func (w *Wallet) TokenCurrency(ctx context.Context, enterpriseID, tokenID string) (string, error) {
	r, err := w.record(ctx, enterpriseID, kindToken, tokenID)
	if err != nil {
		return "", err
	}
	if r.currency == "" {
		return "", ErrNotFound.With("currency of token " + tokenID)
	}
	return r.currency, nil
}

// InvoiceOpening returns the opening of an invoice the enterprise (a core)
// owes.
func (w *Wallet) InvoiceOpening(ctx context.Context, enterpriseID, invoiceID string) (pedersen.Opening, error) {
	r, err := w.record(ctx, enterpriseID, kindInvoice, invoiceID)
	if err != nil {
		return pedersen.Opening{}, err
	}
	return w.openRecord(enterpriseID, r)
}
