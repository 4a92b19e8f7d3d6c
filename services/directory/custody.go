package directory

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/tierchain/tierchain/internal/fabricclient"
)

// Offline returns a ledger client for an identity whose key this gateway
// does not hold (a self-custody enterprise of org: certificate only), over
// the organisation's shared connection. It can prepare and relay what the
// enterprise signs; it cannot sign. The caller closes it.
func (d *Directory) Offline(org string, certPEM []byte) (*fabricclient.Offline, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	conn, err := d.connLocked(org)
	if err != nil {
		return nil, err
	}
	opts := d.opts
	opts.MSPID = d.orgs[org].MSPID
	return fabricclient.NewOffline(conn, opts.MSPID, certPEM, opts)
}

// KeyPEM returns member id's Fabric private key (PEM): for its one export
// when it moves to self-custody.
func (d *Directory) KeyPEM(ctx context.Context, id string) ([]byte, error) {
	var sealed []byte
	if err := d.db.SQL.QueryRowContext(ctx, d.db.Rebind(`SELECT key_sealed FROM directory_members WHERE id = ?`), id).Scan(&sealed); err != nil {
		if err == sql.ErrNoRows {
			return nil, fmt.Errorf("%w: %s", ErrNotFound, id)
		}
		return nil, err
	}
	return d.box.Open(sealed, []byte("key\x00"+id))
}

// ForgetTx deletes member id, its sealed key and its secrets inside tx,
// and drops its ledger client: the gateway no longer holds its identity.
func (d *Directory) ForgetTx(ctx context.Context, tx *sql.Tx, id string) error {
	if _, err := tx.ExecContext(ctx, d.db.Rebind(`DELETE FROM directory_secrets WHERE member_id = ?`), id); err != nil {
		return err
	}
	res, err := tx.ExecContext(ctx, d.db.Rebind(`DELETE FROM directory_members WHERE id = ?`), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	d.mu.Lock()
	if c, ok := d.client[id]; ok {
		c.Close()
		delete(d.client, id)
	}
	d.mu.Unlock()
	return nil
}
