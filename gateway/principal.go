package gateway

import (
	"context"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/gateway/bearer"
)

// Principal is who a request acts for (bearer.Principal: what an API
// token maps to).
type Principal = bearer.Principal

type principalKey struct{}

const ctxPrincipal = "tierchain.principal"

// PrincipalFrom returns the principal the auth middleware attached to a
// request's context, for services called with that context.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// PrincipalOf returns the authenticated principal of a request. Inside a
// route registered through Routes it is always present.
func PrincipalOf(c *gin.Context) Principal {
	p, _ := principalOf(c)
	return p
}

func principalOf(c *gin.Context) (Principal, bool) {
	v, ok := c.Get(ctxPrincipal)
	if !ok {
		return Principal{}, false
	}
	p, ok := v.(Principal)
	return p, ok
}

func setPrincipal(c *gin.Context, p Principal) {
	c.Set(ctxPrincipal, p)
	c.Request = c.Request.WithContext(context.WithValue(c.Request.Context(), principalKey{}, p))
}
