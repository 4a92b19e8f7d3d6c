package fabricclient

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-gateway/pkg/hash"
	"github.com/hyperledger/fabric-gateway/pkg/identity"
	"google.golang.org/grpc"
)

// Offline calls the chaincode as an identity whose private key it does not
// hold (fabric-gateway's offline signing): it prepares a proposal for the
// key's owner to sign, sends the signed proposal for endorsement or
// evaluation, and submits the transaction the owner signed in turn. A
// relay for a self-custody enterprise uses it; nothing it does can sign.
type Offline struct {
	gw        *client.Gateway
	network   *client.Network
	chaincode string
	t         Timeouts
}

// Unsigned is a proposal or transaction waiting for its signature: the
// serialized message (fabric-gateway's ProposedTransaction or
// PreparedTransaction), the SHA-256 digest to sign, and its transaction ID.
type Unsigned struct {
	Bytes  []byte
	Digest []byte
	TxID   string
}

// NewOffline returns an Offline client for the identity (mspID, PEM
// certificate) over an existing connection, which it does not close.
func NewOffline(conn grpc.ClientConnInterface, mspID string, certPEM []byte, opts Options) (*Offline, error) {
	cert, err := identity.CertificateFromPEM(certPEM)
	if err != nil {
		return nil, fmt.Errorf("fabricclient: client certificate: %w", err)
	}
	id, err := identity.NewX509Identity(mspID, cert)
	if err != nil {
		return nil, fmt.Errorf("fabricclient: identity: %w", err)
	}
	opts = opts.withDefaults()
	t := opts.Timeouts
	// No WithSign: a proposal this gateway would sign itself fails.
	gw, err := client.Connect(id, client.WithHash(hash.SHA256), client.WithClientConnection(conn),
		client.WithEvaluateTimeout(t.Evaluate), client.WithEndorseTimeout(t.Endorse),
		client.WithSubmitTimeout(t.Submit), client.WithCommitStatusTimeout(t.CommitStatus))
	if err != nil {
		return nil, fmt.Errorf("fabricclient: connect: %w", err)
	}
	return &Offline{gw: gw, network: gw.GetNetwork(opts.Channel), chaincode: opts.Chaincode, t: t}, nil
}

// Prepare builds the unsigned proposal of call.
func (o *Offline) Prepare(call Call) (Unsigned, error) {
	if call.Function == "" {
		return Unsigned{}, fmt.Errorf("fabricclient: empty function name")
	}
	contract := o.network.GetContractWithName(o.chaincode, call.Contract)
	opts := []client.ProposalOption{client.WithBytesArguments(call.Args...)}
	if len(call.Endorsers) > 0 {
		opts = append(opts, client.WithEndorsingOrganizations(call.Endorsers...))
	}
	p, err := contract.NewProposal(call.Function, opts...)
	if err != nil {
		return Unsigned{}, fmt.Errorf("fabricclient: proposal %s: %w", call.name(), err)
	}
	b, err := p.Bytes()
	if err != nil {
		return Unsigned{}, err
	}
	return Unsigned{Bytes: b, Digest: p.Digest(), TxID: p.TransactionID()}, nil
}

// EvaluateSigned evaluates a signed proposal (a query): nothing is ordered.
func (o *Offline) EvaluateSigned(ctx context.Context, proposal, signature []byte) ([]byte, error) {
	p, err := o.gw.NewSignedProposal(proposal, signature)
	if err != nil {
		return nil, fmt.Errorf("fabricclient: signed proposal: %w", err)
	}
	ectx, cancel := context.WithTimeout(ctx, o.t.Evaluate)
	defer cancel()
	out, err := p.EvaluateWithContext(ectx)
	if err != nil {
		return nil, mapError(ctx, "evaluate signed proposal", err)
	}
	return out, nil
}

// EndorseSigned collects endorsements for a signed proposal and returns the
// unsigned transaction with the chaincode's result, for the owner to check
// and sign.
func (o *Offline) EndorseSigned(ctx context.Context, proposal, signature []byte) (Unsigned, []byte, error) {
	p, err := o.gw.NewSignedProposal(proposal, signature)
	if err != nil {
		return Unsigned{}, nil, fmt.Errorf("fabricclient: signed proposal: %w", err)
	}
	step, cancel := context.WithTimeout(ctx, o.t.Endorse)
	tx, err := p.EndorseWithContext(step)
	cancel()
	if err != nil {
		return Unsigned{}, nil, mapError(ctx, "endorse signed proposal", err)
	}
	b, err := tx.Bytes()
	if err != nil {
		return Unsigned{}, nil, err
	}
	return Unsigned{Bytes: b, Digest: tx.Digest(), TxID: tx.TransactionID()}, tx.Result(), nil
}

// SubmitSigned sends a signed transaction to the orderer and returns its
// ID once the orderer accepted it. Its commit status is another signed
// request of the owner's; the relay learns it from its own peer's ledger
// instead (AwaitCommit), so the owner signs twice per write, not three
// times.
func (o *Offline) SubmitSigned(ctx context.Context, transaction, signature []byte) (string, error) {
	tx, err := o.gw.NewSignedTransaction(transaction, signature)
	if err != nil {
		return "", fmt.Errorf("fabricclient: signed transaction: %w", err)
	}
	step, cancel := context.WithTimeout(ctx, o.t.Submit)
	_, err = tx.SubmitWithContext(step)
	cancel()
	if err != nil {
		return "", mapError(ctx, "submit signed transaction", err)
	}
	return tx.TransactionID(), nil
}

// AwaitCommit waits until this client's peer has committed txID, valid or
// not (at most the commit-status timeout), polling qscc: the Result of a
// valid transaction, a NotCommittedError for an invalid one.
func (c *Client) AwaitCommit(ctx context.Context, txID string) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, c.t.CommitStatus)
	defer cancel()
	wait := 20 * time.Millisecond
	for {
		t, err := c.Transaction(ctx, txID)
		switch {
		case err == nil && t.Valid():
			return t.Result(), nil
		case err == nil:
			return Result{}, &NotCommittedError{TxID: txID, Code: t.Code}
		case !errors.Is(err, ErrTransactionNotFound):
			return Result{}, err
		}
		select {
		case <-ctx.Done():
			return Result{}, &Error{Op: "await commit", TxID: txID, Kind: ErrTimeout, Cause: ctx.Err()}
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}

// Close releases the gateway (not the connection).
func (o *Offline) Close() error { return o.gw.Close() }
