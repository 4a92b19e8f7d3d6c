package wallet

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/zk/envelope"
)

// DefaultContract is the chaincode contract the wallet reads.
const DefaultContract = "tierchain"

// Config configures a Wallet.
type Config struct {
	// Context is the channel and chaincode the built proofs are bound to
	// (required: a proof for another channel does not verify).
	Context protocol.Context
	// Contract is the contract name for Evaluate; DefaultContract when empty.
	Contract string
	// PageSize is the page size of Sync's list queries; model.MaxPageSize
	// when 0.
	PageSize int
	// Rand is the randomness for keys, blindings and proofs; crypto/rand
	// when nil. (At-rest nonces always come from crypto/rand.)
	Rand io.Reader
	// Now is the clock that derives OVERDUE for holdings; time.Now when nil.
	Now func() time.Time
}

// Wallet holds enterprises' keys and openings in a store.DB. It is safe
// for concurrent use.
type Wallet struct {
	db     *store.DB
	seal   *sealer
	cfg    Config
	random io.Reader
}

// New migrates the wallet schema in db and returns a wallet whose records
// are encrypted under masterKey (MasterKeySize bytes, e.g. from a KMS or a
// secret file). The first New on a database records a check value; a later
// New with another master key fails with ErrWrongMasterKey.
func New(ctx context.Context, db *store.DB, masterKey []byte, cfg Config) (*Wallet, error) {
	if cfg.Context.Channel == "" || cfg.Context.Chaincode == "" {
		return nil, ErrInvalidArgument.With("config: channel and chaincode are required")
	}
	if cfg.Contract == "" {
		cfg.Contract = DefaultContract
	}
	if cfg.PageSize <= 0 || cfg.PageSize > model.MaxPageSize {
		cfg.PageSize = model.MaxPageSize
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s, err := newSealer(masterKey)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, component, migrations(db.Dialect)); err != nil {
		return nil, err
	}
	w := &Wallet{db: db, seal: s, cfg: cfg, random: cfg.Rand}
	if err := w.checkMaster(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

// checkMaster creates the master-key check record, or opens the existing one.
func (w *Wallet) checkMaster(ctx context.Context) error {
	check, err := w.seal.seal(masterCheckPlaintext, associatedData("", purposeMasterCheck))
	if err != nil {
		return err
	}
	var stored []byte
	err = w.db.InTx(ctx, func(tx *sql.Tx) error {
		stored = nil
		err := tx.QueryRowContext(ctx, w.db.Rebind(`SELECT value FROM wallet_meta WHERE name = ?`), purposeMasterCheck).Scan(&stored)
		if errors.Is(err, sql.ErrNoRows) {
			_, err = tx.ExecContext(ctx, w.db.Rebind(`INSERT INTO wallet_meta (name, value) VALUES (?, ?)`), purposeMasterCheck, check)
			stored = check
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("wallet: master key check: %w", err)
	}
	return w.seal.checkMaster(stored)
}

func validEnterprise(id string) error {
	if err := model.ValidateID("enterprise", id); err != nil {
		return ErrInvalidArgument.With("enterprise ID")
	}
	return nil
}

// GenerateKey creates the enterprise's HPKE key and returns its public
// half, to register on the ledger (RegisterEnterpriseRequest.EncryptionKey).
// An enterprise that has a key already gets ErrKeyExists.
func (w *Wallet) GenerateKey(ctx context.Context, enterpriseID string) (*envelope.PublicKey, error) {
	k, err := envelope.GenerateKey(w.random)
	if err != nil {
		return nil, err
	}
	if err := w.ImportKey(ctx, enterpriseID, k); err != nil {
		return nil, err
	}
	return k.Public(), nil
}

// ImportKey stores an existing key for the enterprise (for example one
// restored from a backup). Importing the key the enterprise already has is
// a no-op; another key is ErrKeyExists: openings sealed to the first would
// no longer open.
func (w *Wallet) ImportKey(ctx context.Context, enterpriseID string, k *envelope.PrivateKey) error {
	if err := validEnterprise(enterpriseID); err != nil {
		return err
	}
	if k == nil {
		return ErrInvalidArgument.With("nil key")
	}
	pub := k.Public().Bytes()
	sealed, err := w.seal.seal(k.Bytes(), associatedData(enterpriseID, purposePrivateKey, pub))
	if err != nil {
		return err
	}
	return w.db.InTx(ctx, func(tx *sql.Tx) error {
		var existing []byte
		err := tx.QueryRowContext(ctx, w.db.Rebind(`SELECT public_key FROM wallet_keys WHERE enterprise_id = ?`), enterpriseID).Scan(&existing)
		switch {
		case err == nil && bytes.Equal(existing, pub):
			return nil
		case err == nil:
			return ErrKeyExists.With(enterpriseID)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("wallet: read key: %w", err)
		}
		_, err = tx.ExecContext(ctx, w.db.Rebind(`INSERT INTO wallet_keys (enterprise_id, public_key, sealed_private_key, created_at) VALUES (?, ?, ?, ?)`),
			enterpriseID, pub, sealed, time.Now().UnixMicro())
		if err != nil {
			return fmt.Errorf("wallet: store key: %w", err)
		}
		return nil
	})
}

// PublicKey returns the enterprise's public key.
func (w *Wallet) PublicKey(ctx context.Context, enterpriseID string) (*envelope.PublicKey, error) {
	k, err := w.privateKey(ctx, enterpriseID)
	if err != nil {
		return nil, err
	}
	return k.Public(), nil
}

// Enterprises lists the enterprises the wallet has keys for.
func (w *Wallet) Enterprises(ctx context.Context) ([]string, error) {
	rows, err := w.db.SQL.QueryContext(ctx, `SELECT enterprise_id FROM wallet_keys ORDER BY enterprise_id`)
	if err != nil {
		return nil, fmt.Errorf("wallet: list keys: %w", err)
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("wallet: list keys: %w", err)
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// privateKey loads and decrypts the enterprise's key.
func (w *Wallet) privateKey(ctx context.Context, enterpriseID string) (*envelope.PrivateKey, error) {
	if err := validEnterprise(enterpriseID); err != nil {
		return nil, err
	}
	var pub, sealed []byte
	err := w.db.QueryRow(ctx, nil, `SELECT public_key, sealed_private_key FROM wallet_keys WHERE enterprise_id = ?`, enterpriseID).Scan(&pub, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoKey.With(enterpriseID)
	}
	if err != nil {
		return nil, fmt.Errorf("wallet: read key: %w", err)
	}
	raw, err := w.seal.open(sealed, associatedData(enterpriseID, purposePrivateKey, pub))
	if err != nil {
		return nil, fmt.Errorf("%w: key of %s", ErrCorrupt, enterpriseID)
	}
	k, err := envelope.DecodePrivateKey(raw)
	if err != nil || !bytes.Equal(k.Public().Bytes(), pub) {
		return nil, fmt.Errorf("%w: key of %s", ErrCorrupt, enterpriseID)
	}
	return k, nil
}
