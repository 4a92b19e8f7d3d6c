package fabricclient

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// withDetails is a peer gateway status carrying per-peer error details, as
// the real gateway sends for endorsement failures.
func withDetails(c codes.Code, msg string, details ...string) error {
	st := status.New(c, msg)
	for _, d := range details {
		var err error
		st, err = st.WithDetails(&gateway.ErrorDetail{Address: "peer0.core:7051", MspId: "CoreMSP", Message: d})
		if err != nil {
			panic(err)
		}
	}
	return st.Err()
}

func TestErrorMapping(t *testing.T) {
	type check func(t *testing.T, err error)
	is := func(target error) check {
		return func(t *testing.T, err error) {
			if !errors.Is(err, target) {
				t.Fatalf("want errors.Is(%v), got %T: %v", target, err, err)
			}
		}
	}
	chaincode := func(code, msg string) check {
		return func(t *testing.T, err error) {
			var ce *ChaincodeError
			if !errors.As(err, &ce) {
				t.Fatalf("want *ChaincodeError, got %T: %v", err, err)
			}
			if ce.Code != code || ce.Message != msg {
				t.Fatalf("got code %q message %q, want %q %q", ce.Code, ce.Message, code, msg)
			}
		}
	}
	notCommitted := func(code peer.TxValidationCode, mvcc bool) check {
		return func(t *testing.T, err error) {
			var nc *NotCommittedError
			if !errors.As(err, &nc) || nc.Code != code || nc.BlockNumber != 9 || nc.TxID == "" {
				t.Fatalf("want NotCommittedError(%v) in block 9, got %T: %v", code, err, err)
			}
			if errors.Is(err, ErrMVCCConflict) != mvcc || Retryable(err) != mvcc {
				t.Fatalf("MVCC/retryable = %v/%v, want %v", errors.Is(err, ErrMVCCConflict), Retryable(err), mvcc)
			}
		}
	}
	fail := func(err error) func(context.Context) error { return func(context.Context) error { return err } }
	// unknown: submitted, outcome lost: never "unavailable" (which says
	// nothing was ordered), never retried as if nothing happened.
	unknown := func(t *testing.T, err error) {
		if !errors.Is(err, ErrUnknownOutcome) || errors.Is(err, ErrUnavailable) || Retryable(err) {
			t.Fatalf("want ErrUnknownOutcome (not retryable), got %T: %v", err, err)
		}
	}

	tests := []struct {
		name   string
		submit bool // Submit (else Evaluate)
		phase  string
		fail   func(ctx context.Context) error
		code   peer.TxValidationCode
		want   check
	}{
		{"evaluate typed", false, "evaluate",
			fail(status.Error(codes.Unknown, "evaluate call to endorser returned error: chaincode response 500, NOT_FOUND: account a1")),
			0, chaincode("NOT_FOUND", "account a1")},
		{"evaluate typed in details", false, "evaluate",
			fail(withDetails(codes.Aborted, "failed to evaluate", "chaincode response 500, FORBIDDEN: the regulator may not write")),
			0, chaincode("FORBIDDEN", "the regulator may not write")},
		{"evaluate unknown code at start", false, "evaluate",
			fail(status.Error(codes.Unknown, "evaluate call to endorser returned error: chaincode response 500, NEW_CODE: later")),
			0, chaincode("NEW_CODE", "later")},
		{"evaluate untyped", false, "evaluate",
			fail(status.Error(codes.Unknown, "evaluate call to endorser returned error: chaincode response 500, Function Nope not found in contract baseline")),
			0, chaincode("", "Function Nope not found in contract baseline")},
		{"evaluate unavailable", false, "evaluate", fail(status.Error(codes.Unavailable, "connection refused")), 0, is(ErrUnavailable)},
		{"evaluate deadline from peer", false, "evaluate", fail(status.Error(codes.DeadlineExceeded, "slow")), 0,
			func(t *testing.T, err error) {
				// A read that ran out of time wrote nothing: safe to retry.
				if !errors.Is(err, ErrTimeout) || !Retryable(err) {
					t.Fatalf("want a retryable ErrTimeout, got %T: %v", err, err)
				}
			}},
		{"evaluate no endorsers", false, "evaluate",
			fail(status.Error(codes.FailedPrecondition, "no peers available to evaluate chaincode tierchain in channel scf")), 0, is(ErrUnavailable)},
		{"endorse typed", true, "endorse",
			fail(withDetails(codes.Aborted, "failed to endorse transaction, see attached details for more info",
				"chaincode response 500, CONFLICT: token t1 is spent")),
			0, chaincode("CONFLICT", "token t1 is spent")},
		{"endorse invalid state", true, "endorse",
			fail(withDetails(codes.Aborted, "failed to endorse transaction", "chaincode response 500, INVALID_STATE: invoice i1 is REJECTED")),
			0, chaincode("INVALID_STATE", "invoice i1 is REJECTED")},
		{"endorse untyped", true, "endorse",
			fail(withDetails(codes.Aborted, "failed to endorse transaction", "chaincode response 500, baseline: empty account")),
			0, chaincode("", "baseline: empty account")},
		{"endorse unavailable", true, "endorse", fail(status.Error(codes.Unavailable, "peer down")), 0, is(ErrUnavailable)},
		{"endorse policy unsatisfiable", true, "endorse", fail(status.Error(codes.FailedPrecondition, "no combination of peers")), 0, is(ErrUnavailable)},
		{"submit forbidden", true, "submit",
			fail(status.Error(codes.Aborted, "received unsuccessful response from orderer: status=FORBIDDEN, info=implicit policy evaluation failed")),
			0, is(ErrForbidden)},
		{"submit permission denied", true, "submit", fail(status.Error(codes.PermissionDenied, "access denied")), 0, is(ErrForbidden)},
		{"submit bad request", true, "submit",
			fail(status.Error(codes.Aborted, "received unsuccessful response from orderer: status=BAD_REQUEST")), 0, is(ErrRejected)},
		{"submit lost", true, "submit", fail(status.Error(codes.Unavailable, "error reading from server: EOF")), 0, unknown},
		{"submit never connected", true, "submit",
			fail(status.Error(codes.Unavailable, "connection error: desc = \"transport: Error while dialing: dial tcp 127.0.0.1:1: connect: connection refused\"")),
			0, is(ErrUnavailable)},
		{"commit status lost", true, "commit", fail(status.Error(codes.Unavailable, "error reading from server: EOF")), 0, unknown},
		{"commit status other", true, "commit", fail(status.Error(codes.Internal, "boom")), 0, unknown},
		{"endorse chaincode down", true, "endorse",
			fail(withDetails(codes.Aborted, "failed to endorse transaction",
				"error in simulation: failed to execute transaction abc: could not launch chaincode tierchain_1:9f: connection refused")),
			0, is(ErrUnavailable)},
		{"evaluate chaincode down", false, "evaluate",
			fail(status.Error(codes.Unknown, "evaluate call to endorser returned error: could not launch chaincode tierchain_1:9f: chaincode registration failed")),
			0, is(ErrUnavailable)},
		{"commit status deadline", true, "commit", fail(status.Error(codes.DeadlineExceeded, "slow")), 0,
			func(t *testing.T, err error) {
				if !errors.Is(err, ErrTimeout) || Retryable(err) {
					t.Fatalf("want an ErrTimeout that is not retryable (it may commit), got %T: %v", err, err)
				}
			}},
		{"mvcc", true, "status", nil, peer.TxValidationCode_MVCC_READ_CONFLICT, notCommitted(peer.TxValidationCode_MVCC_READ_CONFLICT, true)},
		{"phantom", true, "status", nil, peer.TxValidationCode_PHANTOM_READ_CONFLICT, notCommitted(peer.TxValidationCode_PHANTOM_READ_CONFLICT, true)},
		{"policy failure", true, "status", nil, peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE, notCommitted(peer.TxValidationCode_ENDORSEMENT_POLICY_FAILURE, false)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeGateway{}
			switch tt.phase {
			case "evaluate":
				f.evaluate = func(ctx context.Context, _ *gateway.EvaluateRequest) (*gateway.EvaluateResponse, error) {
					return nil, tt.fail(ctx)
				}
			case "endorse":
				f.endorse = func(ctx context.Context, _ *gateway.EndorseRequest) (*gateway.EndorseResponse, error) {
					return nil, tt.fail(ctx)
				}
			case "submit":
				f.submit = func(ctx context.Context, _ *gateway.SubmitRequest) (*gateway.SubmitResponse, error) {
					return nil, tt.fail(ctx)
				}
			case "commit":
				f.commitStatus = func(ctx context.Context, _ *gateway.SignedCommitStatusRequest) (*gateway.CommitStatusResponse, error) {
					return nil, tt.fail(ctx)
				}
			case "status":
				f.commitStatus = func(context.Context, *gateway.SignedCommitStatusRequest) (*gateway.CommitStatusResponse, error) {
					return &gateway.CommitStatusResponse{Result: tt.code, BlockNumber: 9}, nil
				}
			}
			c := startFake(t, f, Timeouts{})
			var err error
			if tt.submit {
				_, err = c.Submit(t.Context(), "baseline", "Mint", "a1", "5")
			} else {
				_, err = c.Evaluate(t.Context(), "baseline", "Balance", "a1")
			}
			if err == nil {
				t.Fatal("no error")
			}
			tt.want(t, err)
			if !strings.HasPrefix(err.Error(), "fabricclient: ") {
				t.Errorf("message %q does not say where it comes from", err)
			}
		})
	}
}

func TestSubmitResult(t *testing.T) {
	var endorsedTx string
	f := &fakeGateway{
		endorse: func(_ context.Context, r *gateway.EndorseRequest) (*gateway.EndorseResponse, error) {
			endorsedTx = r.GetTransactionId()
			return &gateway.EndorseResponse{PreparedTransaction: envelope("scf", []byte("42"))}, nil
		},
	}
	c := startFake(t, f, Timeouts{})
	res, err := c.Submit(t.Context(), "baseline", "Mint", "a1", "42")
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Payload) != "42" || res.TxID == "" || res.TxID != endorsedTx || res.BlockNumber != 7 {
		t.Fatalf("result %+v (endorsed tx %s)", res, endorsedTx)
	}
}

func TestTimeouts(t *testing.T) {
	block := func(ctx context.Context, _ *gateway.EvaluateRequest) (*gateway.EvaluateResponse, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	t.Run("phase timeout", func(t *testing.T) {
		c := startFake(t, &fakeGateway{evaluate: block}, Timeouts{Evaluate: 50 * time.Millisecond})
		_, err := c.Evaluate(t.Context(), "baseline", "Balance", "a1")
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("caller deadline", func(t *testing.T) {
		c := startFake(t, &fakeGateway{evaluate: block}, Timeouts{})
		ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
		defer cancel()
		_, err := c.Evaluate(ctx, "baseline", "Balance", "a1")
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("caller cancels", func(t *testing.T) {
		c := startFake(t, &fakeGateway{evaluate: block}, Timeouts{})
		ctx, cancel := context.WithCancel(t.Context())
		time.AfterFunc(50*time.Millisecond, cancel)
		_, err := c.Evaluate(ctx, "baseline", "Balance", "a1")
		if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
			t.Fatalf("got %v", err)
		}
	})
}

// TestCommitErrorMapping covers the one typed error the client builds
// itself (contract.Submit's convenience path), constructed directly.
func TestCommitErrorMapping(t *testing.T) {
	err := mapError(context.Background(), "submit baseline:Mint",
		&client.CommitError{TransactionID: "tx1", Code: peer.TxValidationCode_MVCC_READ_CONFLICT})
	var nc *NotCommittedError
	if !errors.As(err, &nc) || nc.TxID != "tx1" || !errors.Is(err, ErrMVCCConflict) {
		t.Fatalf("got %T %v", err, err)
	}
	if err := mapError(context.Background(), "x", errors.New("plain")); !errors.Is(err, ErrRejected) {
		t.Fatalf("plain error: got %v", err)
	}
}

func TestParseChaincodeMessage(t *testing.T) {
	tests := []struct {
		in, code, msg string
		ok            bool
	}{
		{"NOT_FOUND: token t1", "NOT_FOUND", "token t1", true},
		{"chaincode response 500, CONFLICT: invoice reused", "CONFLICT", "invoice reused", true},
		{"evaluate call to endorser returned error: chaincode response 500, INVALID_PROOF: range proof", "INVALID_PROOF", "range proof", true},
		{"UNAUTHORIZED: caller x", "UNAUTHORIZED", "caller x", true},
		{"chaincode response 500, SOMETHING_NEW: text", "SOMETHING_NEW", "text", true},
		{"chaincode response 500, Function Nope not found", "", "", false},
		{"status=FORBIDDEN, info=x", "", "", false},
		{"", "", "", false},
	}
	for _, tt := range tests {
		code, msg, ok := ParseChaincodeMessage(tt.in)
		if code != tt.code || msg != tt.msg || ok != tt.ok {
			t.Errorf("%q: got %q %q %v", tt.in, code, msg, ok)
		}
	}
}

func FuzzParseChaincodeMessage(f *testing.F) {
	f.Add("chaincode response 500, NOT_FOUND: x")
	f.Add("A: b")
	f.Fuzz(func(t *testing.T, s string) {
		code, _, ok := ParseChaincodeMessage(s)
		if ok != (code != "") {
			t.Fatalf("ok=%v code=%q", ok, code)
		}
	})
}

func TestMVCCRetries(t *testing.T) {
	for _, tt := range []struct {
		retries, conflicts int
		wantErr            bool
	}{{0, 1, true}, {2, 1, false}, {2, 2, false}, {2, 3, true}} {
		var calls atomic.Int32
		f := &fakeGateway{commitStatus: func(context.Context, *gateway.SignedCommitStatusRequest) (*gateway.CommitStatusResponse, error) {
			if int(calls.Add(1)) <= tt.conflicts {
				return &gateway.CommitStatusResponse{Result: peer.TxValidationCode_MVCC_READ_CONFLICT, BlockNumber: 9}, nil
			}
			return &gateway.CommitStatusResponse{Result: peer.TxValidationCode_VALID, BlockNumber: 10}, nil
		}}
		lis := startFakeWith(t, f, Options{MVCCRetries: tt.retries})
		res, err := lis.Submit(t.Context(), "baseline", "Mint", "a1", "1")
		if (err != nil) != tt.wantErr || (err != nil && !errors.Is(err, ErrMVCCConflict)) {
			t.Fatalf("retries %d conflicts %d: err %v", tt.retries, tt.conflicts, err)
		}
		if want := min(tt.conflicts, tt.retries) + 1; int(calls.Load()) != want {
			t.Fatalf("retries %d conflicts %d: %d submissions, want %d", tt.retries, tt.conflicts, calls.Load(), want)
		}
		if err == nil && res.BlockNumber != 10 {
			t.Fatalf("result %+v", res)
		}
	}
}
