package gateway

import (
	"crypto/rand"
	"encoding/hex"

	"github.com/gin-gonic/gin"
)

// HeaderRequestID carries the request ID both ways.
const HeaderRequestID = "X-Request-ID"

const ctxRequestID = "tierchain.requestID"

// ValidRequestID reports whether a client-supplied request ID may be used
// as is: 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or
// digit, so it is safe in logs, headers and problem bodies.
func ValidRequestID(id string) bool { return safeID.MatchString(id) }

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// assignRequestID takes the client's X-Request-ID when it is valid, else
// makes one, and echoes it on the response.
func assignRequestID(c *gin.Context) {
	id := c.GetHeader(HeaderRequestID)
	if !ValidRequestID(id) {
		id = newRequestID()
	}
	c.Set(ctxRequestID, id)
	c.Header(HeaderRequestID, id)
	c.Next()
}

func requestID(c *gin.Context) string { return c.GetString(ctxRequestID) }
