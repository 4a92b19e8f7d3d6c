package fabricclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/client"
	"github.com/hyperledger/fabric-protos-go-apiv2/common"
	"github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
)

// ErrTransactionNotFound: the peer's ledger holds no transaction with the
// ID asked for (qscc: "no such transaction ID … in index"). Either it was
// never ordered, or it is not in a block this peer has committed yet.
var ErrTransactionNotFound = errors.New("ledger has no such transaction")

// Transaction is a transaction as a peer's ledger holds it: ordered into a
// block and marked valid or invalid by the committing peers.
type Transaction struct {
	TxID string
	Code peer.TxValidationCode
	// Function is the chaincode function as invoked, "contract:Function"
	// for a contractapi chaincode ("tierchain:Split", "baseline:Mint").
	Function string
	// Payload is the chaincode's response payload as endorsed: what Submit
	// would have returned as Result.Payload.
	Payload []byte
	// BlockNumber is the block the transaction was committed in (qscc
	// GetBlockByTxID): what Submit would have returned as
	// Result.BlockNumber.
	BlockNumber uint64
	// Timestamp is the transaction's channel header timestamp: what
	// Submit would have returned as Result.Timestamp.
	Timestamp time.Time
	// Args are the invocation's arguments after the function, as sent.
	Args [][]byte
	// Size is the bytes of the transaction's envelope as the orderer
	// received it and every peer committed it.
	Size int
}

// Valid reports whether the transaction was committed as valid: its
// writes are on the ledger.
func (t *Transaction) Valid() bool { return t.Code == peer.TxValidationCode_VALID }

// Result is what Submit would have returned for the transaction.
func (t *Transaction) Result() Result {
	return Result{Payload: t.Payload, TxID: t.TxID, BlockNumber: t.BlockNumber, Timestamp: t.Timestamp}
}

// Transaction asks this client's peer (qscc GetTransactionByID, then
// GetBlockByTxID for its block number) for a transaction by ID: a
// Transaction when the peer has committed it, valid or not;
// ErrTransactionNotFound when the peer has no such transaction; or the
// usual typed errors (ErrUnavailable when the peer cannot be reached).
func (c *Client) Transaction(ctx context.Context, txID string) (*Transaction, error) {
	if txID == "" {
		return nil, fmt.Errorf("fabricclient: empty transaction ID")
	}
	out, err := c.qscc(ctx, "GetTransactionByID", txID)
	if err != nil {
		return nil, err
	}
	tx, err := ParseProcessedTransaction(out)
	if err != nil {
		return nil, err
	}
	// The processed transaction does not say which block holds it; the
	// block does. A resumed write answers with it, as its first run would
	// have.
	block, err := c.qscc(ctx, "GetBlockByTxID", txID)
	if err != nil {
		return nil, err
	}
	if tx.BlockNumber, err = ParseBlockNumber(block, txID); err != nil {
		return nil, err
	}
	return tx, nil
}

// qscc evaluates a qscc function about txID on this client's own peer,
// mapping the peer's "not in the index" answer to ErrTransactionNotFound.
func (c *Client) qscc(ctx context.Context, fn, txID string) ([]byte, error) {
	return c.qsccCall(ctx, fn, txID, txID)
}

// qsccCall evaluates qscc fn on this client's own peer with the channel's
// name and args as its arguments; txID (may be empty) names the
// transaction the call is about, for ErrTransactionNotFound.
func (c *Client) qsccCall(ctx context.Context, fn, txID string, args ...string) ([]byte, error) {
	op := "evaluate qscc:" + fn
	opts := []client.ProposalOption{client.WithArguments(append([]string{c.network.Name()}, args...)...)}
	if c.mspID != "" {
		// The org's own peer: the one this client's writes commit on.
		opts = append(opts, client.WithEndorsingOrganizations(c.mspID))
	}
	p, err := c.network.GetContract("qscc").NewProposal(fn, opts...)
	if err != nil {
		return nil, fmt.Errorf("fabricclient: proposal %s: %w", op, err)
	}
	ectx, cancel := context.WithTimeout(ctx, c.t.Evaluate)
	defer cancel()
	out, err := p.EvaluateWithContext(ectx)
	if err != nil {
		err = mapError(ctx, op, err)
		var cc *ChaincodeError
		if txID != "" && errors.As(err, &cc) && txNotFound(cc.Message) {
			return nil, &Error{Op: op, TxID: txID, Kind: ErrTransactionNotFound, Cause: err}
		}
		return nil, err
	}
	return out, nil
}

// ParseBlockNumber decodes qscc's GetBlockByTxID answer (a common.Block)
// and returns its number, after checking that the block holds txID.
func ParseBlockNumber(b []byte, txID string) (uint64, error) {
	var block common.Block
	if err := proto.Unmarshal(b, &block); err != nil {
		return 0, fmt.Errorf("fabricclient: block: %w", err)
	}
	if block.Header == nil {
		return 0, errors.New("fabricclient: block without a header")
	}
	for _, raw := range block.GetData().GetData() {
		var env common.Envelope
		var payload common.Payload
		var chdr common.ChannelHeader
		if proto.Unmarshal(raw, &env) != nil || proto.Unmarshal(env.Payload, &payload) != nil ||
			payload.Header == nil || proto.Unmarshal(payload.Header.ChannelHeader, &chdr) != nil {
			continue
		}
		if chdr.TxId == txID {
			return block.Header.Number, nil
		}
	}
	return 0, fmt.Errorf("fabricclient: block %d does not hold transaction %s", block.Header.Number, txID)
}

// txNotFound recognises the peer ledger's answer for an unknown ID.
func txNotFound(msg string) bool {
	return strings.Contains(msg, "no such transaction ID") || strings.Contains(msg, "not found in index")
}

// ParseProcessedTransaction decodes qscc's GetTransactionByID answer:
// the validation code, and from the envelope (payload → transaction →
// action → ChaincodeActionPayload) the invoked function (the proposal's
// first argument) and the chaincode's response payload (the endorsed
// ProposalResponsePayload → ChaincodeAction → Response).
func ParseProcessedTransaction(b []byte) (*Transaction, error) {
	var pt peer.ProcessedTransaction
	if err := proto.Unmarshal(b, &pt); err != nil {
		return nil, fmt.Errorf("fabricclient: processed transaction: %w", err)
	}
	if pt.TransactionEnvelope == nil {
		return nil, errors.New("fabricclient: processed transaction without an envelope")
	}
	var (
		payload common.Payload
		chdr    common.ChannelHeader
		tx      peer.Transaction
		cap     peer.ChaincodeActionPayload
		prp     peer.ProposalResponsePayload
		action  peer.ChaincodeAction
		cpp     peer.ChaincodeProposalPayload
		spec    peer.ChaincodeInvocationSpec
	)
	if err := proto.Unmarshal(pt.TransactionEnvelope.Payload, &payload); err != nil {
		return nil, fmt.Errorf("fabricclient: transaction payload: %w", err)
	}
	if payload.Header == nil {
		return nil, errors.New("fabricclient: transaction payload without a header")
	}
	if err := proto.Unmarshal(payload.Header.ChannelHeader, &chdr); err != nil {
		return nil, fmt.Errorf("fabricclient: channel header: %w", err)
	}
	if common.HeaderType(chdr.Type) != common.HeaderType_ENDORSER_TRANSACTION {
		return nil, fmt.Errorf("fabricclient: transaction %s is a %s, not an endorser transaction", chdr.TxId, common.HeaderType(chdr.Type))
	}
	if err := proto.Unmarshal(payload.Data, &tx); err != nil {
		return nil, fmt.Errorf("fabricclient: transaction: %w", err)
	}
	if len(tx.Actions) != 1 {
		return nil, fmt.Errorf("fabricclient: transaction %s has %d actions, want 1", chdr.TxId, len(tx.Actions))
	}
	if err := proto.Unmarshal(tx.Actions[0].Payload, &cap); err != nil {
		return nil, fmt.Errorf("fabricclient: chaincode action payload: %w", err)
	}
	if cap.Action == nil {
		return nil, errors.New("fabricclient: chaincode action payload without an endorsed action")
	}
	if err := proto.Unmarshal(cap.Action.ProposalResponsePayload, &prp); err != nil {
		return nil, fmt.Errorf("fabricclient: proposal response payload: %w", err)
	}
	if err := proto.Unmarshal(prp.Extension, &action); err != nil {
		return nil, fmt.Errorf("fabricclient: chaincode action: %w", err)
	}
	if err := proto.Unmarshal(cap.ChaincodeProposalPayload, &cpp); err != nil {
		return nil, fmt.Errorf("fabricclient: chaincode proposal payload: %w", err)
	}
	if err := proto.Unmarshal(cpp.Input, &spec); err != nil {
		return nil, fmt.Errorf("fabricclient: chaincode invocation spec: %w", err)
	}
	t := &Transaction{TxID: chdr.TxId, Code: peer.TxValidationCode(pt.ValidationCode), Payload: action.GetResponse().GetPayload()}
	if chdr.Timestamp != nil {
		t.Timestamp = chdr.Timestamp.AsTime().UTC()
	}
	if args := spec.GetChaincodeSpec().GetInput().GetArgs(); len(args) > 0 {
		t.Function, t.Args = string(args[0]), args[1:]
	}
	t.Size = proto.Size(pt.TransactionEnvelope)
	return t, nil
}
