package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
)

// Event is one server-sent event: what happened (Type, e.g.
// "token.issued"), its JSON Data, and who may see it.
type Event struct {
	// ID is assigned by Publish: "<epoch>-<sequence>", where the epoch names
	// this broker's lifetime, so a Last-Event-ID from before a restart is
	// recognised as such.
	ID   string
	Type string
	Data json.RawMessage
	// To lists the enterprises that see the event; Roles the roles whose
	// every member sees it (the regulator sees everything it is given).
	To    []string
	Roles []model.Role
}

// visibleTo reports whether p may see e.
func (e *Event) visibleTo(p Principal) bool {
	return slices.Contains(e.To, p.EnterpriseID) || slices.Contains(e.Roles, p.Role)
}

// Broker fans events out to the open /v1/events streams and keeps the most
// recent ones for Last-Event-ID resumption. A subscriber that falls behind
// by more than its channel holds is dropped; its client reconnects and
// resumes from the buffer.
type Broker struct {
	mu     sync.Mutex
	epoch  string
	seq    uint64
	buf    []Event // ring of the last cap(buf) events, oldest first once full
	start  int     // index of the oldest event in buf when full
	subs   map[*Subscription]struct{}
	closed bool
}

// subscriberQueue is how many events a subscriber may lag behind.
const subscriberQueue = 64

// NewBroker returns a broker keeping the last size events for resumption.
func NewBroker(size int) *Broker {
	if size <= 0 {
		size = 1024
	}
	return &Broker{
		epoch: strconv.FormatInt(time.Now().UnixNano(), 36),
		buf:   make([]Event, 0, size),
		subs:  make(map[*Subscription]struct{}),
	}
}

// Publish assigns ev its ID, keeps it and delivers it to every subscriber
// allowed to see it. Data must be valid JSON; it is compacted to one line.
func (b *Broker) Publish(ev Event) (Event, error) {
	var data bytes.Buffer
	if len(ev.Data) == 0 {
		data.WriteString("null")
	} else if err := json.Compact(&data, ev.Data); err != nil {
		return Event{}, fmt.Errorf("gateway: event data: %w", err)
	}
	if strings.ContainsAny(ev.Type, "\r\n") {
		return Event{}, fmt.Errorf("gateway: event type %q has a line break", ev.Type)
	}
	ev.Data = data.Bytes()
	ev.To, ev.Roles = slices.Clone(ev.To), slices.Clone(ev.Roles)

	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return Event{}, fmt.Errorf("gateway: broker closed")
	}
	b.seq++
	ev.ID = b.epoch + "-" + strconv.FormatUint(b.seq, 10)
	if len(b.buf) < cap(b.buf) {
		b.buf = append(b.buf, ev)
	} else {
		b.buf[b.start] = ev
		b.start = (b.start + 1) % len(b.buf)
	}
	for s := range b.subs {
		if !ev.visibleTo(s.principal) {
			continue
		}
		select {
		case s.ch <- ev:
		default:
			b.dropLocked(s, true)
		}
	}
	return ev, nil
}

// Subscription is one stream's feed. C is closed when the subscriber is
// dropped (Lagged) or the broker closes.
type Subscription struct {
	b         *Broker
	principal Principal
	ch        chan Event
	lagged    bool
}

// C delivers the events the subscriber may see.
func (s *Subscription) C() <-chan Event { return s.ch }

// Lagged reports whether the subscription was dropped for falling behind.
func (s *Subscription) Lagged() bool {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return s.lagged
}

// Close ends the subscription.
func (s *Subscription) Close() {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	s.b.dropLocked(s, false)
}

func (b *Broker) dropLocked(s *Subscription, lagged bool) {
	if _, ok := b.subs[s]; !ok {
		return
	}
	delete(b.subs, s)
	s.lagged = lagged
	close(s.ch)
}

// Subscribe opens a feed for p. With lastEventID it first returns the
// buffered events after that one that p may see; complete is false when
// some events p may have missed are no longer buffered (or the ID is from
// another broker lifetime, or malformed): the client should re-read state.
func (b *Broker) Subscribe(p Principal, lastEventID string) (sub *Subscription, backlog []Event, complete bool, err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil, nil, false, fmt.Errorf("gateway: broker closed")
	}
	complete = true
	if lastEventID != "" {
		last, ok := b.parseID(lastEventID)
		oldest := b.seq - uint64(len(b.buf)) + 1 // sequence of buf's oldest event
		switch {
		case !ok || last > b.seq:
			complete, last = false, 0
		case last+1 < oldest:
			complete = false
		}
		for i := range len(b.buf) {
			ev := b.buf[(b.start+i)%len(b.buf)]
			if b.seqOf(ev.ID) > last && ev.visibleTo(p) {
				backlog = append(backlog, ev)
			}
		}
	}
	sub = &Subscription{b: b, principal: p, ch: make(chan Event, subscriberQueue)}
	b.subs[sub] = struct{}{}
	return sub, backlog, complete, nil
}

func (b *Broker) parseID(id string) (uint64, bool) {
	epoch, seq, ok := strings.Cut(id, "-")
	if !ok || epoch != b.epoch {
		return 0, false
	}
	n, err := strconv.ParseUint(seq, 10, 64)
	return n, err == nil
}

func (b *Broker) seqOf(id string) uint64 {
	n, _ := b.parseID(id)
	return n
}

// Close drops every subscriber; their streams end.
func (b *Broker) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.closed = true
	for s := range b.subs {
		b.dropLocked(s, false)
	}
}
