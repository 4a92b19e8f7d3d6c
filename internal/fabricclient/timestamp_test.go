package fabricclient

import (
	"context"
	"testing"
	"time"

	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
)

// TestSubmitResultTimestamp: Result.Timestamp is the timestamp of the
// proposal the peers endorsed (its channel header's), the time the
// chaincode reads with GetTxTimestamp, to the nanosecond.
func TestSubmitResultTimestamp(t *testing.T) {
	var sent time.Time
	f := &fakeGateway{endorse: func(_ context.Context, r *gateway.EndorseRequest) (*gateway.EndorseResponse, error) {
		var prop peer.Proposal
		var hdr common.Header
		var chdr common.ChannelHeader
		if err := proto.Unmarshal(r.GetProposedTransaction().GetProposalBytes(), &prop); err != nil {
			t.Errorf("proposal: %v", err)
		} else if err := proto.Unmarshal(prop.Header, &hdr); err != nil {
			t.Errorf("header: %v", err)
		} else if err := proto.Unmarshal(hdr.ChannelHeader, &chdr); err != nil {
			t.Errorf("channel header: %v", err)
		} else {
			sent = chdr.GetTimestamp().AsTime()
		}
		return &gateway.EndorseResponse{PreparedTransaction: envelope("scf", []byte("ok"))}, nil
	}}
	c := startFake(t, f, Timeouts{})
	before := time.Now()
	res, err := c.Submit(context.Background(), "tierchain", "Split", "{}")
	if err != nil {
		t.Fatal(err)
	}
	if sent.IsZero() || !res.Timestamp.Equal(sent) || res.Timestamp.Location() != time.UTC {
		t.Fatalf("Result.Timestamp %v, the proposal's %v", res.Timestamp, sent)
	}
	if res.Timestamp.Before(before.Add(-time.Second)) || res.Timestamp.After(time.Now().Add(time.Second)) {
		t.Fatalf("Result.Timestamp %v is not the submit's time (%v)", res.Timestamp, before)
	}
}
