package wallet

import (
	"context"
	"database/sql"
)

// ForgetTx deletes, inside tx, everything the wallet holds for an
// enterprise: its key, its openings and its bad-envelope records. The
// gateway calls it when the enterprise takes its keys into self-custody;
// its device rebuilds the openings from the chain with the key.
func (w *Wallet) ForgetTx(ctx context.Context, tx *sql.Tx, enterpriseID string) error {
	for _, table := range []string{"wallet_openings", "wallet_bad_envelopes", "wallet_keys"} {
		if _, err := tx.ExecContext(ctx, w.db.Rebind(`DELETE FROM `+table+` WHERE enterprise_id = ?`), enterpriseID); err != nil {
			return err
		}
	}
	return nil
}
