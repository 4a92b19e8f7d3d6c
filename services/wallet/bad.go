package wallet

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/envelope"
)

// BadEnvelope is a ledger record addressed to the enterprise whose
// envelope does not open its commitment (v·G + r·H ≠ C, or no opening at
// all): the record is worth nothing to the enterprise until the sender
// makes it good. It names no amount.
type BadEnvelope struct {
	Kind string `json:"kind"` // "token", "financing", "root" or "invoice"
	ID   string `json:"id"`   // token ID or invoice ID
	Root string `json:"root,omitempty"`
	// Sender is the enterprise whose transaction sealed the envelope, as
	// the ledger records it: the issuer of a root, the spender of a split
	// output's parent, the requester of a financing, the supplier of an
	// invoice. Empty when the ledger could not be read to name it.
	Sender string              `json:"sender"`
	Reason model.DisputeReason `json:"reason"`
	// SealedIn is the transaction that wrote the envelope (empty for a
	// financing request's).
	SealedIn   string    `json:"sealedIn,omitempty"`
	DetectedAt time.Time `json:"detectedAt"`
}

// String names the record and the sender.
func (b BadEnvelope) String() string {
	return fmt.Sprintf("wallet.BadEnvelope{%s %s from %s: %s}", b.Kind, b.ID, b.Sender, b.Reason)
}

// badItem is an item whose envelope did not open, with the facts that
// name its sender.
type badItem struct {
	it     *sealedItem
	reason model.DisputeReason
}

// reasonOf classifies envelope.Open's error.
func reasonOf(err error) model.DisputeReason {
	if errors.Is(err, envelope.ErrWrongOpening) {
		return model.DisputeWrongOpening
	}
	return model.DisputeUndecryptable
}

func envelopeHash(env []byte) []byte {
	h := sha256.Sum256(env)
	return h[:]
}

// knownBad maps kind\x00id to the hash of the envelope recorded as bad.
func (w *Wallet) knownBad(ctx context.Context, enterpriseID string) (map[string][]byte, error) {
	return w.recordBlobs(ctx, `SELECT kind, id, envelope_hash FROM wallet_bad_envelopes WHERE enterprise_id = ?`, enterpriseID)
}

// sender names who sealed the item's envelope: facts of the record itself,
// or, for a split output, the holder of its first parent (spending keeps
// the holder), read from the ledger. The chaincode's FileDispute names the
// same enterprise from the same facts.
func (w *Wallet) sender(ctx context.Context, l Ledger, it *sealedItem) string {
	if it.sender != "" || it.parent == "" || l == nil {
		return it.sender
	}
	p, err := evaluate[model.TokenView](ctx, l, w.cfg.Contract, "GetToken", it.parent)
	if err != nil {
		return ""
	}
	return p.Holder
}

// recordBad stores the bad envelopes found by one Sync or Receive and
// returns them. A record already stored as bad keeps its first detection.
func (w *Wallet) recordBad(ctx context.Context, enterpriseID string, l Ledger, bad []badItem) ([]BadEnvelope, error) {
	if len(bad) == 0 {
		return nil, nil
	}
	now := w.cfg.Now().UTC()
	out := make([]BadEnvelope, len(bad))
	for i, b := range bad {
		out[i] = BadEnvelope{Kind: b.it.kind, ID: b.it.id, Root: b.it.root, Sender: w.sender(ctx, l, b.it),
			Reason: b.reason, SealedIn: b.it.sealedIn, DetectedAt: now}
	}
	err := w.db.InTx(ctx, func(tx *sql.Tx) error {
		for i, b := range bad {
			_, err := w.db.Exec(ctx, tx, `INSERT INTO wallet_bad_envelopes
	(enterprise_id, kind, id, root, sender, reason, commitment, envelope_hash, sealed_in, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (enterprise_id, kind, id) DO UPDATE SET sender = excluded.sender, reason = excluded.reason,
	commitment = excluded.commitment, envelope_hash = excluded.envelope_hash, sealed_in = excluded.sealed_in`,
				enterpriseID, b.it.kind, b.it.id, b.it.root, out[i].Sender, string(b.reason), b.it.commitment,
				envelopeHash(b.it.envelope), b.it.sealedIn, now.UnixMicro())
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("wallet: store bad envelopes: %w", err)
	}
	return out, nil
}

const badColumns = `kind, id, root, sender, reason, sealed_in, detected_at`

func scanBad(sc interface{ Scan(...any) error }) (BadEnvelope, error) {
	var b BadEnvelope
	var reason string
	var at int64
	if err := sc.Scan(&b.Kind, &b.ID, &b.Root, &b.Sender, &reason, &b.SealedIn, &at); err != nil {
		return BadEnvelope{}, err
	}
	b.Reason, b.DetectedAt = model.DisputeReason(reason), time.UnixMicro(at).UTC()
	return b, nil
}

// BadEnvelopes lists the records addressed to the enterprise whose
// envelopes did not open their commitments, as of its last Sync or
// Receive, newest first.
func (w *Wallet) BadEnvelopes(ctx context.Context, enterpriseID string) ([]BadEnvelope, error) {
	if err := validEnterprise(enterpriseID); err != nil {
		return nil, err
	}
	rows, err := w.db.Query(ctx, nil, `SELECT `+badColumns+` FROM wallet_bad_envelopes
WHERE enterprise_id = ? ORDER BY detected_at DESC, kind, id`, enterpriseID)
	if err != nil {
		return nil, fmt.Errorf("wallet: read bad envelopes: %w", err)
	}
	defer rows.Close()
	out := []BadEnvelope{}
	for rows.Next() {
		b, err := scanBad(rows)
		if err != nil {
			return nil, fmt.Errorf("wallet: read bad envelopes: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// TokenBadEnvelope returns the bad envelope recorded for a token the
// enterprise holds (or was asked to finance), or ErrNotFound.
func (w *Wallet) TokenBadEnvelope(ctx context.Context, enterpriseID, tokenID string) (BadEnvelope, error) {
	if err := validEnterprise(enterpriseID); err != nil {
		return BadEnvelope{}, err
	}
	row := w.db.QueryRow(ctx, nil, `SELECT `+badColumns+` FROM wallet_bad_envelopes
WHERE enterprise_id = ? AND id = ? AND kind IN ('token', 'financing', 'root') ORDER BY kind DESC LIMIT 1`, enterpriseID, tokenID)
	b, err := scanBad(row)
	if errors.Is(err, sql.ErrNoRows) {
		return BadEnvelope{}, ErrNotFound.With("bad envelope of token " + tokenID)
	}
	if err != nil {
		return BadEnvelope{}, fmt.Errorf("wallet: read bad envelope: %w", err)
	}
	return b, nil
}
