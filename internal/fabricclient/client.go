package fabricclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/gateway"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
)

// Client calls one chaincode on one channel as one identity through one
// peer. It is safe for concurrent use.
type Client struct {
	gw        *client.Gateway
	conn      *grpc.ClientConn // owned when Dial made it
	network   *client.Network
	chaincode string
	mspID     string
	t         Timeouts
	retries   int
}

// New wraps a gateway the caller opened (fabnet.Connect in tests); the
// caller keeps ownership of it and Close leaves it open.
func New(gw *client.Gateway, opts Options) *Client {
	opts = opts.withDefaults()
	return &Client{
		gw:        gw,
		network:   gw.GetNetwork(opts.Channel),
		chaincode: opts.Chaincode,
		mspID:     opts.MSPID,
		t:         opts.Timeouts,
		retries:   max(opts.MVCCRetries, 0),
	}
}

// MSPID is the org this client signs as (empty when New was not told).
func (c *Client) MSPID() string { return c.mspID }

// Close releases the connection Dial opened.
func (c *Client) Close() error {
	if c.conn == nil {
		return nil
	}
	c.gw.Close()
	return c.conn.Close()
}

// Call is one chaincode invocation. Args are bytes so binary arguments
// survive; Transient data goes to the endorsers only and never reaches the
// ledger.
type Call struct {
	Contract  string // "tierchain", "baseline", …
	Function  string
	Args      [][]byte
	Transient map[string][]byte
	// Endorsers restricts endorsement to these MSP IDs (empty: the peer
	// gateway chooses from the endorsement policy).
	Endorsers []string
}

// Result is a committed, valid transaction.
type Result struct {
	Payload     []byte // the chaincode function's return value, as endorsed
	TxID        string
	BlockNumber uint64
	// Timestamp is the transaction's timestamp (its channel header's, set
	// when the proposal was made): the time the chaincode read as the
	// transaction's (GetTxTimestamp) and recorded on what it wrote. Zero
	// when unknown.
	Timestamp time.Time
}

// Evaluate runs contract:fn on a peer as a query; nothing is ordered.
func (c *Client) Evaluate(ctx context.Context, contract, fn string, args ...string) ([]byte, error) {
	return c.EvaluateCall(ctx, Call{Contract: contract, Function: fn, Args: bytesArgs(args)})
}

// Submit endorses, orders and waits for the commit of contract:fn. It
// returns only once the transaction is valid in a block, or a typed error.
func (c *Client) Submit(ctx context.Context, contract, fn string, args ...string) (Result, error) {
	return c.SubmitCall(ctx, Call{Contract: contract, Function: fn, Args: bytesArgs(args)})
}

// EvaluateCall is Evaluate for a full Call.
func (c *Client) EvaluateCall(ctx context.Context, call Call) ([]byte, error) {
	proposal, err := c.proposal(call)
	if err != nil {
		return nil, err
	}
	ectx, cancel := context.WithTimeout(ctx, c.t.Evaluate)
	defer cancel()
	out, err := proposal.EvaluateWithContext(ectx)
	if err != nil {
		return nil, mapError(ctx, "evaluate "+call.name(), err)
	}
	return out, nil
}

// SubmitCall is Submit for a full Call: NewProposal, Endorse, Submit and
// commit Status, each phase under its own timeout, so that the error says
// which phase failed and the result carries the transaction ID and block.
// A read conflict is retried Options.MVCCRetries times with a new
// proposal (a new transaction ID). A hook ctx carries (WithBeforeSubmit)
// learns each transaction's ID before it is sent to the orderer.
func (c *Client) SubmitCall(ctx context.Context, call Call) (Result, error) {
	for attempt := 0; ; attempt++ {
		res, err := c.submitOnce(ctx, call)
		if err == nil || attempt >= c.retries || !errors.Is(err, ErrMVCCConflict) {
			return res, err
		}
		// Let the conflicting transaction's block settle before reading again.
		select {
		case <-ctx.Done():
			return Result{}, err
		case <-time.After(time.Duration(10*(attempt+1)) * time.Millisecond):
		}
	}
}

func (c *Client) submitOnce(ctx context.Context, call Call) (Result, error) {
	proposal, err := c.proposal(call)
	if err != nil {
		return Result{}, err
	}
	op := "submit " + call.name()

	tx, err := c.endorse(ctx, proposal)
	if err != nil {
		return Result{}, mapError(ctx, op, err)
	}
	if err := BeforeSubmit(ctx, tx.TransactionID()); err != nil {
		// Nothing was sent to the orderer: a retry is safe.
		return Result{}, &Error{Op: op, TxID: tx.TransactionID(), Kind: ErrUnavailable, Cause: err}
	}

	step, cancel := context.WithTimeout(ctx, c.t.Submit)
	commit, err := tx.SubmitWithContext(step)
	cancel()
	if err != nil {
		return Result{}, mapError(ctx, op, err)
	}

	step, cancel = context.WithTimeout(ctx, c.t.CommitStatus)
	st, err := commit.StatusWithContext(step)
	cancel()
	if err != nil {
		return Result{}, mapError(ctx, op, err)
	}
	if !st.Successful {
		return Result{}, &NotCommittedError{TxID: st.TransactionID, BlockNumber: st.BlockNumber, Code: st.Code}
	}
	return Result{Payload: tx.Result(), TxID: st.TransactionID, BlockNumber: st.BlockNumber, Timestamp: proposalTimestamp(proposal)}, nil
}

// proposalTimestamp is the timestamp in a proposal's channel header
// (Bytes is the gateway's ProposedTransaction around the signed proposal), or
// zero when the proposal does not decode (it was built here, so it does).
func proposalTimestamp(p *client.Proposal) time.Time {
	b, err := p.Bytes()
	if err != nil {
		return time.Time{}
	}
	var pt gateway.ProposedTransaction
	var prop peer.Proposal
	var hdr common.Header
	var chdr common.ChannelHeader
	if proto.Unmarshal(b, &pt) != nil || proto.Unmarshal(pt.GetProposal().GetProposalBytes(), &prop) != nil || proto.Unmarshal(prop.Header, &hdr) != nil ||
		proto.Unmarshal(hdr.ChannelHeader, &chdr) != nil || chdr.Timestamp == nil {
		return time.Time{}
	}
	return chdr.Timestamp.AsTime().UTC()
}

// lagBackoff is how long endorse waits before each new endorsement of a
// proposal that only other organisations' peers refused.
var lagBackoff = []time.Duration{50 * time.Millisecond, 100 * time.Millisecond, 200 * time.Millisecond}

// endorse collects the proposal's endorsements. The peer gateway endorses
// on its own peer first and asks the other organisations' peers only when
// that succeeded; when those then refuse or answer differently, they are
// most likely a block behind (the client's last write committed on its
// own peer, not yet on theirs: a record it just wrote is NOT_FOUND there,
// or read at an older version). Nothing was submitted, so the same
// proposal is endorsed again after a short wait, up to len(lagBackoff)
// times; a refusal that names the client's own organisation is final at
// once.
func (c *Client) endorse(ctx context.Context, proposal *client.Proposal) (*client.Transaction, error) {
	for attempt := 0; ; attempt++ {
		step, cancel := context.WithTimeout(ctx, c.t.Endorse)
		tx, err := proposal.EndorseWithContext(step)
		cancel()
		if err == nil || attempt == len(lagBackoff) || !c.othersRefused(err) {
			return tx, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(lagBackoff[attempt]):
		}
	}
}

// othersRefused reports an endorsement error whose every detail comes from
// a peer of another organisation than the client's own (Options.MSPID: the
// organisation whose peer the client connects through).
func (c *Client) othersRefused(err error) bool {
	var ee *client.EndorseError
	if c.mspID == "" || !errors.As(err, &ee) {
		return false
	}
	st, ok := status.FromError(err)
	if !ok {
		return false
	}
	others := 0
	for _, d := range st.Details() {
		if ed, ok := d.(*gateway.ErrorDetail); ok {
			if ed.GetMspId() == c.mspID {
				return false
			}
			others++
		}
	}
	return others > 0
}

// Ping evaluates the metadata function every contractapi chaincode has:
// the peer, the channel and the chaincode all answer. Readiness uses it.
func (c *Client) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, min(c.t.Evaluate, 5*time.Second))
	defer cancel()
	if err := c.Ready(ctx); err != nil {
		return err
	}
	_, err := c.Evaluate(ctx, "org.hyperledger.fabric", "GetMetadata")
	return err
}

// Ready reports whether the connection to the peer is up, connecting it if
// idle and waiting (until ctx ends) for it to become ready. It sends no
// transaction. A Client made by New, whose connection is not its own,
// reports ready.
func (c *Client) Ready(ctx context.Context) error {
	if c.conn == nil {
		return nil
	}
	for {
		s := c.conn.GetState()
		switch s {
		case connectivity.Ready:
			return nil
		case connectivity.Idle:
			c.conn.Connect()
		case connectivity.Shutdown:
			return &Error{Op: "ready", Kind: ErrUnavailable, Cause: fmt.Errorf("connection closed")}
		}
		if !c.conn.WaitForStateChange(ctx, s) {
			return &Error{Op: "ready", Kind: ErrUnavailable, Cause: fmt.Errorf("peer connection %s: %w", s, ctx.Err())}
		}
	}
}

func (c *Client) proposal(call Call) (*client.Proposal, error) {
	if call.Function == "" {
		return nil, fmt.Errorf("fabricclient: empty function name")
	}
	contract := c.network.GetContractWithName(c.chaincode, call.Contract)
	opts := []client.ProposalOption{client.WithBytesArguments(call.Args...)}
	if len(call.Transient) > 0 {
		opts = append(opts, client.WithTransient(call.Transient))
	}
	if len(call.Endorsers) > 0 {
		opts = append(opts, client.WithEndorsingOrganizations(call.Endorsers...))
	}
	p, err := contract.NewProposal(call.Function, opts...)
	if err != nil {
		return nil, fmt.Errorf("fabricclient: proposal %s: %w", call.name(), err)
	}
	return p, nil
}

func (call Call) name() string {
	if call.Contract == "" {
		return call.Function
	}
	return call.Contract + ":" + call.Function
}

func bytesArgs(args []string) [][]byte {
	out := make([][]byte, len(args))
	for i, a := range args {
		out[i] = []byte(a)
	}
	return out
}
