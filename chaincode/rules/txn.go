package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/elgamal"
)

// DefaultOperatorMSP is the MSP whose admins may register the first
// operator enterprise.
const DefaultOperatorMSP = "OperatorMSP"

// Config is the chaincode's configuration (from the chaincode server's
// environment).
type Config struct {
	OperatorMSP string
	// VerifyMemo is how many verified statements the rules remember, so
	// that endorsements of one transaction through the same chaincode
	// server verify its proofs once (protocol.VerifyMemo). 0: none.
	VerifyMemo int
	// VerifySlots, when positive, runs the proof checks of concurrent
	// transactions as one MSM, at most this many batches at once
	// (protocol.VerifyCoalescer). 0: each transaction checks alone.
	VerifySlots int
}

// Rules runs the TierChain transactions over a State.
type Rules struct {
	cfg       Config
	memo      *protocol.VerifyMemo
	coalescer *protocol.VerifyCoalescer
}

// New returns the rules for cfg (OperatorMSP defaults to DefaultOperatorMSP).
func New(cfg Config) *Rules {
	if cfg.OperatorMSP == "" {
		cfg.OperatorMSP = DefaultOperatorMSP
	}
	r := &Rules{cfg: cfg}
	if cfg.VerifyMemo > 0 {
		r.memo = protocol.NewVerifyMemo(cfg.VerifyMemo)
	}
	if cfg.VerifySlots > 0 {
		r.coalescer = protocol.NewVerifyCoalescer(cfg.VerifySlots)
	}
	return r
}

// txn is one transaction in progress: its clock, its caller and its
// buffered writes and event.
type txn struct {
	st     State
	now    time.Time
	id     string
	ctx    protocol.Context
	caller *model.Enterprise
	writes []write
	event  model.Event
}

type write struct {
	key   string
	value []byte // nil: delete
}

func internal(format string, args ...any) error {
	return model.Errorf(model.CodeInternal, format, args...)
}

func (r *Rules) begin(st State, kind string) (*txn, error) {
	now, err := st.TxTimestamp()
	if err != nil {
		return nil, internal("transaction timestamp: %v", err)
	}
	cc, err := st.ChaincodeName()
	if err != nil {
		return nil, internal("chaincode name: %v", err)
	}
	now = now.UTC()
	tx := &txn{st: st, now: now, id: st.TxID(), ctx: protocol.Context{Channel: st.ChannelID(), Chaincode: cc, Memo: r.memo, Coalescer: r.coalescer}}
	tx.event = model.Event{Version: model.EventVersion, Kind: kind, TxID: tx.id, Timestamp: now}
	return tx, nil
}

// callerIdentity returns the caller's MSP and certificate hash.
func (tx *txn) callerIdentity() (Identity, string, error) {
	id, err := tx.st.Caller()
	if err != nil {
		return Identity{}, "", model.Errorf(model.CodeUnauthorized, "caller identity: %v", err)
	}
	if len(id.Cert) == 0 || !validKeyAttr(id.MSPID) || id.MSPID == "" {
		return Identity{}, "", model.Errorf(model.CodeUnauthorized, "caller identity incomplete")
	}
	h := sha256.Sum256(id.Cert)
	return id, hex.EncodeToString(h[:]), nil
}

// resolveCaller maps the caller to its registered, ACTIVE enterprise.
func (tx *txn) resolveCaller() (*model.Enterprise, error) {
	id, hash, err := tx.callerIdentity()
	if err != nil {
		return nil, err
	}
	raw, err := tx.st.GetState(identityKey(id.MSPID, hash))
	if err != nil {
		return nil, internal("read identity: %v", err)
	}
	if raw == nil {
		return nil, model.Errorf(model.CodeUnauthorized, "caller (%s) is not a registered enterprise", id.MSPID)
	}
	e, err := getJSON[model.Enterprise](tx.st, enterpriseKey(string(raw)))
	if err != nil {
		return nil, err
	}
	if e == nil {
		return nil, internal("identity points at missing enterprise %q", raw)
	}
	if e.Status != model.EnterpriseActive {
		return nil, model.Errorf(model.CodeUnauthorized, "enterprise %s is %s", e.ID, e.Status)
	}
	return e, nil
}

// beginWrite starts a write and authorizes its caller for roles: the one
// authorization step that comes first in every write. Then it validates
// the request's shape (again, if the contract already decoded it: rules
// never trust their caller to have done it).
func (r *Rules) beginWrite(st State, kind string, req model.Validator, roles ...model.Role) (*txn, error) {
	tx, err := r.begin(st, kind)
	if err != nil {
		return nil, err
	}
	if err := tx.authorize(roles...); err != nil {
		return nil, err
	}
	if req != nil {
		if err := req.Validate(); err != nil {
			return nil, err
		}
	}
	return tx, nil
}

// reasonRequired names, for the token actions whose request must carry a
// Reason, what that reason is (INVALID_ARGUMENT "reason: <it>" without).
var reasonRequired = map[string]string{
	protocol.KindDeclarePayment:   "the payment reference is required",
	protocol.KindFreeze:           "required",
	protocol.KindExerciseRecourse: "the bank's reference is required",
	protocol.KindSettleRecourse:   "the repayment reference is required",
}

// beginTokenWrite is the opening of a write on one token: beginWrite, the
// Reason check of a model.TokenActionRequest whose kind needs one
// (reasonRequired), then the token (loadToken), read in that order.
func (r *Rules) beginTokenWrite(st State, kind string, req model.Validator, token string, roles ...model.Role) (*txn, *model.Token, error) {
	tx, err := r.beginWrite(st, kind, req, roles...)
	if err != nil {
		return nil, nil, err
	}
	if a, ok := req.(*model.TokenActionRequest); ok && a.Reason == "" {
		if what, needed := reasonRequired[kind]; needed {
			return nil, nil, model.Errorf(model.CodeInvalidArgument, "reason: %s", what)
		}
	}
	t, err := loadToken(st, token)
	if err != nil {
		return nil, nil, err
	}
	return tx, t, nil
}

// beginRecordWrite is the opening of a write on one stored record:
// beginWrite, then the record under key (NOT_FOUND naming what and id).
func beginRecordWrite[T any](r *Rules, st State, kind string, req model.Validator, key, what, id string, roles ...model.Role) (*txn, *T, error) {
	tx, err := r.beginWrite(st, kind, req, roles...)
	if err != nil {
		return nil, nil, err
	}
	v, err := mustGet[T](st, key, what, id)
	if err != nil {
		return nil, nil, err
	}
	return tx, v, nil
}

// commitToken is the close of a write on one token: its record, then the
// buffered writes and the event.
func (tx *txn) commitToken(t *model.Token) (*model.Token, error) {
	if err := tx.putToken(t); err != nil {
		return nil, err
	}
	return t, tx.commit()
}

// authorize is the first step of every write: the caller must be a
// registered, ACTIVE enterprise with one of roles. Regulators never write.
func (tx *txn) authorize(roles ...model.Role) error {
	e, err := tx.resolveCaller()
	if err != nil {
		return err
	}
	if e.Role == model.RoleRegulator {
		return denied("regulator %s may not write", e.ID)
	}
	if !slices.Contains(roles, e.Role) {
		return denied("enterprise %s (%s) may not %s", e.ID, e.Role, tx.event.Kind)
	}
	tx.caller = e
	tx.event.Actor = e.ID
	return nil
}

// authorizeRead lets any registered, ACTIVE enterprise (regulators
// included) query.
func (r *Rules) authorizeRead(st State) (*txn, error) {
	tx, err := r.begin(st, "query")
	if err != nil {
		return nil, err
	}
	if tx.caller, err = tx.resolveCaller(); err != nil {
		return nil, err
	}
	return tx, nil
}

func (tx *txn) put(key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return internal("encode %T: %v", v, err)
	}
	tx.putRaw(key, raw)
	return nil
}

// putRaw buffers the write of a record kept as raw bytes, not JSON (a
// marker, an identity or alias pointing at an ID).
func (tx *txn) putRaw(key string, raw []byte) {
	tx.writes = append(tx.writes, write{key: key, value: raw})
}

func (tx *txn) putIndex(objectType string, attrs ...string) {
	tx.putRaw(CompositeKey(objectType, attrs...), indexValue)
}

func (tx *txn) delIndex(objectType string, attrs ...string) {
	tx.writes = append(tx.writes, write{key: CompositeKey(objectType, attrs...)})
}

// commit flushes the buffered writes in order and sets the one event.
func (tx *txn) commit() error {
	for _, w := range tx.writes {
		var err error
		if w.value == nil {
			err = tx.st.DelState(w.key)
		} else {
			err = tx.st.PutState(w.key, w.value)
		}
		if err != nil {
			return internal("write: %v", err)
		}
	}
	payload, err := json.Marshal(tx.event)
	if err != nil {
		return internal("encode event: %v", err)
	}
	if err := tx.st.SetEvent(model.EventName, payload); err != nil {
		return internal("set event: %v", err)
	}
	return nil
}

// getJSON loads a record; nil when absent.
func getJSON[T any](st State, key string) (*T, error) {
	raw, err := st.GetState(key)
	if err != nil {
		return nil, internal("read state: %v", err)
	}
	if raw == nil {
		return nil, nil
	}
	v := new(T)
	if err := json.Unmarshal(raw, v); err != nil {
		return nil, internal("corrupt %T record: %v", v, err)
	}
	return v, nil
}

// mustGet loads a record or fails with NOT_FOUND naming it.
func mustGet[T any](st State, key, what, id string) (*T, error) {
	v, err := getJSON[T](st, key)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, model.Errorf(model.CodeNotFound, "%s %s", what, id)
	}
	return v, nil
}

// activeEnterprise loads an enterprise that must be ACTIVE with role.
func (tx *txn) activeEnterprise(field, id string, role model.Role) (*model.Enterprise, error) {
	e, err := mustGet[model.Enterprise](tx.st, enterpriseKey(id), "enterprise", id)
	if err != nil {
		return nil, err
	}
	if e.Role != role {
		return nil, model.Errorf(model.CodeInvalidArgument, "%s: %s is a %s, not a %s", field, id, e.Role, role)
	}
	if e.Status != model.EnterpriseActive {
		return nil, model.Errorf(model.CodeInvalidState, "%s: %s is %s", field, id, e.Status)
	}
	return e, nil
}

// auditKey returns the platform's regulator audit key.
func (tx *txn) auditKey() (*elgamal.PublicKey, error) {
	p, err := getJSON[model.Platform](tx.st, platformKey())
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, model.Errorf(model.CodeInvalidState, "no regulator audit key is registered yet")
	}
	k, err := elgamal.DecodePublicKey(p.AuditKey)
	if err != nil {
		return nil, internal("stored audit key: %v", err)
	}
	return k, nil
}

// invalidState: the record's state does not allow the transaction.
func invalidState(format string, args ...any) error {
	return model.Errorf(model.CodeInvalidState, format, args...)
}

// unauthorized: the submitter is not a registered, ACTIVE enterprise.
func unauthorized(format string, args ...any) error {
	return model.Errorf(model.CodeUnauthorized, format, args...)
}

// denied: the submitter is a registered enterprise that may not do this
// (wrong role, not the party, or the regulator writing).
func denied(format string, args ...any) error {
	return model.Errorf(model.CodeForbidden, format, args...)
}
