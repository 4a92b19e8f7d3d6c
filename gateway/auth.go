package gateway

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/problem"
)

func unauthenticated(detail string) *problem.Problem {
	return problem.New(http.StatusUnauthorized, problem.CodeUnauthenticated, detail).
		WithHeader("WWW-Authenticate", `Bearer realm="tierchain"`)
}

// authenticate maps "Authorization: Bearer <token>" to a Principal.
func (s *Server) authenticate(c *gin.Context) {
	h := c.GetHeader("Authorization")
	scheme, token, ok := strings.Cut(h, " ")
	if h == "" {
		fail(c, unauthenticated("an API token is required: Authorization: Bearer <token>"))
		return
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		fail(c, unauthenticated("the Authorization header must read: Bearer <token>"))
		return
	}
	p, err := s.tokens.Lookup(c.Request.Context(), strings.TrimSpace(token))
	if errors.Is(err, ErrUnknownToken) {
		fail(c, unauthenticated("the API token is unknown or revoked"))
		return
	}
	if err != nil {
		fail(c, err) // the database: a 500, logged
		return
	}
	setPrincipal(c, p)
	c.Next()
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
