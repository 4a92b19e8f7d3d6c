package gateway

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"github.com/gin-gonic/gin"
)

// recoverPanics turns a panic anywhere below into a 500 problem, logged with
// its stack and the request ID. http.ErrAbortHandler keeps its meaning
// (abort the response silently).
func (s *Server) recoverPanics(c *gin.Context) {
	defer func() {
		v := recover()
		if v == nil {
			return
		}
		if err, ok := v.(error); ok && errors.Is(err, http.ErrAbortHandler) {
			panic(v)
		}
		s.log.LogAttrs(c.Request.Context(), slog.LevelError, "panic",
			slog.String("request_id", requestID(c)),
			slog.String("method", c.Request.Method), slog.String("route", c.FullPath()),
			slog.String("panic", fmt.Sprint(v)), slog.String("stack", string(debug.Stack())))
		c.Abort()
		if !c.Writer.Written() {
			s.render(c, fmt.Errorf("panic: %v", v))
		}
		s.metrics.observePanic(c)
	}()
	c.Next()
}
