package browserwallet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/internal/keyseal"
	"github.com/tierchain/tierchain/internal/relay"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

// ErrNotHeld: a token the wallet has no opening of (not held, or not
// synced since it arrived).
var ErrNotHeld = errors.New("browserwallet: no opening of this token: sync first")

// Wallet is the browser's wallet: the keys (unsealed in memory only), and
// the openings of the tokens held, which it never stores: Sync rebuilds
// them from the chain and the key, so a wiped browser loses nothing the
// sealed key file does not bring back. services/wallet does the same with
// SQL storage, which the browser does not have.
type Wallet struct {
	Keys  keyseal.Keys
	Relay *relay.Client
	ctx   protocol.Context
	held  map[string]heldToken
}

type heldToken struct {
	view    model.TokenView
	opening pedersen.Opening
}

// Holding is a held token with the amount its envelope opened to.
type Holding struct {
	TokenID string `json:"tokenId"`
	Root    string `json:"root"`
	Status  string `json:"status"`
	Minor   uint64 `json:"minor"`
	// Currency is the ISO 4217 code Minor is in ("" on a legacy token).
	Currency string `json:"currency,omitempty"`
}

// New returns the wallet of k, talking to k.Gateway through t (nil: the
// browser's fetch in WebAssembly, net/http's default client elsewhere).
func New(k keyseal.Keys, t relay.Transport) *Wallet {
	return &Wallet{Keys: k, ctx: protocol.Context{Channel: "scf", Chaincode: "tierchain"}, held: map[string]heldToken{},
		Relay: &relay.Client{Base: k.Gateway, Token: k.APIToken, Transport: t, Self: relay.Creator{MSPID: k.MSPID, CertPEM: k.CertPEM}, Key: k.Signing}}
}

func (w *Wallet) evaluate(ctx context.Context, out any, fn string, args ...any) error {
	strs := make([]string, len(args))
	for i, a := range args {
		if s, ok := a.(string); ok {
			strs[i] = s
			continue
		}
		b, err := json.Marshal(a)
		if err != nil {
			return err
		}
		strs[i] = string(b)
	}
	raw, err := w.Relay.Evaluate(ctx, "tierchain", fn, strs...)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, out)
}

// Sync reads every token the ledger lists as held by the enterprise and
// opens each envelope against the ledger's commitment; an envelope that
// does not open is left out (the hosted wallet records it as bad).
func (w *Wallet) Sync(ctx context.Context) ([]Holding, error) {
	if len(w.Keys.CertPEM) == 0 {
		return nil, errors.New("browserwallet: not onboarded")
	}
	held := map[string]heldToken{}
	bookmark := ""
	for {
		var pg model.Page[model.TokenView]
		if err := w.evaluate(ctx, &pg, "TokensByHolder", model.PageRequest{Owner: w.Keys.EnterpriseID, PageSize: 200, Bookmark: bookmark}); err != nil {
			return nil, err
		}
		for _, t := range pg.Items {
			if t.Holder != w.Keys.EnterpriseID {
				continue
			}
			c, err := pedersen.DecodeCommitment(t.Commitment)
			if err != nil {
				continue
			}
			o, err := envelope.Open(w.Keys.Encryption, t.HolderEnvelope, envelope.Binding{Commitment: c, Purpose: protocol.PurposeHolder})
			if err != nil {
				continue
			}
			held[t.ID] = heldToken{view: t, opening: o}
		}
		if pg.Bookmark == "" || len(pg.Items) == 0 {
			break
		}
		bookmark = pg.Bookmark
	}
	w.held = held
	return w.Holdings(), nil
}

// Holdings lists the tokens opened by the last Sync, by token ID.
func (w *Wallet) Holdings() []Holding {
	out := make([]Holding, 0, len(w.held))
	for id, h := range w.held {
		out = append(out, Holding{TokenID: id, Root: h.view.Root, Status: string(h.view.Status), Minor: h.opening.Value, Currency: h.view.Currency})
	}
	slices.SortFunc(out, func(a, b Holding) int {
		switch {
		case a.TokenID < b.TokenID:
			return -1
		case a.TokenID > b.TokenID:
			return 1
		}
		return 0
	})
	return out
}

func (w *Wallet) recipient(ctx context.Context, id string) (protocol.Recipient, error) {
	var e model.Enterprise
	if err := w.evaluate(ctx, &e, "GetEnterprise", id); err != nil {
		return protocol.Recipient{}, err
	}
	k, err := envelope.DecodePublicKey(e.EncryptionKey)
	if err != nil {
		return protocol.Recipient{}, fmt.Errorf("browserwallet: ledger encryption key of %s: %w", id, err)
	}
	return protocol.Recipient{ID: e.ID, Key: k}, nil
}

func (w *Wallet) auditor(ctx context.Context) (protocol.Auditor, error) {
	var p model.Platform
	if err := w.evaluate(ctx, &p, "GetPlatform"); err != nil {
		return protocol.Auditor{}, err
	}
	ak, err := elgamal.DecodePublicKey(p.AuditKey)
	if err != nil {
		return protocol.Auditor{}, fmt.Errorf("browserwallet: ledger audit key: %w", err)
	}
	reg, err := w.recipient(ctx, p.AuditorID)
	if err != nil {
		return protocol.Auditor{}, err
	}
	return protocol.Auditor{AuditKey: ak, EncryptionKey: reg.Key}, nil
}

func (w *Wallet) spendable(id string) (heldToken, error) {
	h, ok := w.held[id]
	if !ok {
		return heldToken{}, fmt.Errorf("%w: %s", ErrNotHeld, id)
	}
	if h.view.Status != model.TokenActive {
		return heldToken{}, fmt.Errorf("browserwallet: token %s is %s", id, h.view.Status)
	}
	return h, nil
}

// Split pays amount (minor units) of token tokenID to the enterprise to,
// the change back: proved here, signed here, relayed by the gateway.
func (w *Wallet) Split(ctx context.Context, tokenID, to string, amount uint64) ([]model.Token, error) {
	h, err := w.spendable(tokenID)
	if err != nil {
		return nil, err
	}
	if amount == 0 || amount > h.opening.Value {
		return nil, fmt.Errorf("browserwallet: amount must be positive and at most the token's value")
	}
	dest, err := w.recipient(ctx, to)
	if err != nil {
		return nil, err
	}
	aud, err := w.auditor(ctx)
	if err != nil {
		return nil, err
	}
	self := protocol.Recipient{ID: w.Keys.EnterpriseID, Key: w.Keys.Encryption.Public()}
	req, fn, err := buildPayment(w.ctx, aud, protocol.OpenedToken{ID: tokenID, Currency: h.view.Currency, Opening: h.opening},
		self, dest, amount)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	raw, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	res, err := w.Relay.Submit(ctx, fn, string(raw))
	if err != nil {
		return nil, err
	}
	var toks []model.Token
	if err := json.Unmarshal(res.Payload, &toks); err != nil {
		return nil, err
	}
	delete(w.held, tokenID)
	return toks, nil
}

// buildPayment proves self's payment of amount out of in to dest, the
// change back to self: a Transfer (one output) when amount is all of in,
// else a Split (dest's output first, then the change). It returns the
// request and the chaincode function that takes it. amount must be in
// 1..in's value (Split checks it first; the bench's is fixed).
func buildPayment(ctx protocol.Context, aud protocol.Auditor, in protocol.OpenedToken, self, dest protocol.Recipient,
	amount uint64) (*model.SplitRequest, string, error) {
	pay, err := pedersen.NewOpening(amount, nil)
	if err != nil {
		return nil, "", err
	}
	outs := []protocol.OutputSpec{{Holder: dest, Opening: pay}}
	kind, fn := protocol.KindTransfer, "Transfer"
	if change := in.Opening.Value - amount; change > 0 {
		co, err := pedersen.NewOpening(change, nil)
		if err != nil {
			return nil, "", err
		}
		outs = append(outs, protocol.OutputSpec{Holder: self, Opening: co})
		kind, fn = protocol.KindSplit, "Split"
	}
	req, err := protocol.BuildSplit(ctx, protocol.SplitInput{Kind: kind, Spender: self.ID,
		Inputs: []protocol.OpenedToken{in}, Outputs: outs}, aud, nil)
	if err != nil {
		return nil, "", err
	}
	return req, fn, nil
}

// RequestFinancing asks bank to finance tokenID, the opening sealed to the
// bank here.
func (w *Wallet) RequestFinancing(ctx context.Context, tokenID, bank string) (model.Token, error) {
	h, err := w.spendable(tokenID)
	if err != nil {
		return model.Token{}, err
	}
	b, err := w.recipient(ctx, bank)
	if err != nil {
		return model.Token{}, err
	}
	c, err := pedersen.DecodeCommitment(h.view.Commitment)
	if err != nil {
		return model.Token{}, err
	}
	req, err := protocol.BuildFinance(tokenID, c, h.opening, b, nil)
	if err != nil {
		return model.Token{}, err
	}
	if err := req.Validate(); err != nil {
		return model.Token{}, err
	}
	raw, err := json.Marshal(req)
	if err != nil {
		return model.Token{}, err
	}
	res, err := w.Relay.Submit(ctx, "RequestFinancing", string(raw))
	if err != nil {
		return model.Token{}, err
	}
	var t model.Token
	return t, json.Unmarshal(res.Payload, &t)
}
