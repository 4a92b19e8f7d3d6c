package wallet

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// SyncReport says what a Sync did.
type SyncReport struct {
	Opened  int       // envelopes opened and stored (new records or changed commitments)
	Kept    int       // records already stored with the ledger's commitment, refreshed
	Refused []Refusal // envelopes that did not open to the ledger's commitment: not stored
	// Bad are the refused envelopes as recorded (BadEnvelopes), with their
	// senders: what a caller announces to the enterprise.
	Bad []BadEnvelope
	// KnownBad counts envelopes recorded as bad by an earlier call and
	// left unopened: the same bytes are not tried again.
	KnownBad int
	At       time.Time // when the ledger was read
}

// Refusal is a ledger record whose envelope the wallet refused.
type Refusal struct {
	Kind string // "token", "financing", "root" or "invoice"
	ID   string // token ID or invoice ID
	Err  error  // wraps ErrCommitmentMismatch; names no amount
}

func (r Refusal) String() string { return r.Kind + " " + r.ID + ": " + r.Err.Error() }

// sealedItem is one ledger record addressed to the enterprise: its
// commitment and the envelope that carries its opening to it.
type sealedItem struct {
	record
	envelope []byte
	binding  envelope.Binding
	// refs are the invoice references the token carries to its holder
	// (nil unless the envelope is the holder's).
	refs []byte
	// Who sealed the envelope: sender when the record names it, else the
	// holder of token parent (a split output's spender); sealedIn is the
	// transaction that wrote it.
	sender, parent, sealedIn string
}

// Sync reads from the ledger every record addressed to the enterprise,
// opens the envelopes it has no opening for yet, checks each opening
// against the ledger's commitment and stores it; records already stored
// with the same commitment only get their status refreshed. What it reads
// depends on the enterprise's role on the ledger:
//
//   - supplier, bank: TokensByHolder (a bank opens Financing.BankEnvelope,
//     everyone else HolderEnvelope);
//   - bank: FinancingRequests (pending, Financing.BankEnvelope), and the
//     roots issued against its credit lines (TokensByIssuer of every core,
//     the roots' BankEnvelope; live as a core's);
//   - core: InvoicesByBuyer (BuyerEnvelope) and TokensByIssuer (the roots'
//     IssuerEnvelope; a root stays live until every token of its
//     receivable is spent or settled).
//
// An envelope that does not open to the ledger's commitment is refused
// (SyncReport.Refused) and no opening is stored for it: it is recorded as
// bad with its sender (BadEnvelopes, SyncReport.Bad), and the same bytes
// are not opened again. Sync is idempotent; on an empty database it
// rebuilds every opening from the chain and the key.
func (w *Wallet) Sync(ctx context.Context, enterpriseID string, l Ledger) (*SyncReport, error) {
	key, err := w.privateKey(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	ent, err := evaluate[model.Enterprise](ctx, l, w.cfg.Contract, "GetEnterprise", enterpriseID)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(ent.EncryptionKey, key.Public().Bytes()) {
		return nil, ErrKeyMismatch.With(enterpriseID)
	}
	report := &SyncReport{At: w.cfg.Now()}
	var items []sealedItem
	var kinds []string
	for _, r := range w.readers(ent.Role) {
		got, err := r.read(ctx, l, enterpriseID)
		if err != nil {
			return nil, err
		}
		items, kinds = append(items, got...), append(kinds, r.kind)
	}
	if len(kinds) == 0 {
		return report, nil // regulator, operator: nothing is addressed to them here
	}

	stored, err := w.storedCommitments(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	known, err := w.knownBad(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	var fresh, kept []*record
	var bad []badItem
	for i := range items {
		it := &items[i]
		if c, ok := stored[it.kind+"\x00"+it.id]; ok && bytes.Equal(c, it.commitment) {
			kept = append(kept, &it.record)
			continue
		}
		if h, ok := known[it.kind+"\x00"+it.id]; ok && bytes.Equal(h, envelopeHash(it.envelope)) {
			report.KnownBad++
			continue
		}
		o, err := envelope.Open(key, it.envelope, it.binding)
		if err != nil {
			report.Refused = append(report.Refused, Refusal{Kind: it.kind, ID: it.id, Err: ErrCommitmentMismatch.With("envelope does not open to the ledger commitment")})
			bad = append(bad, badItem{it: it, reason: reasonOf(err)})
			continue
		}
		if it.sealed, err = w.sealOpening(enterpriseID, it.kind, it.id, it.commitment, o); err != nil {
			return nil, err
		}
		fresh = append(fresh, &it.record)
	}
	if err := w.store(ctx, enterpriseID, kinds, fresh, kept); err != nil {
		return nil, err
	}
	if err := w.keepReceivedRefs(ctx, enterpriseID, key, items); err != nil {
		return nil, err
	}
	if report.Bad, err = w.recordBad(ctx, enterpriseID, l, bad); err != nil {
		return nil, err
	}
	report.Opened, report.Kept = len(fresh), len(kept)
	return report, nil
}

// readHoldings reads the tokens the enterprise holds: a bank opens the
// envelope sealed to it by the financing request, everyone else the
// reader reads the sealed items of one kind addressed to an enterprise.
type reader struct {
	kind string
	read func(ctx context.Context, l Ledger, enterpriseID string) ([]sealedItem, error)
}

// readers are what Sync reads for a role, in order: a supplier its
// holdings; a bank its holdings, the financings sent to it and the roots
// on its credit lines; a core its invoices and its roots.
func (w *Wallet) readers(role model.Role) []reader {
	switch role {
	case model.RoleSupplier:
		return []reader{{kindToken, w.readHoldings}}
	case model.RoleBank:
		return []reader{{kindToken, w.readHoldings}, {kindFinancing, w.readFinancing}, {kindRoot, w.readLineRoots}}
	case model.RoleCore:
		return []reader{{kindInvoice, w.readInvoices}, {kindRoot, w.readRoots}}
	}
	return nil
}

// holder's envelope.
func (w *Wallet) readHoldings(ctx context.Context, l Ledger, enterpriseID string) ([]sealedItem, error) {
	return w.readTokens(ctx, l, "TokensByHolder", kindToken, enterpriseID, func(t *model.TokenView) ([]byte, string, string, bool) {
		if rs := t.LastResaleTo(enterpriseID); rs != nil && t.Holder == enterpriseID {
			return rs.BankEnvelope, protocol.PurposeBank, "", true
		}
		if t.Financing != nil && t.Financing.Bank == enterpriseID {
			return t.Financing.BankEnvelope, protocol.PurposeBank, bankEnvelopeTokenID(t), t.Holder == enterpriseID
		}
		return t.HolderEnvelope, protocol.PurposeHolder, "", t.Holder == enterpriseID
	})
}

// readFinancing reads the financing requests pending at a bank.
func (w *Wallet) readFinancing(ctx context.Context, l Ledger, bankID string) ([]sealedItem, error) {
	return w.readTokens(ctx, l, "FinancingRequests", kindFinancing, bankID, func(t *model.TokenView) ([]byte, string, string, bool) {
		if t.Financing == nil {
			return nil, "", "", false
		}
		return t.Financing.BankEnvelope, protocol.PurposeBank, bankEnvelopeTokenID(t), t.Financing.Bank == bankID
	})
}

// readTokens lists fn for owner and keeps the tokens for which envelopeOf
// reports ok, with the envelope, purpose and bound token ID it names.
func (w *Wallet) readTokens(ctx context.Context, l Ledger, fn, kind, owner string, envelopeOf func(*model.TokenView) (env []byte, purpose, tokenID string, ok bool)) ([]sealedItem, error) {
	tokens, err := listAll[model.TokenView](ctx, l, w.cfg.Contract, fn, owner, w.cfg.PageSize)
	if err != nil {
		return nil, err
	}
	out := make([]sealedItem, 0, len(tokens))
	for i := range tokens {
		env, purpose, tokenID, ok := envelopeOf(&tokens[i])
		if !ok {
			continue
		}
		if it, ok := tokenItem(kind, &tokens[i], env, purpose, tokenID); ok {
			out = append(out, it)
		}
	}
	return out, nil
}

// tokenItem is a token's record with the envelope to open; ok is false for
// a token whose commitment does not decode (the chaincode would not have
// stored it).
func tokenItem(kind string, t *model.TokenView, env []byte, purpose, tokenID string) (sealedItem, bool) {
	c, err := pedersen.DecodeCommitment(t.Commitment)
	if err != nil {
		return sealedItem{}, false
	}
	it := sealedItem{
		record: record{kind: kind, id: t.ID, root: t.Root, bank: t.Bank, currency: t.Currency, status: string(t.LedgerStatus),
			maturity: t.Maturity, live: true, commitment: t.Commitment},
		envelope: env,
		binding:  envelope.Binding{Commitment: c, TokenID: tokenID, Purpose: purpose},
		sealedIn: t.TxID,
	}
	if purpose == protocol.PurposeHolder && kind == kindToken {
		it.refs = t.Refs
	}
	switch {
	case purpose == protocol.PurposeBank && t.Financing != nil:
		it.sender, it.sealedIn = t.Financing.Requester, ""
	case kind == kindRoot || len(t.Parents) == 0:
		it.sender = t.Issuer
	default:
		it.parent = t.Parents[0]
	}
	return it, true
}

// readInvoices reads the invoices a core owes.
func (w *Wallet) readInvoices(ctx context.Context, l Ledger, coreID string) ([]sealedItem, error) {
	invoices, err := listAll[model.Invoice](ctx, l, w.cfg.Contract, "InvoicesByBuyer", coreID, w.cfg.PageSize)
	if err != nil {
		return nil, err
	}
	out := make([]sealedItem, 0, len(invoices))
	for _, inv := range invoices {
		if inv.Buyer != coreID {
			continue
		}
		c, err := pedersen.DecodeCommitment(inv.Commitment)
		if err != nil {
			continue
		}
		out = append(out, sealedItem{
			record: record{kind: kindInvoice, id: inv.ID, currency: inv.Currency, status: string(inv.Status), maturity: inv.DueDate,
				live: true, commitment: inv.Commitment},
			envelope: inv.BuyerEnvelope,
			binding:  protocol.OutputBinding(c, protocol.PurposeBuyer),
			sender:   inv.Supplier,
		})
	}
	return out, nil
}

// storedCommitments maps kind\x00id to the stored commitment.
func (w *Wallet) storedCommitments(ctx context.Context, enterpriseID string) (map[string][]byte, error) {
	return w.recordBlobs(ctx, `SELECT kind, id, commitment FROM wallet_openings WHERE enterprise_id = ?`, enterpriseID)
}

// recordBlobs runs q (selecting kind, id and one blob for the enterprise)
// and maps kind\x00id to the blob.
func (w *Wallet) recordBlobs(ctx context.Context, q, enterpriseID string) (map[string][]byte, error) {
	rows, err := w.db.Query(ctx, nil, q, enterpriseID)
	if err != nil {
		return nil, fmt.Errorf("wallet: read records: %w", err)
	}
	defer rows.Close()
	out := map[string][]byte{}
	for rows.Next() {
		var kind, id string
		var b []byte
		if err := rows.Scan(&kind, &id, &b); err != nil {
			return nil, fmt.Errorf("wallet: read records: %w", err)
		}
		out[kind+"\x00"+id] = b
	}
	return out, rows.Err()
}

// store writes one Sync's result in one transaction: every record of the
// synced kinds becomes not live, then fresh records are upserted with their
// openings and kept ones refreshed.
func (w *Wallet) store(ctx context.Context, enterpriseID string, kinds []string, fresh, kept []*record) error {
	now := time.Now().UnixMicro()
	err := w.db.InTx(ctx, func(tx *sql.Tx) error {
		for _, kind := range kinds {
			if _, err := w.db.Exec(ctx, tx, `UPDATE wallet_openings SET live = 0 WHERE enterprise_id = ? AND kind = ?`, enterpriseID, kind); err != nil {
				return err
			}
		}
		for _, r := range fresh {
			_, err := w.db.Exec(ctx, tx, `INSERT INTO wallet_openings
	(enterprise_id, `+recordColumns+`, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (enterprise_id, kind, id) DO UPDATE SET root = excluded.root, bank = excluded.bank, currency = excluded.currency,
	status = excluded.status, maturity = excluded.maturity, live = excluded.live,
	commitment = excluded.commitment, sealed_opening = excluded.sealed_opening, updated_at = excluded.updated_at`,
				enterpriseID, r.kind, r.id, r.root, r.bank, r.status, r.maturity.Unix(), boolInt(r.live), r.commitment, r.sealed, r.currency, now)
			if err != nil {
				return err
			}
			// A record that opens is no longer bad (another envelope
			// for it reached the wallet).
			if _, err := w.db.Exec(ctx, tx, `DELETE FROM wallet_bad_envelopes WHERE enterprise_id = ? AND kind = ? AND id = ?`,
				enterpriseID, r.kind, r.id); err != nil {
				return err
			}
		}
		for _, r := range kept {
			// The commitment condition keeps a concurrent change of the
			// row from being labelled with this status.
			_, err := w.db.Exec(ctx, tx, `UPDATE wallet_openings SET root = ?, bank = ?, currency = ?, status = ?, maturity = ?, live = ?, updated_at = ?
WHERE enterprise_id = ? AND kind = ? AND id = ? AND commitment = ?`,
				r.root, r.bank, r.currency, r.status, r.maturity.Unix(), boolInt(r.live), now, enterpriseID, r.kind, r.id, r.commitment)
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("wallet: store openings: %w", err)
	}
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
