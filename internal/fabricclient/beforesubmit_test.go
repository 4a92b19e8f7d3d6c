package fabricclient

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
)

// submitLog records, in order, what the hook was told and what reached
// the fake gateway's Submit.
type submitLog struct {
	mu     sync.Mutex
	events []string
}

func (l *submitLog) add(e string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, e)
}

func (l *submitLog) get() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.events...)
}

func (l *submitLog) hook(_ context.Context, txID string) error {
	l.add("hook " + txID)
	return nil
}

func (l *submitLog) gateway(conflicts int) *fakeGateway {
	var n int
	return &fakeGateway{
		submit: func(_ context.Context, r *gateway.SubmitRequest) (*gateway.SubmitResponse, error) {
			l.add("submit " + r.TransactionId)
			return &gateway.SubmitResponse{}, nil
		},
		commitStatus: func(context.Context, *gateway.SignedCommitStatusRequest) (*gateway.CommitStatusResponse, error) {
			l.mu.Lock()
			defer l.mu.Unlock()
			if n++; n <= conflicts {
				return &gateway.CommitStatusResponse{Result: peer.TxValidationCode_MVCC_READ_CONFLICT, BlockNumber: 6}, nil
			}
			return &gateway.CommitStatusResponse{Result: peer.TxValidationCode_VALID, BlockNumber: 7}, nil
		},
	}
}

// TestBeforeSubmit: the hook learns the transaction's ID before the
// orderer sees it, and it is the ID that is submitted and committed.
func TestBeforeSubmit(t *testing.T) {
	var l submitLog
	c := startFake(t, l.gateway(0), Timeouts{})
	res, err := c.Submit(WithBeforeSubmit(context.Background(), l.hook), "tierchain", "Split", "{}")
	if err != nil {
		t.Fatal(err)
	}
	got := l.get()
	if len(got) != 2 || res.TxID == "" || got[0] != "hook "+res.TxID || got[1] != "submit "+res.TxID {
		t.Fatalf("events %q, committed %s; want the hook then the submit of the committed ID", got, res.TxID)
	}
}

// TestBeforeSubmitRefuses: a hook's error stops the submit before the
// orderer; the error is a retryable ErrUnavailable naming the transaction
// and keeping the hook's error.
func TestBeforeSubmitRefuses(t *testing.T) {
	var l submitLog
	c := startFake(t, l.gateway(0), Timeouts{})
	refused := errors.New("key no longer held")
	var told string
	ctx := WithBeforeSubmit(context.Background(), func(_ context.Context, txID string) error {
		told = txID
		return refused
	})
	_, err := c.Submit(ctx, "tierchain", "Split", "{}")
	var e *Error
	if !errors.As(err, &e) || e.Kind != ErrUnavailable || e.TxID != told || told == "" || !errors.Is(err, refused) || !Retryable(err) {
		t.Fatalf("got %v; want a retryable ErrUnavailable for tx %s wrapping the hook's error", err, told)
	}
	if got := l.get(); len(got) != 0 {
		t.Fatalf("the gateway saw %q after the hook refused", got)
	}
}

// TestBeforeSubmitMVCCRetry: each attempt of a read-conflict retry is a new
// transaction, and the hook hears of each before it is submitted, the last
// being the committed one.
func TestBeforeSubmitMVCCRetry(t *testing.T) {
	var l submitLog
	c := startFakeWith(t, l.gateway(2), Options{MVCCRetries: 2})
	res, err := c.Submit(WithBeforeSubmit(context.Background(), l.hook), "tierchain", "Split", "{}")
	if err != nil {
		t.Fatal(err)
	}
	got := l.get()
	if len(got) != 6 {
		t.Fatalf("events %q, want hook and submit for each of 3 attempts", got)
	}
	seen := map[string]bool{}
	for i := 0; i < len(got); i += 2 {
		id := got[i][len("hook "):]
		if got[i+1] != "submit "+id || seen[id] {
			t.Fatalf("attempt %d: events %q; want the hook, then the submit of a new ID", i/2, got)
		}
		seen[id] = true
	}
	if last := got[len(got)-1]; last != "submit "+res.TxID {
		t.Fatalf("committed %s, last submitted %q", res.TxID, last)
	}
}

// TestBeforeSubmitNotForQueries: an evaluation, which orders nothing, does
// not call the hook; a context without a hook submits as before.
func TestBeforeSubmitNotForQueries(t *testing.T) {
	var l submitLog
	f := l.gateway(0)
	f.evaluate = func(context.Context, *gateway.EvaluateRequest) (*gateway.EvaluateResponse, error) {
		return &gateway.EvaluateResponse{Result: &peer.Response{Status: 200, Payload: []byte("{}")}}, nil
	}
	c := startFake(t, f, Timeouts{})
	if _, err := c.Evaluate(WithBeforeSubmit(context.Background(), l.hook), "tierchain", "GetToken", "t1"); err != nil {
		t.Fatal(err)
	}
	if got := l.get(); len(got) != 0 {
		t.Fatalf("events %q for a query", got)
	}
	if _, err := c.Submit(context.Background(), "tierchain", "Split", "{}"); err != nil {
		t.Fatal(err)
	}
	if got := l.get(); len(got) != 1 {
		t.Fatalf("events %q without a hook, want the submit only", got)
	}
}
