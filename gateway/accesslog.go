package gateway

import (
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"
)

// accessLog logs one line per request and feeds the metrics. It runs inside
// recoverPanics: when the chain below panics it still logs, with the 500
// that recoverPanics is about to write, and lets the panic continue.
func (s *Server) accessLog(c *gin.Context) {
	start := s.now()
	s.metrics.inFlight.Inc()
	completed := false
	defer func() {
		s.metrics.inFlight.Dec()
		status := c.Writer.Status()
		if !completed {
			status = http.StatusInternalServerError
		}
		elapsed := s.now().Sub(start)
		route := routeLabel(c)
		s.metrics.observe(c.Request.Method, route, status, elapsed)

		attrs := []slog.Attr{
			slog.String("method", c.Request.Method),
			slog.String("route", route),
			slog.Int("status", status),
			slog.Duration("duration", elapsed),
			slog.Int("bytes", max(c.Writer.Size(), 0)),
			slog.String("request_id", requestID(c)),
		}
		if p, ok := principalOf(c); ok {
			attrs = append(attrs, slog.String("principal", p.EnterpriseID), slog.String("role", string(p.Role)))
		}
		level := slog.LevelInfo
		if status >= 500 && status != statusClientClosed {
			level = slog.LevelWarn
		}
		s.log.LogAttrs(c.Request.Context(), level, "http request", attrs...)
	}()
	c.Next()
	completed = true
}

// routeLabel is the route pattern, never the raw path, so that logs group
// and metrics stay bounded.
func routeLabel(c *gin.Context) string {
	if r := c.FullPath(); r != "" {
		return r
	}
	return "unmatched"
}
