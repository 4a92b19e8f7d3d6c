package gateway

import (
	"net/http"
	"regexp"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/internal/problem"
)

// HandlerFunc is a route handler. It writes the success response itself and
// returns nil, or returns an error for the one renderer to turn into a
// problem: a *problem.Problem as is, a typed error (chaincode, ledger,
// context) by the table in errors.go, anything else as a 500 whose detail
// never reaches the client.
type HandlerFunc func(c *gin.Context) error

// Handle adapts h to Gin: an error is recorded on the context and the chain
// aborted; the renderer middleware writes it.
func Handle(h HandlerFunc) gin.HandlerFunc {
	return func(c *gin.Context) {
		if err := h(c); err != nil {
			fail(c, err)
		}
	}
}

// fail records err for the renderer and stops the chain. Middlewares use it
// like handlers return errors.
func fail(c *gin.Context, err error) {
	_ = c.Error(err)
	c.Abort()
}

// Invalid is a 400 problem naming the invalid inputs.
func Invalid(detail string, errs ...problem.FieldError) *problem.Problem {
	return problem.New(http.StatusBadRequest, problem.CodeInvalidArgument, detail).WithErrors(errs...)
}

// NotFound is a 404 problem.
func NotFound(detail string) *problem.Problem {
	return problem.New(http.StatusNotFound, problem.CodeNotFound, detail)
}

// safeID is the shape of identifiers the gateway accepts from clients in
// headers and paths: request IDs, idempotency keys, account names.
var safeID = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$`)

// PathID returns path parameter name if it is a safe identifier, else a 400
// problem naming it.
func PathID(c *gin.Context, name string) (string, error) {
	v := c.Param(name)
	if !safeID.MatchString(v) {
		return "", Invalid("invalid path parameter", problem.FieldError{Field: name, Reason: "must be 1-128 characters of A-Z a-z 0-9 . _ : - starting with a letter or digit"})
	}
	return v, nil
}
