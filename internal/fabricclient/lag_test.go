package fabricclient

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// refusal is the peer gateway's endorsement failure with one detail per
// refusing peer, each named by its MSP.
func refusal(msg string, msps ...string) error {
	st := status.New(codes.Aborted, "failed to collect enough transaction endorsements, see attached details for more info")
	for _, m := range msps {
		var err error
		if st, err = st.WithDetails(&gateway.ErrorDetail{Address: "peer0." + m + ":7051", MspId: m, Message: msg}); err != nil {
			panic(err)
		}
	}
	return st.Err()
}

// TestEndorsementLag: when only other organisations' peers refuse (a peer
// a block behind the client's own), the same proposal is endorsed again
// after a short wait; a refusal by the client's own peer, or by no peer
// named, is answered at once; a lag that outlasts the waits is the
// refusal it was.
func TestEndorsementLag(t *testing.T) {
	notFound := "chaincode response 500, NOT_FOUND: invoice f00"
	for _, tc := range []struct {
		name      string
		mspID     string
		refusals  int // endorsements refused before one succeeds
		refusal   error
		wantCalls int32
		wantCode  string // "" = committed
	}{
		{"behind once", "CoreMSP", 1, refusal(notFound, "BankAMSP"), 2, ""},
		{"mismatch twice", "CoreMSP", 2, refusal("ProposalResponsePayloads do not match", "BankAMSP", "OperatorMSP"), 3, ""},
		{"behind for good", "CoreMSP", 99, refusal(notFound, "BankBMSP"), int32(len(lagBackoff) + 1), "NOT_FOUND"},
		{"own peer refuses", "CoreMSP", 99, refusal(notFound, "CoreMSP"), 1, "NOT_FOUND"},
		{"own peer among others", "CoreMSP", 99, refusal(notFound, "BankAMSP", "CoreMSP"), 1, "NOT_FOUND"},
		{"no organisation known", "", 99, refusal(notFound, "BankAMSP"), 1, "NOT_FOUND"},
		{"no peer named", "CoreMSP", 99, status.Error(codes.Aborted, "chaincode response 500, NOT_FOUND: invoice f00"), 1, "NOT_FOUND"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			f := &fakeGateway{endorse: func(context.Context, *gateway.EndorseRequest) (*gateway.EndorseResponse, error) {
				if calls.Add(1) <= int32(tc.refusals) {
					return nil, tc.refusal
				}
				return &gateway.EndorseResponse{PreparedTransaction: envelope("scf", []byte("ok"))}, nil
			}}
			c := startFakeWith(t, f, Options{MSPID: tc.mspID})
			res, err := c.Submit(context.Background(), "tierchain", "ConfirmInvoice", "{}")
			if got := calls.Load(); got != tc.wantCalls {
				t.Errorf("%d endorsements, want %d", got, tc.wantCalls)
			}
			if tc.wantCode == "" {
				if err != nil || string(res.Payload) != "ok" {
					t.Fatalf("got %q, %v; want the committed result", res.Payload, err)
				}
				return
			}
			var ce *ChaincodeError
			if !errors.As(err, &ce) || ce.Code != tc.wantCode {
				t.Fatalf("got %T %v, want the chaincode's %s", err, err, tc.wantCode)
			}
		})
	}
}

// TestEndorsementLagStopsWithTheContext: the waits end with the caller's
// context.
func TestEndorsementLagStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	f := &fakeGateway{endorse: func(context.Context, *gateway.EndorseRequest) (*gateway.EndorseResponse, error) {
		calls.Add(1)
		cancel()
		return nil, refusal("chaincode response 500, NOT_FOUND: x", "BankAMSP")
	}}
	c := startFakeWith(t, f, Options{MSPID: "CoreMSP"})
	if _, err := c.Submit(ctx, "tierchain", "ConfirmInvoice", "{}"); err == nil {
		t.Fatal("a cancelled submit succeeded")
	}
	if calls.Load() != 1 {
		t.Errorf("%d endorsements after the context ended, want 1", calls.Load())
	}
}
