package ledgerstream

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
)

// memModel is a read model in memory: it applies events, can be told to
// fail the next applies, and keeps the checkpoint.
type memModel struct {
	mu        sync.Mutex
	applied   []string
	cp        Checkpoint
	failNext  int
	following bool
}

func (m *memModel) Checkpoint(context.Context) (Checkpoint, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.cp, nil
}

func (m *memModel) ApplyEvents(_ context.Context, batch []fabricclient.Event, advance bool) ([]model.Event, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.failNext > 0 {
		m.failNext--
		return nil, errors.New("database unavailable")
	}
	var out []model.Event
	for _, ev := range batch {
		if ev.Name != model.EventName {
			continue
		}
		var e model.Event
		if json.Unmarshal(ev.Payload, &e) != nil {
			continue // malformed: recorded, delivered to no one
		}
		if !slices.Contains(m.applied, ev.TxID) {
			m.applied = append(m.applied, ev.TxID)
		}
		out = append(out, e)
	}
	if advance {
		last := batch[len(batch)-1]
		m.cp = Checkpoint{Block: last.BlockNumber, TxID: last.TxID}
	}
	return out, nil
}

func (m *memModel) SaveCheckpoint(_ context.Context, cp Checkpoint) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.cp = cp
	return nil
}

func (m *memModel) SetFollowing(on bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.following = on
}

// replaySource serves the events after the model's checkpoint on every
// connection, then holds the stream open.
type replaySource struct {
	events []fabricclient.Event
	model  *memModel
}

func (s *replaySource) ChaincodeEvents(ctx context.Context, _ ...fabricclient.EventsOption) (<-chan fabricclient.Event, error) {
	cp, _ := s.model.Checkpoint(ctx)
	start := 0
	if !cp.IsZero() {
		start = slices.IndexFunc(s.events, func(ev fabricclient.Event) bool { return ev.TxID == cp.TxID }) + 1
	}
	ch := make(chan fabricclient.Event)
	go func() {
		defer close(ch)
		for _, ev := range s.events[start:] {
			select {
			case ch <- ev:
			case <-ctx.Done():
				return
			}
		}
		<-ctx.Done()
	}()
	return ch, nil
}

func event(t *testing.T, block uint64, tx string) fabricclient.Event {
	t.Helper()
	b, err := json.Marshal(model.Event{Version: model.EventVersion, Kind: "Split", TxID: tx})
	if err != nil {
		t.Fatal(err)
	}
	return fabricclient.Event{BlockNumber: block, TxID: tx, Name: model.EventName, Payload: b}
}

// TestStreamRetriesAFailedBatchBeforeAnyConsumer: a batch the read model
// cannot apply reaches no consumer and moves no checkpoint; the stream
// reconnects and delivers it once the read model takes it. Malformed and
// foreign events reach no consumer. Ready follows the open stream.
func TestStreamRetriesAFailedBatchBeforeAnyConsumer(t *testing.T) {
	events := []fabricclient.Event{
		event(t, 3, "tx1"),
		{BlockNumber: 3, TxID: "tx-bad", Name: model.EventName, Payload: []byte("not json")},
		{BlockNumber: 4, TxID: "tx-other", Name: "other.event", Payload: []byte("x")},
		event(t, 5, "tx2"),
	}
	m := &memModel{failNext: 2}
	var mu sync.Mutex
	var got []string
	s := &Stream{Source: &replaySource{events: events, model: m}, Model: m, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Backoff: time.Millisecond, MaxBatch: 1,
		Consumers: []Consumer{Notify(func(_ context.Context, e model.Event) {
			mu.Lock()
			defer mu.Unlock()
			if m.failNext > 0 {
				t.Errorf("consumer got %s while the read model fails", e.TxID)
			}
			got = append(got, e.TxID)
		})}}
	if err := s.Ready(t.Context()); !errors.Is(err, ErrNotFollowing) {
		t.Fatalf("Ready before Run: %v, want ErrNotFollowing", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if h, _ := s.Height(t.Context()); h == (Checkpoint{Block: 5, TxID: "tx2"}) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the stream did not reach the last event")
		}
		time.Sleep(time.Millisecond)
	}
	if err := s.Ready(t.Context()); err != nil {
		t.Errorf("Ready while following: %v", err)
	}
	m.mu.Lock()
	if !m.following {
		t.Error("the read model was not told the stream follows")
	}
	m.mu.Unlock()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run returned %v", err)
	}
	if s.Following() {
		t.Error("Following after Run returned")
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, []string{"tx1", "tx2"}) {
		t.Fatalf("consumer got %v, want tx1, tx2 once each", got)
	}
}

// TestConsumerErrorHoldsTheStream: a consumer that fails (its outbox's
// database busy) keeps the checkpoint before the event; the batch is
// delivered again, to every consumer, until it succeeds. Nothing is lost;
// the consumer before it sees the event twice (at least once).
func TestConsumerErrorHoldsTheStream(t *testing.T) {
	events := []fabricclient.Event{event(t, 1, "tx1"), event(t, 2, "tx2"), event(t, 3, "tx3")}
	m := &memModel{}
	var mu sync.Mutex
	var first, outbox []string
	failures := 2
	s := &Stream{Source: &replaySource{events: events, model: m}, Model: m, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Backoff: time.Millisecond, MaxBatch: 1,
		Consumers: []Consumer{
			Notify(func(_ context.Context, e model.Event) {
				mu.Lock()
				defer mu.Unlock()
				first = append(first, e.TxID)
			}),
			func(ctx context.Context, e model.Event) error {
				mu.Lock()
				defer mu.Unlock()
				if e.TxID == "tx2" && failures > 0 {
					failures--
					if cp, _ := m.Checkpoint(ctx); cp.TxID != "tx1" {
						t.Errorf("checkpoint %+v while tx2 is being delivered, want tx1", cp)
					}
					return errors.New("database is locked")
				}
				outbox = append(outbox, e.TxID)
				return nil
			},
		}}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if h, _ := s.Height(t.Context()); h.TxID == "tx3" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the stream did not get past the failing consumer")
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(outbox, []string{"tx1", "tx2", "tx3"}) {
		t.Fatalf("outbox got %v, want each event once", outbox)
	}
	if !slices.Equal(first, []string{"tx1", "tx2", "tx2", "tx2", "tx3"}) {
		t.Fatalf("first consumer got %v, want tx2 again with every retry", first)
	}
}
