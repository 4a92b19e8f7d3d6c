package protocol

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
	"github.com/tierchain/tierchain/zk/transcript"
)

// Transaction kinds: bound into every transcript, and the Kind of events.
const (
	KindRegisterEnterprise = "enterprise.register"
	KindSuspendEnterprise  = "enterprise.suspend"
	KindReactivate         = "enterprise.reactivate"
	KindRegisterInvoice    = "invoice.register"
	KindConfirmInvoice     = "invoice.confirm"
	KindRejectInvoice      = "invoice.reject"
	KindRevokeInvoice      = "invoice.revoke"
	KindGrantCreditLine    = "creditline.grant"
	KindIssue              = "issue"
	KindSplit              = "split"
	KindMerge              = "merge"
	KindTransfer           = "transfer"
	KindRequestFinancing   = "financing.request"
	KindApproveFinancing   = "financing.approve"
	KindRejectFinancing    = "financing.reject"
	KindCancelFinancing    = "financing.cancel"
	KindFinanceTerms       = "financing.terms"  // a request with terms, advance and fee (TermFinanceRequest)
	KindFinancingPolicy    = "financing.policy" // the operator sets the channel's financing policy
	KindDeclareDefault     = "financing.default"
	KindExerciseRecourse   = "financing.recourse"
	KindSettleRecourse     = "financing.recourse.repaid"
	KindRequestQuotes      = "financing.rfq"        // the holder asks several banks for quotes
	KindCancelQuotes       = "financing.rfq.cancel" // the holder withdraws its request for quotes
	KindSubmitQuote        = "financing.quote"      // a bank's sealed quote (SubmitQuoteRequest)
	KindWithdrawQuote      = "financing.quote.withdraw"
	KindAcceptQuote        = "financing.quote.accept"  // the holder accepts one quote: the token is FINANCING
	KindOfferResale        = "financing.resale"        // the holding bank offers a financed piece to another bank
	KindAcceptResale       = "financing.resale.accept" // the buyer paid the price and holds the piece
	KindCancelResale       = "financing.resale.cancel"
	KindDeclarePayment     = "payment.declare"
	KindConfirmPayment     = "payment.confirm"
	KindFreeze             = "token.freeze"
	KindUnfreeze           = "token.unfreeze"
)

// Envelope purposes (the envelope binding's Purpose).
const (
	PurposeHolder    = "holder"
	PurposeRegulator = "regulator"
	PurposeBuyer     = "buyer"
	PurposeBank      = "bank"
	PurposeIssuer    = "issuer"    // an issue's copy to the core itself
	PurposeLineBank  = "line-bank" // an issue's copy to the bank whose credit line it uses
)

// Context is where a proof is valid: the Fabric channel and chaincode name.
// The kind comes from the statement.
type Context struct {
	Channel   string
	Chaincode string
	// Memo, when set, lets the verifier skip statements it has already
	// verified with the same proofs (VerifyMemo). Provers leave it nil.
	Memo *VerifyMemo
	// Coalescer, when set, runs this check in one MSM with those of
	// concurrent endorsements (VerifyCoalescer). Provers leave it nil.
	Coalescer *VerifyCoalescer
}

// TokenID derives the ID of output index of the transaction txID. Fabric
// transaction IDs are unique on a channel, so token IDs are too.
func TokenID(txID string, index int) string {
	h := sha256.Sum256([]byte("tierchain/token/v1\x00" + txID + "\x00" + strconv.Itoa(index)))
	return "t" + hex.EncodeToString(h[:16])
}

// RFQID and QuoteID derive the IDs of the request for quotes or the
// quote a transaction creates.
func RFQID(txID string) string   { return derivedID("r", "tierchain/rfq/v1", txID) }
func QuoteID(txID string) string { return derivedID("q", "tierchain/quote/v1", txID) }

func derivedID(prefix, label, txID string) string {
	h := sha256.Sum256([]byte(label + "\x00" + txID))
	return prefix + hex.EncodeToString(h[:16])
}

// OutputBinding is what an output's envelope is sealed to. Output token IDs
// are not known when the request is built, so the binding is the output's
// commitment (unique: it carries a fresh blinding) and the purpose.
func OutputBinding(c *pedersen.Commitment, purpose string) envelope.Binding {
	return envelope.Binding{Commitment: c, Purpose: purpose}
}

// newTranscript starts a statement's transcript: a versioned label, the
// context with the kind, for an amount in a named currency its ISO 4217
// code, then the auditor's key every statement binds. A legacy amount
// (currency "") appends no currency, so its transcript, and every proof
// made before currencies, is unchanged; a proof made for one currency
// never verifies for another.
func newTranscript(ctx Context, kind, currency string, auditKey *elgamal.PublicKey) *transcript.Transcript {
	t := transcript.New("tierchain/chaincode/v1")
	t.BindContext(transcript.Context{Channel: ctx.Channel, Chaincode: ctx.Chaincode, Kind: kind})
	if currency != "" {
		t.AppendString("currency", currency)
	}
	t.AppendMessage("audit-key", auditKey.Bytes())
	return t
}

// subTranscript is the transcript of one proof of a statement: a clone of
// the statement's, labelled with the proof's name and index.
func ProofTranscript(base *transcript.Transcript, proof string, index int) *transcript.Transcript {
	t := base.Clone()
	t.AppendString("proof", proof)
	t.AppendUint64("index", uint64(index))
	return t
}

func appendTime(t *transcript.Transcript, label string, at time.Time) {
	t.AppendUint64(label, uint64(at.Unix()))
}

// appendOutput binds one new commitment with its handle and envelopes.
func appendOutput(t *transcript.Transcript, holder string, c *pedersen.Commitment, h *elgamal.Handle, holderEnv, regEnv []byte) {
	t.AppendString("holder", holder)
	t.AppendElement("commitment", c.Element())
	t.AppendMessage("handle", h.Bytes())
	t.AppendMessage("holder-envelope", holderEnv)
	t.AppendMessage("regulator-envelope", regEnv)
}

func invalidProof(format string, args ...any) error {
	return model.Errorf(model.CodeInvalidProof, format, args...)
}

func invalidArg(format string, args ...any) error {
	return model.Errorf(model.CodeInvalidArgument, format, args...)
}

// DecodeCommitment parses a request's commitment bytes (canonical, not the
// identity) with a typed error naming the field.
func DecodeCommitment(field string, b []byte) (*pedersen.Commitment, error) {
	c, err := pedersen.DecodeCommitment(b)
	if err != nil {
		return nil, invalidArg("%s: not a commitment", field)
	}
	return c, nil
}

// DecodeAudited parses a request's new commitment and its audit handle
// with typed errors naming the fields.
func DecodeAudited(field string, commitment, handle []byte) (*pedersen.Commitment, *elgamal.Handle, error) {
	c, err := DecodeCommitment(field+".commitment", commitment)
	if err != nil {
		return nil, nil, err
	}
	h, err := elgamal.DecodeHandle(handle)
	if err != nil {
		return nil, nil, invalidArg("%s.handle: not an audit handle", field)
	}
	return c, h, nil
}

// SpendOutputs are the tokens a spend (split, merge or transfer) by
// spender creates for req's outputs in transaction txID at time at, given
// the first input as the ledger holds it (root) and the highest tier of
// the inputs: what the chaincode writes, and what a client that built req
// rebuilds from the IDs the chaincode answers its compact request with.
// An output paid to another holder is one tier further down the chain.
func SpendOutputs(root *model.Token, tier int, spender string, req *model.SplitRequest, txID string, at time.Time) []model.Token {
	out := make([]model.Token, len(req.Outputs))
	for i, o := range req.Outputs {
		outTier := tier
		if o.Holder != spender {
			outTier++
		}
		out[i] = model.Token{
			ID: TokenID(txID, i), Root: root.Root, Parents: slices.Clone(req.Inputs), Tier: outTier,
			Issuer: root.Issuer, Bank: root.Bank, Currency: root.Currency, Holder: o.Holder,
			Commitment: slices.Clone(o.Commitment), Handle: slices.Clone(o.Handle),
			HolderEnvelope: slices.Clone(o.HolderEnvelope), RegulatorEnvelope: slices.Clone(o.RegulatorEnvelope),
			Refs: slices.Clone(o.Refs), Maturity: root.Maturity,
			Status: model.TokenActive, CreatedAt: at, UpdatedAt: at, TxID: txID,
		}
	}
	return out
}
