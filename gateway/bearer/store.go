// Package bearer keeps the gateway's API tokens: bearer tokens mapped to
// the principal a request acts for, stored as SHA-256 hashes (never the
// tokens), issued, revoked and seeded from configuration. The gateway's
// authentication middleware looks tokens up here; the tables are the
// gateway's (gateway.MigrateDB).
package bearer

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/services/store"
)

// TokenPrefix starts every API token, so that a leaked one is easy to find
// by secret scanners.
const TokenPrefix = "tct_"

// ErrUnknownToken reports a token that is malformed, unknown or revoked.
var ErrUnknownToken = errors.New("gateway: unknown API token")

// Principal is who a request acts for: a registered enterprise, its role on
// the platform and the MSP whose identity signs its ledger transactions.
type Principal struct {
	EnterpriseID string     `json:"enterpriseId"`
	Role         model.Role `json:"role"`
	MSPID        string     `json:"mspId"`
}

// Seed is a token put into the table at start (dev and demo). Give the
// token's SHA-256 (hex) rather than the token itself wherever the config is
// stored; Token is for throwaway environments.
type Seed struct {
	Token     string // the bearer token itself, or
	SHA256    string // the hex SHA-256 of the token
	Principal Principal
	Label     string
}

// Store keeps API tokens in SQL as SHA-256 hashes, never the tokens.
type Store struct {
	db  *store.DB
	now func() time.Time
}

// NewStore returns the store over db (migrated by gateway.MigrateDB).
func NewStore(db *store.DB, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{db: db, now: now}
}

// HashToken is the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken returns a fresh random token (256 bits).
func NewToken() string {
	var b [32]byte
	rand.Read(b[:])
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// Issue makes a new token for p, stores its hash and returns the token: the
// only time it is seen.
func (ts *Store) Issue(ctx context.Context, p Principal, label string) (string, error) {
	tok := NewToken()
	return tok, ts.Put(ctx, HashToken(tok), p, label)
}

// Put stores (or replaces) the principal for a token hash.
func (ts *Store) Put(ctx context.Context, hash string, p Principal, label string) error {
	if err := checkPrincipal(p); err != nil {
		return err
	}
	if b, err := hex.DecodeString(hash); err != nil || len(b) != sha256.Size {
		return fmt.Errorf("gateway: token hash must be 64 hex digits")
	}
	_, err := ts.db.SQL.ExecContext(ctx, ts.db.Rebind(`
		INSERT INTO gateway_tokens (token_hash, enterprise_id, role, msp_id, label, created_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, NULL)
		ON CONFLICT (token_hash) DO UPDATE SET enterprise_id = excluded.enterprise_id, role = excluded.role,
			msp_id = excluded.msp_id, label = excluded.label, revoked_at = NULL`),
		strings.ToLower(hash), p.EnterpriseID, string(p.Role), p.MSPID, label, ts.now().UnixMicro())
	if err != nil {
		return fmt.Errorf("gateway: store token: %w", err)
	}
	return nil
}

// Revoke makes a token hash unusable.
func (ts *Store) Revoke(ctx context.Context, hash string) error {
	_, err := ts.db.SQL.ExecContext(ctx, ts.db.Rebind(
		`UPDATE gateway_tokens SET revoked_at = ? WHERE token_hash = ?`), ts.now().UnixMicro(), strings.ToLower(hash))
	return err
}

// Lookup returns the principal of a bearer token, or ErrUnknownToken.
func (ts *Store) Lookup(ctx context.Context, token string) (Principal, error) {
	if token == "" || len(token) > 512 {
		return Principal{}, ErrUnknownToken
	}
	want := HashToken(token)
	var got, role string
	var p Principal
	err := ts.db.SQL.QueryRowContext(ctx, ts.db.Rebind(`
		SELECT token_hash, enterprise_id, role, msp_id FROM gateway_tokens
		WHERE token_hash = ? AND revoked_at IS NULL`), want).Scan(&got, &p.EnterpriseID, &role, &p.MSPID)
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, ErrUnknownToken
	}
	if err != nil {
		return Principal{}, fmt.Errorf("gateway: look up token: %w", err)
	}
	// The index found the row by hash; compare again without a timing
	// signal so that no code path depends on partial matches.
	if subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return Principal{}, ErrUnknownToken
	}
	p.Role = model.Role(role)
	return p, nil
}

// ErrSeed reports a configured seed token that cannot be stored.
var ErrSeed = errors.New("bearer: invalid seed token")

// Seed stores the configured tokens (ErrSeed for one that is invalid).
func (ts *Store) Seed(ctx context.Context, seeds []Seed) error {
	for i, s := range seeds {
		hash := s.SHA256
		if s.Token != "" {
			if hash != "" && subtle.ConstantTimeCompare([]byte(strings.ToLower(hash)), []byte(HashToken(s.Token))) != 1 {
				return fmt.Errorf("%w: seed token %d: token and SHA256 disagree", ErrSeed, i)
			}
			hash = HashToken(s.Token)
		}
		if err := ts.Put(ctx, hash, s.Principal, s.Label); err != nil {
			return fmt.Errorf("%w: seed token %d (%s): %v", ErrSeed, i, s.Principal.EnterpriseID, err)
		}
	}
	return nil
}

// safeID is the shape of an enterprise ID a token may act for (the
// gateway's identifiers' alphabet).
var safeID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)

func checkPrincipal(p Principal) error {
	switch {
	case p.EnterpriseID == "" || !safeID.MatchString(p.EnterpriseID):
		return fmt.Errorf("gateway: principal needs an enterprise ID of safe characters")
	case !p.Role.Valid():
		return fmt.Errorf("gateway: principal role %q is not one of core, supplier, bank, regulator, operator", p.Role)
	case p.MSPID == "":
		return fmt.Errorf("gateway: principal needs an MSP ID")
	}
	return nil
}
