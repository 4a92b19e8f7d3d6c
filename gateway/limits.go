package gateway

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/internal/problem"
)

// withDeadline gives the request's context a deadline (none when d is 0).
// Handlers and the ledger client honour it; an expired deadline surfaces as
// context.DeadlineExceeded or fabricclient.ErrTimeout and renders as 504.
func withDeadline(d time.Duration) gin.HandlerFunc {
	return func(c *gin.Context) {
		if d <= 0 {
			c.Next()
			return
		}
		ctx, cancel := context.WithTimeout(c.Request.Context(), d)
		defer cancel()
		c.Request = c.Request.WithContext(ctx)
		c.Next()
	}
}

// limitBody refuses bodies larger than n: at once when Content-Length says
// so, else when reading passes n (http.MaxBytesReader; DecodeJSON and the
// idempotency middleware turn its error into 413).
func limitBody(n int64) gin.HandlerFunc {
	return func(c *gin.Context) {
		if c.Request.ContentLength > n {
			fail(c, problem.New(http.StatusRequestEntityTooLarge, problem.CodePayloadTooLarge, "the request body is larger than this route accepts"))
			return
		}
		c.Request.Body = http.MaxBytesReader(c.Writer, c.Request.Body, n)
		c.Next()
	}
}
