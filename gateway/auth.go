package gateway

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/failurelimit"
	"github.com/tierchain/tierchain/internal/problem"
)

func unauthenticated(detail string) *problem.Problem {
	return problem.New(http.StatusUnauthorized, problem.CodeUnauthenticated, detail).
		WithHeader("WWW-Authenticate", `Bearer realm="tierchain"`)
}

// authGuard slows down token guessing: it counts failed authentications
// (a bearer token that is unknown or revoked) per client address and per
// token prefix, and refuses a key that used up its budget with 429 before
// the token is even looked up, so a blocked guesser learns nothing.
//
// The prefix key catches a guesser spread over many addresses who knows
// the start of a token (from a log line or a screenshot); its price is that
// the token's owner is locked out with the guesser until the window ends.
type authGuard struct {
	byClient, byPrefix *failurelimit.Limiter
}

// tokenPrefixLen is how much of a presented token forms its prefix key:
// "tct_" and 12 random characters (72 bits), which only a partial leak of
// that one token would let a guesser hold fixed.
const tokenPrefixLen = len(TokenPrefix) + 12

func newAuthGuard(cfg Config) *authGuard {
	return &authGuard{
		byClient: failurelimit.New(cfg.AuthFailures, cfg.AuthFailureWindow, cfg.AuthFailureKeys),
		byPrefix: failurelimit.New(cfg.AuthFailures, cfg.AuthFailureWindow, cfg.AuthFailureKeys),
	}
}

// clientKey is the client's address as the failure limiter counts it: the
// IPv4 address, or the /64 an IPv6 host is given. The address is the TCP
// peer's unless Config.TrustedProxies names the proxy in front.
func clientKey(c *gin.Context) string {
	ip := net.ParseIP(c.ClientIP())
	if ip == nil {
		return "client:" + c.Request.RemoteAddr
	}
	if v4 := ip.To4(); v4 != nil {
		return "client:" + v4.String()
	}
	return "client:" + ip.Mask(net.CIDRMask(64, 128)).String()
}

// prefixKey names a token's prefix without keeping any of it in memory.
func prefixKey(token string) string {
	if len(token) > tokenPrefixLen {
		token = token[:tokenPrefixLen]
	}
	sum := sha256.Sum256([]byte("tierchain/auth-prefix/v1\x00" + token))
	return "prefix:" + hex.EncodeToString(sum[:12])
}

// blocked returns the 429 for a client or token prefix over its budget.
func (g *authGuard) blocked(c *gin.Context, token string, now time.Time) *problem.Problem {
	wait := time.Duration(0)
	for _, k := range []struct {
		l   *failurelimit.Limiter
		key string
	}{{g.byClient, clientKey(c)}, {g.byPrefix, prefixKey(token)}} {
		if b, w := k.l.Blocked(k.key, now); b {
			wait = max(wait, w)
		}
	}
	if wait == 0 {
		return nil
	}
	secs := int((wait + time.Second - 1) / time.Second)
	return problem.New(http.StatusTooManyRequests, problem.CodeRateLimited,
		"too many failed authentications; try again later").WithHeader("Retry-After", strconv.Itoa(secs))
}

// failed counts a failed authentication; it reports whether that blocked
// the client or the prefix.
func (g *authGuard) failed(c *gin.Context, token string, now time.Time) bool {
	a := g.byClient.Fail(clientKey(c), now)
	b := g.byPrefix.Fail(prefixKey(token), now)
	return a || b
}

// bearerToken returns the token of "Authorization: Bearer <token>", or the
// 401 to answer.
func bearerToken(c *gin.Context) (string, *problem.Problem) {
	h := c.GetHeader("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" {
		return "", unauthenticated("an API token is required: Authorization: Bearer <token>")
	}
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", unauthenticated("the Authorization header must read: Bearer <token>")
	}
	return token, nil
}

// admitBearer returns the request's bearer token if the client and the
// token's prefix are not blocked; otherwise it fails the request.
func (s *Server) admitBearer(c *gin.Context) (string, bool) {
	token, p := bearerToken(c)
	if p == nil {
		p = s.guard.blocked(c, token, s.now())
	}
	if p != nil {
		fail(c, p)
		return "", false
	}
	return token, true
}

// authenticate maps "Authorization: Bearer <token>" to a Principal.
func (s *Server) authenticate(c *gin.Context) {
	token, ok := s.admitBearer(c)
	if !ok {
		return
	}
	principal, err := s.tokens.Lookup(c.Request.Context(), token)
	if errors.Is(err, ErrUnknownToken) {
		s.authFailed(c, token)
		fail(c, unauthenticated("the API token is unknown or revoked"))
		return
	}
	if err != nil {
		fail(c, err) // the database: a 500, logged
		return
	}
	setPrincipal(c, principal)
	c.Next()
}

func (s *Server) authFailed(c *gin.Context, token string) {
	if s.guard.failed(c, token, s.now()) {
		s.log.Warn("authentication failures over the limit; blocking", "client", clientKey(c),
			"request_id", requestID(c), "window", s.cfg.AuthFailureWindow.String())
	}
}

// authenticateMetrics lets a Prometheus scrape through: a bearer token
// whose SHA-256 is one of Config.MetricsTokens (a scrape-only credential),
// or an API token of the operator. Failures count like any other.
func (s *Server) authenticateMetrics(c *gin.Context) {
	token, ok := s.admitBearer(c)
	if !ok {
		return
	}
	if s.isMetricsToken(token) {
		c.Next()
		return
	}
	principal, err := s.tokens.Lookup(c.Request.Context(), token)
	switch {
	case errors.Is(err, ErrUnknownToken):
		s.authFailed(c, token)
		fail(c, unauthenticated("the metrics token or API token is unknown or revoked"))
	case err != nil:
		fail(c, err)
	case principal.Role != model.RoleOperator:
		fail(c, problem.New(http.StatusForbidden, problem.CodeForbidden, "metrics are open to the operator and the scrape token only"))
	default:
		c.Next()
	}
}

// isMetricsToken compares the token's hash with every configured scrape
// token hash, in constant time for each.
func (s *Server) isMetricsToken(token string) bool {
	got := []byte(HashToken(token))
	found := 0
	for _, h := range s.cfg.MetricsTokens {
		found |= subtle.ConstantTimeCompare(got, []byte(strings.ToLower(h)))
	}
	return found == 1
}

// requireRole lets the request through only for the given roles (any
// authenticated role when none are given).
func requireRole(roles ...model.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		p, ok := principalOf(c)
		if !ok {
			fail(c, unauthenticated("an API token is required"))
			return
		}
		if len(roles) > 0 && !slices.Contains(roles, p.Role) {
			fail(c, problem.New(http.StatusForbidden, problem.CodeForbidden, "this operation is not open to the "+string(p.Role)+" role"))
			return
		}
		c.Next()
	}
}
