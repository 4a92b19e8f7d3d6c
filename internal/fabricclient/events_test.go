package fabricclient

import (
	"testing"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
)

func TestChaincodeEventsFromCheckpoint(t *testing.T) {
	var start uint64
	var after string
	f := &fakeGateway{events: func(r *gateway.SignedChaincodeEventsRequest, s gateway.Gateway_ChaincodeEventsServer) error {
		var req gateway.ChaincodeEventsRequest
		if err := proto.Unmarshal(r.GetRequest(), &req); err != nil {
			return err
		}
		start = req.GetStartPosition().GetSpecified().GetNumber()
		after = req.GetAfterTransactionId()
		for b := start; b < start+2; b++ {
			if err := s.Send(&gateway.ChaincodeEventsResponse{BlockNumber: b, Events: []*peer.ChaincodeEvent{
				{ChaincodeId: "tierchain", TxId: "tx", EventName: "tierchain.v1", Payload: []byte{byte(b)}},
			}}); err != nil {
				return err
			}
		}
		<-s.Context().Done()
		return nil
	}}
	c := startFake(t, f, Timeouts{})
	cp := new(client.InMemoryCheckpointer)
	cp.CheckpointTransaction(5, "tx-done")
	events, err := c.ChaincodeEvents(t.Context(), FromBlock(3), FromCheckpoint(cp))
	if err != nil {
		t.Fatal(err)
	}
	for want := uint64(5); want < 7; want++ {
		ev := <-events
		if ev.BlockNumber != want || ev.Name != "tierchain.v1" || ev.Payload[0] != byte(want) {
			t.Fatalf("event %+v, want block %d", ev, want)
		}
	}
	if start != 5 || after != "tx-done" {
		t.Fatalf("stream started at block %d after %q, want the checkpoint (5, tx-done)", start, after)
	}
}
