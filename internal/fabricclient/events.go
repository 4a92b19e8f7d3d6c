package fabricclient

import (
	"context"

	"github.com/hyperledger/fabric-gateway/pkg/client"
)

// Event is a chaincode event from a committed transaction.
type Event struct {
	BlockNumber uint64
	TxID        string
	Chaincode   string
	Name        string
	Payload     []byte
}

// Checkpoint is a position in the event stream: the block in which the next
// event is expected and the last transaction already processed in it.
// fabric-gateway's InMemoryCheckpointer and FileCheckpointer satisfy it, and
// so may a service's own SQL-backed checkpoint.
type Checkpoint interface {
	BlockNumber() uint64
	TransactionID() string
}

// EventsOption chooses where ChaincodeEvents starts.
type EventsOption func(*[]client.ChaincodeEventsOption)

// FromBlock starts at block n (inclusive).
func FromBlock(n uint64) EventsOption {
	return func(o *[]client.ChaincodeEventsOption) { *o = append(*o, client.WithStartBlock(n)) }
}

// FromCheckpoint resumes after the checkpoint's last processed transaction.
// A zero checkpoint (block 0, no transaction) is ignored, so a fresh
// checkpointer combined with FromBlock starts at that block.
func FromCheckpoint(cp Checkpoint) EventsOption {
	return func(o *[]client.ChaincodeEventsOption) { *o = append(*o, client.WithCheckpoint(cp)) }
}

// ChaincodeEvents streams the chaincode's events, by default from the next
// block committed. The channel closes when ctx ends or the stream breaks
// (fabric-gateway does not say why): the caller reconnects from its
// checkpoint, which is what makes the stream gap-free.
func (c *Client) ChaincodeEvents(ctx context.Context, opts ...EventsOption) (<-chan Event, error) {
	var copts []client.ChaincodeEventsOption
	for _, o := range opts {
		o(&copts)
	}
	upstream, err := c.network.ChaincodeEvents(ctx, c.chaincode, copts...)
	if err != nil {
		return nil, mapError(ctx, "events "+c.chaincode, err)
	}
	out := make(chan Event)
	go func() {
		defer close(out)
		// fabric-gateway's own goroutine blocks sending each event; when we
		// stop early we drain until it sees ctx and closes.
		defer func() {
			for range upstream {
			}
		}()
		for ev := range upstream {
			select {
			case out <- Event{BlockNumber: ev.BlockNumber, TxID: ev.TransactionID, Chaincode: ev.ChaincodeName, Name: ev.EventName, Payload: ev.Payload}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return out, nil
}
