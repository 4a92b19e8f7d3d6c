package chain

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/group"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// Call is a pre-built request: who sends it, the function and its JSON
// argument, proofs and all.
type Call struct {
	By  *Member
	Fn  string
	Arg []byte
}

// Submit endorses, orders and waits for the commit of the call.
func (c Call) Submit(ctx context.Context) error {
	_, err := c.By.Submit(ctx, c.Fn, c.Arg)
	return err
}

// SubmitFresh is Submit for a call that depends on a transaction just
// committed (Member.SubmitFresh).
func (c Call) SubmitFresh(ctx context.Context) error {
	_, err := c.By.SubmitFresh(ctx, c.Fn, c.Arg)
	return err
}

func newCall(by *Member, fn string, req any) (Call, error) {
	b, err := json.Marshal(req)
	return Call{By: by, Fn: fn, Arg: b}, err
}

// SplitEncoding is how SplitCalls encodes its requests.
type SplitEncoding int

const (
	// SplitCompact is protocol.SplitWireV1: raw bytes, and a result of the
	// new token IDs only.
	SplitCompact SplitEncoding = iota
	// SplitJSON is the JSON request (base64 proofs and envelopes), whose
	// result is the new tokens.
	SplitJSON
)

// SplitCalls makes n tokens for the Spender and builds a split of each
// into outputs pieces (the first to the Payee, the change to the Spender),
// one build per core, encoded as enc says.
func (w *World) SplitCalls(ctx context.Context, n, outputs int, enc SplitEncoding) ([]Call, error) {
	if outputs < 2 || outputs > MaxFan {
		return nil, fmt.Errorf("chain: a split has 2..%d outputs, not %d", MaxFan, outputs)
	}
	leaves, err := w.Leaves(ctx, n)
	if err != nil {
		return nil, err
	}
	to := []*Member{w.Payee}
	for len(to) < outputs {
		to = append(to, w.Spender)
	}
	calls := make([]Call, n)
	err = parallel(ctx, n, provers(), func(i int) error {
		req, _, err := w.buildSplit(leaves[i], to)
		if err != nil {
			return err
		}
		if enc == SplitJSON {
			calls[i], err = newCall(w.Spender, "Split", req)
			return err
		}
		arg, err := protocol.EncodeSplitRequest(req)
		calls[i] = Call{By: w.Spender, Fn: "Split", Arg: arg}
		return err
	})
	return calls, err
}

// MergeCalls makes 2n tokens of one receivable for the Spender and builds
// n compact merges (protocol.SplitWireV1), each of two of them into one
// token the Spender keeps, one build per core.
func (w *World) MergeCalls(ctx context.Context, n int) ([]Call, error) {
	leaves, err := w.Leaves(ctx, 2*n)
	if err != nil {
		return nil, err
	}
	calls := make([]Call, n)
	err = parallel(ctx, n, provers(), func(i int) error {
		a, b := leaves[2*i], leaves[2*i+1]
		o, err := pedersen.NewOpening(a.Opening.Value+b.Opening.Value, nil)
		if err != nil {
			return err
		}
		req, err := protocol.BuildSplit(w.Ctx, protocol.SplitInput{Kind: protocol.KindMerge, Spender: w.Spender.ID,
			Inputs:  []protocol.OpenedToken{a, b},
			Outputs: []protocol.OutputSpec{{Holder: w.Spender.Recipient(), Opening: o}}}, w.Auditor, nil)
		if err != nil {
			return err
		}
		arg, err := protocol.EncodeSplitRequest(req)
		calls[i] = Call{By: w.Spender, Fn: "Merge", Arg: arg}
		return err
	})
	return calls, err
}

// FinanceCalls makes n tokens for the Spender and builds, for each, the
// Spender's financing request at Bank and Bank's approval: two calls to
// send in order.
func (w *World) FinanceCalls(ctx context.Context, n int) ([][2]Call, error) {
	leaves, err := w.Leaves(ctx, n)
	if err != nil {
		return nil, err
	}
	agreement := sha256.Sum256([]byte("tierload agreement"))
	calls := make([][2]Call, n)
	err = parallel(ctx, n, provers(), func(i int) error {
		t := leaves[i]
		req, err := protocol.BuildFinance(t.ID, t.Opening.Commitment(), t.Opening, w.Bank.Recipient(), nil)
		if err != nil {
			return err
		}
		if calls[i][0], err = newCall(w.Spender, "RequestFinancing", req); err != nil {
			return err
		}
		calls[i][1], err = newCall(w.Bank, "ApproveFinancing", &model.ApproveFinancingRequest{Token: t.ID,
			DisbursementRef: fmt.Sprintf("LOAD-%d", i), AgreementHash: agreement[:]})
		return err
	})
	return calls, err
}

// IssueAmount is the value of each issue in IssueQueues.
const IssueAmount = 1_000_00

// IssueQueues makes one new core enterprise per client, each with its own
// credit line at Bank and perClient confirmed invoices, and builds each
// core's chain of perClient issues to the Spender. Issues on one line must
// commit in order (each binds the outstanding sum the previous one left),
// so client i sends queue i's issues one after another.
func (w *World) IssueQueues(ctx context.Context, clients, perClient int) ([][]Call, error) {
	queues := make([][]Call, clients)
	var mu sync.Mutex
	w.mu.Lock()
	base := len(w.members)
	w.mu.Unlock()
	// Each core registers and confirms its invoices in parallel, but the
	// peer's gateway serves at most 500 requests at once (its
	// concurrency limit): cores × invoices in flight stay within
	// issueInFlight.
	cores := min(clients, inFlight)
	perCore := max(1, issueInFlight/cores)
	err := parallel(ctx, clients, cores, func(i int) error {
		core, err := w.newCore(ctx, fmt.Sprintf("core-%d-%d", base, i))
		if err != nil {
			return err
		}
		invoices := make([]protocol.OpenedInvoice, perClient)
		if err := parallel(ctx, perClient, perCore, func(j int) error {
			var err error
			invoices[j], err = w.confirmedInvoice(ctx, core, IssueAmount)
			return err
		}); err != nil {
			return err
		}
		outstanding := pedersen.Opening{Value: 0, Blinding: group.NewScalar()} // a new line: nothing issued
		q := make([]Call, perClient)
		for j, inv := range invoices {
			o, err := pedersen.NewOpening(IssueAmount, nil)
			if err != nil {
				return err
			}
			req, err := w.buildIssue(core, inv, outstanding, o)
			if err != nil {
				return err
			}
			// The compact encoding (protocol.IssueWireV1): the client
			// keeps the opening and needs only the new token's ID back.
			arg, err := protocol.EncodeIssueRequest(req)
			if err != nil {
				return err
			}
			q[j] = Call{By: core, Fn: "Issue", Arg: arg}
			outstanding = addOpenings(outstanding, o)
		}
		mu.Lock()
		queues[i] = q
		mu.Unlock()
		return nil
	})
	return queues, err
}

// TokenIDs are the IDs of tokens the Spender holds, for queries.
func TokenIDs(tokens []protocol.OpenedToken) []string {
	ids := make([]string, len(tokens))
	for i, t := range tokens {
		ids[i] = t.ID
	}
	return ids
}

// GetToken is the query of one token by ID, as the Spender.
func (w *World) GetToken(ctx context.Context, id string) error {
	_, err := w.Spender.Evaluate(ctx, "GetToken", []byte(id))
	return err
}

// HolderPage reads one page of the Spender's tokens (TokensByHolder) and
// returns the number of items and the next bookmark.
func (w *World) HolderPage(ctx context.Context, pageSize int, bookmark string) (int, string, error) {
	arg, err := json.Marshal(&model.PageRequest{Owner: w.Spender.ID, PageSize: pageSize, Bookmark: bookmark})
	if err != nil {
		return 0, "", err
	}
	out, err := w.Spender.Evaluate(ctx, "TokensByHolder", arg)
	if err != nil {
		return 0, "", err
	}
	var page model.Page[json.RawMessage]
	if err := json.Unmarshal(out, &page); err != nil {
		return 0, "", err
	}
	return len(page.Items), page.Bookmark, nil
}
