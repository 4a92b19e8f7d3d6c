package relay

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Client is the device's side of the relay: it asks its gateway to
// prepare each call, checks what it is given (InspectProposal,
// CheckProposal, InspectTransaction, CheckTransaction), signs with its own
// key and sends the signature. Its Evaluate makes it a services/wallet
// Ledger, so a wallet on the device reads the chain through the relay.
type Client struct {
	Base  string // the gateway, e.g. http://127.0.0.1:8080
	Token string // the enterprise's API token
	// Transport sends the requests; nil: net/http's default client, or
	// the browser's fetch in WebAssembly (FetchTransport).
	Transport Transport
	Self      Creator           // the enterprise's MSP and certificate (PEM)
	Key       *ecdsa.PrivateKey // its Fabric signing key
	// Trace, when set, sees every request body the client sends (tests
	// check that none carries a plaintext amount).
	Trace func(path string, body []byte)
}

// Transport sends one request to the gateway and returns the answer's
// status and body (at most maxAnswer bytes). The relay has it instead of
// net/http's client so the browser's module carries no HTTP stack: it
// uses fetch.
type Transport interface {
	RoundTrip(ctx context.Context, r Request) (status int, body []byte, err error)
}

// Request is one call to the gateway.
type Request struct {
	Method, URL string
	Header      map[string]string
	Body        []byte
}

// maxAnswer bounds a gateway's answer.
const maxAnswer = 64 << 20

// Problem is an RFC 9457 problem the gateway answered with.
type Problem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Code, p.Detail) }

// Result is a committed transaction's.
type Result struct {
	TxID        string
	BlockNumber uint64
	Payload     []byte
}

// Unsigned is a proposal or transaction for the device to check
// (InspectProposal, InspectTransaction) and sign: the ASN.1 ECDSA
// signature of the SHA-256 digest with the enterprise's key. The device
// computes the digest itself; Digest is a convenience.
type Unsigned struct {
	TxID   string `json:"txId"`
	Bytes  []byte `json:"bytes"`
	Digest []byte `json:"digest"`
	// Result is the chaincode's endorsed answer (an endorsed transaction
	// only): what the transaction returns once committed.
	Result []byte `json:"result,omitempty"`
}

// Signed is a signed proposal or transaction.
type Signed struct {
	Bytes     []byte `json:"bytes"`
	Signature []byte `json:"signature"`
}

// Committed is a query's answer or a committed transaction.
type Committed struct {
	TxID        string `json:"txId,omitempty"`
	BlockNumber uint64 `json:"blockNumber,omitempty"`
	Result      []byte `json:"result"`
}

// Evaluate runs a query of contract (only "tierchain") as the enterprise.
func (c *Client) Evaluate(ctx context.Context, contract, fn string, args ...string) ([]byte, error) {
	_, s, err := c.prepareSigned(ctx, contract, fn, args)
	if err != nil {
		return nil, err
	}
	var out Committed
	if err := c.Do(ctx, "POST", "/v1/relay/evaluate", s, &out); err != nil {
		return nil, err
	}
	return out.Result, nil
}

// Submit endorses, signs and commits contract:fn as the enterprise.
func (c *Client) Submit(ctx context.Context, fn string, args ...string) (Result, error) {
	p, s, err := c.prepareSigned(ctx, "tierchain", fn, args)
	if err != nil {
		return Result{}, err
	}
	var tx Unsigned
	if err := c.Do(ctx, "POST", "/v1/relay/endorse", s, &tx); err != nil {
		return Result{}, err
	}
	t, err := InspectTransaction(tx.Bytes)
	if err != nil {
		return Result{}, err
	}
	if err := CheckTransaction(t, p, tx.Result); err != nil {
		return Result{}, err
	}
	sig, err := c.sign(t.Digest)
	if err != nil {
		return Result{}, err
	}
	var out Committed
	if err := c.Do(ctx, "POST", "/v1/relay/submit", Signed{Bytes: tx.Bytes, Signature: sig}, &out); err != nil {
		return Result{}, err
	}
	return Result{TxID: out.TxID, BlockNumber: out.BlockNumber, Payload: out.Result}, nil
}

// PrepareSigned asks for the proposal of contract:fn(args), checks it and
// signs it; exported for tests that relay it themselves (replays).
func (c *Client) PrepareSigned(ctx context.Context, fn string, args ...string) (*Proposal, []byte, []byte, error) {
	p, s, err := c.prepareSigned(ctx, "tierchain", fn, args)
	if err != nil {
		return nil, nil, nil, err
	}
	return p, s.Bytes, s.Signature, nil
}

func (c *Client) prepareSigned(ctx context.Context, contract, fn string, args []string) (*Proposal, Signed, error) {
	if contract != "tierchain" {
		return nil, Signed{}, fmt.Errorf("relay: contract %q is not relayed", contract)
	}
	var u Unsigned
	if err := c.Do(ctx, "POST", "/v1/relay/proposals", map[string]any{"function": fn, "args": args}, &u); err != nil {
		return nil, Signed{}, err
	}
	p, err := InspectProposal(u.Bytes)
	if err != nil {
		return nil, Signed{}, err
	}
	bargs := make([][]byte, len(args))
	for i, a := range args {
		bargs[i] = []byte(a)
	}
	if err := CheckProposal(p, c.Self, contract, fn, bargs); err != nil {
		return nil, Signed{}, err
	}
	// Sign the digest computed here, never the one the gateway sent.
	sig, err := c.sign(p.Digest)
	if err != nil {
		return nil, Signed{}, err
	}
	return p, Signed{Bytes: u.Bytes, Signature: sig}, nil
}

// sign makes the low-S ASN.1 ECDSA signature Fabric's MSP accepts.
func (c *Client) sign(digest []byte) ([]byte, error) {
	if c.Key == nil {
		return nil, errors.New("relay: no signing key")
	}
	return SignDigest(c.Key, digest)
}

// Do sends one JSON call to the gateway with the enterprise's token and a
// new Idempotency-Key for a write, and decodes the answer into out (a
// problem into *Problem).
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var raw []byte
	if body != nil {
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return err
		}
	}
	if c.Trace != nil {
		c.Trace(path, raw)
	}
	header := map[string]string{}
	if c.Token != "" {
		header["Authorization"] = "Bearer " + c.Token
	}
	if body != nil {
		header["Content-Type"] = "application/json"
	}
	if method != "GET" {
		var k [16]byte
		if _, err := rand.Read(k[:]); err != nil {
			return err
		}
		header["Idempotency-Key"] = "relay-" + hex.EncodeToString(k[:])
	}
	t := c.Transport
	if t == nil {
		t = defaultTransport
	}
	status, b, err := t.RoundTrip(ctx, Request{Method: method, URL: strings.TrimSuffix(c.Base, "/") + path, Header: header, Body: raw})
	if err != nil {
		return err
	}
	if status >= 300 {
		p := &Problem{Status: status}
		if json.Unmarshal(b, p) != nil || p.Code == "" {
			p.Detail = strings.TrimSpace(string(b))
		}
		p.Status = status
		return p
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}
