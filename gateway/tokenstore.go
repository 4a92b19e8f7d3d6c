package gateway

import (
	"time"

	"github.com/tierchain/tierchain/gateway/bearer"
	"github.com/tierchain/tierchain/services/store"
)

// The API token store lives in package bearer; these names keep its
// callers (gateway/api, gateway/platform) compiling.

// TokenPrefix starts every API token (bearer.TokenPrefix).
const TokenPrefix = bearer.TokenPrefix

// ErrUnknownToken reports a token that is malformed, unknown or revoked.
var ErrUnknownToken = bearer.ErrUnknownToken

// SeedToken is a token put into the table at start (bearer.Seed).
type SeedToken = bearer.Seed

// TokenStore keeps API tokens (bearer.Store).
type TokenStore = bearer.Store

// NewTokenStore returns the token store over db (bearer.NewStore).
func NewTokenStore(db *store.DB, now func() time.Time) *TokenStore { return bearer.NewStore(db, now) }

// HashToken is the stored form of a token (bearer.HashToken).
func HashToken(token string) string { return bearer.HashToken(token) }

// NewToken returns a fresh random token (bearer.NewToken).
func NewToken() string { return bearer.NewToken() }
