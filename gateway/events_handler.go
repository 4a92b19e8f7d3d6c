package gateway

import (
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/internal/problem"
)

// streamEvents serves GET /v1/events as text/event-stream: a "resync" event
// first when Last-Event-ID cannot be fully honoured, then the buffered
// events after it, then live events, with a comment line every heartbeat.
// It ends when the client leaves, the server shuts down, or the client lags
// too far behind (it reconnects with Last-Event-ID).
func (s *Server) streamEvents(c *gin.Context) error {
	last := c.GetHeader("Last-Event-ID")
	if last == "" {
		last = c.Query("lastEventId") // for EventSource polyfills that cannot set headers
	}
	if len(last) > 128 {
		return Invalid("invalid Last-Event-ID", problem.FieldError{Field: "Last-Event-ID", Reason: "too long"})
	}
	sub, backlog, complete, err := s.broker.Subscribe(PrincipalOf(c), last)
	if err != nil {
		return problem.New(http.StatusServiceUnavailable, problem.CodeUnavailable, "the server is shutting down").WithHeader("Retry-After", "1")
	}
	defer sub.Close()

	// Streams outlive the server's WriteTimeout.
	_ = http.NewResponseController(c.Writer).SetWriteDeadline(time.Time{})
	h := c.Writer.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	c.Status(http.StatusOK)
	w := c.Writer

	fmt.Fprintf(w, "retry: %d\n\n", 3000)
	if last != "" && !complete {
		fmt.Fprintf(w, "event: resync\ndata: {\"reason\":\"events after Last-Event-ID are no longer available\"}\n\n")
	}
	for _, ev := range backlog {
		writeEvent(w, ev)
	}
	w.Flush()

	heartbeat := time.NewTicker(s.cfg.EventsHeartbeat)
	defer heartbeat.Stop()
	ctx := c.Request.Context()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-sub.C():
			if !ok {
				return nil // lagged or shutting down: the client reconnects
			}
			if err := writeEvent(w, ev); err != nil {
				return nil
			}
			w.Flush()
		case <-heartbeat.C:
			if _, err := io.WriteString(w, ": heartbeat\n\n"); err != nil {
				return nil
			}
			w.Flush()
		}
	}
}

func writeEvent(w io.Writer, ev Event) error {
	_, err := fmt.Fprintf(w, "id: %s\nevent: %s\ndata: %s\n\n", ev.ID, ev.Type, ev.Data)
	return err
}
