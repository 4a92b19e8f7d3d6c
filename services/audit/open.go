package audit

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// Status is the outcome of opening one amount. There is no silent pass:
// every amount the service reports carries one.
type Status string

const (
	// Reconciled: the regulator's envelope opens the commitment and the
	// handle agrees (C − s⁻¹·D = v·G).
	Reconciled Status = "RECONCILED"
	// EnvelopeMismatch: the envelope is missing, does not decrypt, or
	// disagrees with the handle; the amount was opened through the handle
	// and the envelope is flagged.
	EnvelopeMismatch Status = "ENVELOPE_MISMATCH"
	// Unopenable: the envelope is bad and the handle does not give the
	// amount either (above the discrete-log bound, or a malformed
	// commitment or handle, which the chaincode should have refused).
	Unopenable Status = "UNOPENABLE"
)

// EnvelopeFault says why the regulator's envelope was not used.
type EnvelopeFault string

const (
	// FaultMissing: no regulator envelope on the record.
	FaultMissing EnvelopeFault = "MISSING"
	// FaultUndecryptable: wrong size, not sealed to the regulator's key or
	// to this commitment, tampered, or its opening does not open the
	// commitment (envelope.Open checks all of these).
	FaultUndecryptable EnvelopeFault = "UNDECRYPTABLE"
	// FaultHandleMismatch: the envelope opens the commitment but the handle
	// commits to another amount.
	FaultHandleMismatch EnvelopeFault = "HANDLE_MISMATCH"
)

// UnopenedReason says why an UNOPENABLE amount could not be opened.
type UnopenedReason string

const (
	// AboveBound: the amount is at or above 2^DLogBits.
	AboveBound UnopenedReason = "ABOVE_DLOG_BOUND"
	// Malformed: the commitment or handle does not decode.
	Malformed UnopenedReason = "MALFORMED"
)

// Amount is one opened (or not) amount with how it was reconciled. Minor
// is in minor units and meaningful only when Known. It is a secret of the
// regulator: LogValue prints the status only.
type Amount struct {
	Minor    uint64         `json:"minor"`
	Status   Status         `json:"status"`
	Envelope EnvelopeFault  `json:"envelopeFault,omitempty"`
	Unopened UnopenedReason `json:"unopened,omitempty"`
}

// Known reports whether Minor holds the opened amount.
func (a Amount) Known() bool { return a.Status == Reconciled || a.Status == EnvelopeMismatch }

// MarshalJSON leaves out minor when the amount is not known, so that no
// reader takes an UNOPENABLE amount for zero.
func (a Amount) MarshalJSON() ([]byte, error) {
	type plain Amount
	if a.Known() {
		return json.Marshal(plain(a))
	}
	return json.Marshal(struct {
		Status   Status         `json:"status"`
		Envelope EnvelopeFault  `json:"envelopeFault,omitempty"`
		Unopened UnopenedReason `json:"unopened,omitempty"`
	}{a.Status, a.Envelope, a.Unopened})
}

// LogValue keeps the amount itself out of logs.
func (a Amount) LogValue() slog.Value {
	return slog.GroupValue(slog.String("status", string(a.Status)), slog.String("envelope", string(a.Envelope)))
}

// sealed is what the ledger holds of one amount. purpose is the
// envelope binding's purpose: PurposeRegulator when empty (tokens and
// invoices), advance, fee or price for a financing's amounts.
type sealed struct {
	commitment, handle, envelope []byte
	purpose                      string
}

// opener opens amounts with the regulator's keys: the envelope first, the
// handle when the envelope fails.
type opener struct {
	auditKey *elgamal.PrivateKey
	encKey   *envelope.PrivateKey
	bits     int
	table    func() (*elgamal.DLogTable, error)
	cache    *Cache
	log      *slog.Logger
}

func newOpener(auditKey *elgamal.PrivateKey, encKey *envelope.PrivateKey, bits int, cache *Cache, log *slog.Logger) *opener {
	return &opener{
		auditKey: auditKey, encKey: encKey, bits: bits, cache: cache, log: log,
		// Built on the first handle-path opening only: about 1 s and 36 MiB
		// for 40 bits, shared by every service of the process.
		table: sync.OnceValues(func() (*elgamal.DLogTable, error) { return elgamal.SharedDLogTable(bits) }),
	}
}

// openAll opens every amount with up to workers goroutines, through the
// cache when there is one, and stores the fresh openings in one
// transaction. Its only errors are a failure to build the discrete-log
// table and a cancelled context: every cryptographic failure is a Status.
func (o *opener) openAll(ctx context.Context, items []sealed, workers int) ([]Amount, error) {
	out := make([]Amount, len(items))
	fresh := make([]bool, len(items))
	errs := make([]error, len(items))
	var cacheErr atomic.Pointer[error] // the first cache read failure, logged once
	next := make(chan int)
	var wg sync.WaitGroup
	for range max(1, min(workers, len(items))) {
		wg.Go(func() {
			for i := range next {
				if errs[i] = ctx.Err(); errs[i] == nil {
					out[i], fresh[i], errs[i] = o.open(ctx, items[i], &cacheErr)
				}
			}
		})
	}
	for i := range items {
		next <- i
	}
	close(next)
	wg.Wait()
	if err := cacheErr.Load(); err != nil {
		o.log.WarnContext(ctx, "audit cache read failed; amounts opened again", "err", *err)
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if o.cache != nil {
		var rows []cached
		for i, f := range fresh {
			if f {
				rows = append(rows, cached{items[i], out[i]})
			}
		}
		if err := o.cache.putAll(ctx, rows, o.bits); err != nil {
			o.log.WarnContext(ctx, "audit cache write failed", "err", err)
		}
	}
	return out, nil
}

// open opens one amount, from the cache when it holds it (fresh is false
// then). A cache read failure is kept in cacheErr (the first one) and the
// amount opened anyway.
func (o *opener) open(ctx context.Context, s sealed, cacheErr *atomic.Pointer[error]) (a Amount, fresh bool, err error) {
	if o.cache != nil {
		a, ok, err := o.cache.get(ctx, s, o.bits)
		if err != nil {
			cacheErr.CompareAndSwap(nil, &err)
		} else if ok {
			return a, false, nil
		}
	}
	a, err = o.openNow(s)
	return a, err == nil, err
}

// openNow is open without the cache.
func (o *opener) openNow(s sealed) (Amount, error) {
	c, err := pedersen.DecodeCommitment(s.commitment)
	if err != nil {
		return Amount{Status: Unopenable, Unopened: Malformed}, nil
	}
	h, err := elgamal.DecodeHandle(s.handle)
	if err != nil {
		return Amount{Status: Unopenable, Unopened: Malformed}, nil
	}
	v, fault := o.checkEnvelope(c, h, s.envelope, s.purpose)
	if fault == "" {
		return Amount{Minor: v, Status: Reconciled}, nil
	}
	return o.openHandle(c, h, fault)
}

// checkEnvelope runs the fast path: decrypt the envelope (which checks that
// its opening opens c) and check the amount against the handle.
func (o *opener) checkEnvelope(c *pedersen.Commitment, h *elgamal.Handle, env []byte, purpose string) (uint64, EnvelopeFault) {
	if len(env) == 0 {
		return 0, FaultMissing
	}
	op, err := envelope.Open(o.encKey, env, protocol.OutputBinding(c, cmp.Or(purpose, protocol.PurposeRegulator)))
	if err != nil {
		return 0, FaultUndecryptable
	}
	if !o.auditKey.CheckValue(c, h, op.Value) {
		return 0, FaultHandleMismatch
	}
	return op.Value, ""
}

// openHandle opens through the handle: C − s⁻¹·D = v·G, then a bounded
// discrete log.
func (o *opener) openHandle(c *pedersen.Commitment, h *elgamal.Handle, fault EnvelopeFault) (Amount, error) {
	tab, err := o.table()
	if err != nil {
		return Amount{}, err
	}
	v, err := o.auditKey.Open(tab, c, h)
	switch {
	case errors.Is(err, elgamal.ErrOutOfRange):
		return Amount{Status: Unopenable, Envelope: fault, Unopened: AboveBound}, nil
	case err != nil:
		return Amount{}, err
	}
	return Amount{Minor: v, Status: EnvelopeMismatch, Envelope: fault}, nil
}
