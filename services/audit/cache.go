package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/tierchain/tierchain/internal/sealbox"
	"github.com/tierchain/tierchain/services/store"
	"github.com/tierchain/tierchain/zk/elgamal"
)

// cacheDomain labels the cache's key derivation, row binding and
// associated data; changing it orphans every cached row.
const cacheDomain = "tierchain/audit-cache/v1"

// Cache keeps the openings of amounts in SQL (component "audit"), so a
// large ledger is not reopened on every report. Rows are keyed by the
// commitment's bytes together with a digest of the handle and the
// regulator envelope (the same commitment with another envelope is
// another row: its reconciliation may differ).
//
// Opened amounts are secrets, so each row's outcome is sealed with
// internal/sealbox (XChaCha20-Poly1305 under a key derived by HKDF-SHA256)
// with the regulator's audit key as master key and the row's key as
// associated data: a database dump reveals no amount, and a row moved to
// another commitment or edited does not decrypt (it is then a miss and
// the amount is opened again). Whoever
// holds the audit key can open every amount from the ledger anyway, so
// deriving from it adds no new secret to guard.
type Cache struct {
	db  *store.DB
	box *sealbox.Sealer
	now func() time.Time
}

// OpenCache migrates the cache's table in db and returns the cache, sealed
// under a key derived from auditKey.
func OpenCache(ctx context.Context, db *store.DB, auditKey *elgamal.PrivateKey) (*Cache, error) {
	if db == nil || auditKey == nil {
		return nil, errors.New("audit: OpenCache needs a database and the audit key")
	}
	box, err := sealbox.New(auditKey.Bytes(), cacheDomain)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, "audit", cacheMigrations(db.Dialect)); err != nil {
		return nil, err
	}
	return &Cache{db: db, box: box, now: time.Now}, nil
}

func cacheMigrations(d store.Dialect) []string {
	return []string{d.DDL().Replace(`CREATE TABLE audit_openings (
	commitment {{blob}} NOT NULL,
	binding    {{blob}} NOT NULL,
	sealed     {{blob}} NOT NULL,
	opened_at  BIGINT   NOT NULL,
	PRIMARY KEY (commitment, binding)
)`)}
}

// binding digests what, besides the commitment, decides an opening's
// outcome: the handle and the regulator envelope.
func binding(s sealed) []byte {
	h := sha256.New()
	h.Write([]byte(cacheDomain))
	fields := [][]byte{s.handle, s.envelope}
	if s.purpose != "" { // tokens' and invoices' keys stay what they were
		fields = append(fields, []byte(s.purpose))
	}
	for _, f := range fields {
		h.Write(binary.BigEndian.AppendUint32(nil, uint32(len(f))))
		h.Write(f)
	}
	return h.Sum(nil)
}

func rowAD(commitment, bind []byte) []byte {
	ad := append([]byte(cacheDomain), commitment...)
	return append(ad, bind...)
}

// Codes of the sealed record: status, fault, reason, bits, value (12 bytes).
var (
	statusCodes = []Status{"", Reconciled, EnvelopeMismatch, Unopenable}
	faultCodes  = []EnvelopeFault{"", FaultMissing, FaultUndecryptable, FaultHandleMismatch}
	reasonCodes = []UnopenedReason{"", AboveBound, Malformed}
)

func codeOf[T comparable](list []T, v T) byte {
	for i, x := range list {
		if x == v {
			return byte(i)
		}
	}
	return 0
}

func encodeRecord(a Amount, bits int) []byte {
	b := []byte{codeOf(statusCodes, a.Status), codeOf(faultCodes, a.Envelope), codeOf(reasonCodes, a.Unopened), byte(bits)}
	return binary.BigEndian.AppendUint64(b, a.Minor)
}

func decodeRecord(b []byte) (Amount, int, bool) {
	if len(b) != 12 || int(b[0]) >= len(statusCodes) || b[0] == 0 || int(b[1]) >= len(faultCodes) || int(b[2]) >= len(reasonCodes) {
		return Amount{}, 0, false
	}
	a := Amount{Status: statusCodes[b[0]], Envelope: faultCodes[b[1]], Unopened: reasonCodes[b[2]], Minor: binary.BigEndian.Uint64(b[4:])}
	return a, int(b[3]), true
}

// get returns the cached opening of s, if any still holds for a table of
// bits: an amount found above a smaller bound may open now.
func (c *Cache) get(ctx context.Context, s sealed, bits int) (Amount, bool, error) {
	bind := binding(s)
	var row []byte
	err := c.db.SQL.QueryRowContext(ctx, c.db.Rebind(`SELECT sealed FROM audit_openings WHERE commitment = ? AND binding = ?`),
		s.commitment, bind).Scan(&row)
	if errors.Is(err, sql.ErrNoRows) {
		return Amount{}, false, nil
	}
	if err != nil {
		return Amount{}, false, fmt.Errorf("audit: cache: %w", err)
	}
	pt, err := c.box.Open(row, rowAD(s.commitment, bind))
	if err != nil {
		return Amount{}, false, nil // tampered or another key: open again
	}
	a, cachedBits, ok := decodeRecord(pt)
	if !ok || (a.Unopened == AboveBound && cachedBits < bits) {
		return Amount{}, false, nil
	}
	return a, true, nil
}

// cached is one fresh opening to store.
type cached struct {
	s sealed
	a Amount
}

// putAll stores fresh openings in one transaction (SQLite commits are the
// slow part: one per row would dominate a large run).
func (c *Cache) putAll(ctx context.Context, rows []cached, bits int) error {
	if len(rows) == 0 {
		return nil
	}
	q := c.db.Rebind(`INSERT INTO audit_openings (commitment, binding, sealed, opened_at) VALUES (?, ?, ?, ?)
ON CONFLICT (commitment, binding) DO UPDATE SET sealed = excluded.sealed, opened_at = excluded.opened_at`)
	at := c.now().Unix()
	sealedRows := make([][]byte, len(rows))
	binds := make([][]byte, len(rows))
	for i, r := range rows {
		binds[i] = binding(r.s)
		var err error
		if sealedRows[i], err = c.box.Seal(encodeRecord(r.a, bits), rowAD(r.s.commitment, binds[i])); err != nil {
			return err
		}
	}
	return c.db.InTx(ctx, func(tx *sql.Tx) error {
		for i, r := range rows {
			if _, err := tx.ExecContext(ctx, q, r.s.commitment, binds[i], sealedRows[i], at); err != nil {
				return fmt.Errorf("audit: cache: %w", err)
			}
		}
		return nil
	})
}
