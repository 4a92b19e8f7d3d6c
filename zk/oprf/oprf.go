// Package oprf computes invoice fingerprints with the verifiable OPRF of
// RFC 9497 (VOPRF mode, suite ristretto255-SHA512, circl/oprf).
//
// A supplier blinds the canonical invoice fields, the operator evaluates
// the blinded element with its key and proves (DLEQ) that it used the key
// it published, and the supplier unblinds to a 64-byte fingerprint. The
// operator never sees the fields; without the key nobody can brute-force
// invoice numbers from the fingerprints on the ledger. See
// docs/crypto/oprf.md.
package oprf

import (
	"errors"
	"fmt"
	"io"
	"log/slog"

	circlgroup "github.com/cloudflare/circl/group"
	"github.com/cloudflare/circl/oprf"
	"github.com/cloudflare/circl/zk/dleq"
	"github.com/tierchain/tierchain/zk/group"
)

var suite = oprf.SuiteRistretto255

const (
	elementSize = 32
	proofSize   = 64 // DLEQ proof: c ‖ s
	// EvaluationSize is the size of an evaluation: element ‖ proof.
	EvaluationSize = elementSize + proofSize
	// FingerprintSize is the size of the OPRF output (SHA-512).
	FingerprintSize = 64
)

var (
	// ErrMalformed reports bytes that are not a key, element or evaluation.
	ErrMalformed = errors.New("oprf: malformed encoding")
	// ErrInvalidEvaluation reports an evaluation whose proof does not verify
	// against the server's public key.
	ErrInvalidEvaluation = errors.New("oprf: evaluation proof does not verify")
)

// ServerKey is the operator's OPRF key. It redacts itself.
type ServerKey struct{ k *oprf.PrivateKey }

// ServerPublicKey is the published key clients verify evaluations against.
type ServerPublicKey struct{ p *oprf.PublicKey }

// GenerateServerKey derives a key from 32 bytes of rand (crypto/rand if nil)
// with RFC 9497 DeriveKeyPair.
func GenerateServerKey(rand io.Reader) (*ServerKey, error) {
	s, err := group.RandomScalar(rand)
	if err != nil {
		return nil, err
	}
	k, err := oprf.DeriveKey(suite, oprf.VerifiableMode, s.Bytes(), []byte("tierchain/oprf/v1"))
	if err != nil {
		return nil, err
	}
	return &ServerKey{k: k}, nil
}

// Public returns the public key.
func (k *ServerKey) Public() *ServerPublicKey { return &ServerPublicKey{p: k.k.Public()} }

// Bytes returns the secret scalar. Keep it secret.
func (k *ServerKey) Bytes() []byte {
	b, _ := k.k.MarshalBinary()
	return b
}

// String redacts the key.
func (k *ServerKey) String() string { return "oprf.ServerKey{REDACTED}" }

// LogValue redacts the key.
func (k *ServerKey) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// DecodeServerKey parses a canonical scalar.
func DecodeServerKey(b []byte) (*ServerKey, error) {
	if _, err := group.NewScalar().SetCanonicalBytes(b); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	k := new(oprf.PrivateKey)
	if err := k.UnmarshalBinary(suite, b); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	return &ServerKey{k: k}, nil
}

// Bytes returns the encoded public key.
func (p *ServerPublicKey) Bytes() []byte {
	b, _ := p.p.MarshalBinary()
	return b
}

// DecodeServerPublicKey parses a canonical, non-identity element.
func DecodeServerPublicKey(b []byte) (*ServerPublicKey, error) {
	if _, err := group.NewIdentity().SetCanonicalBytesNonIdentity(b); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	p := new(oprf.PublicKey)
	if err := p.UnmarshalBinary(suite, b); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	return &ServerPublicKey{p: p}, nil
}

// Client blinds inputs and finalizes evaluations for one server key.
type Client struct{ c oprf.VerifiableClient }

// NewClient returns a client that checks evaluations against pub.
func NewClient(pub *ServerPublicKey) *Client {
	return &Client{c: oprf.NewVerifiableClient(suite, pub.p)}
}

// ClientState is what Finalize needs from Blind. It holds the secret blind.
type ClientState struct{ fd *oprf.FinalizeData }

// String redacts the state.
func (s *ClientState) String() string { return "oprf.ClientState{REDACTED}" }

// Blind blinds input with a blind drawn from rand (crypto/rand if nil) and
// returns the 32-byte blinded element to send to the server.
func (c *Client) Blind(input []byte, rand io.Reader) (*ClientState, []byte, error) {
	s, err := group.RandomScalar(rand)
	if err != nil {
		return nil, nil, err
	}
	blind := circlgroup.Ristretto255.NewScalar()
	if err := blind.UnmarshalBinary(s.Bytes()); err != nil {
		return nil, nil, err
	}
	fd, req, err := c.c.DeterministicBlind([][]byte{input}, []oprf.Blind{blind})
	if err != nil {
		return nil, nil, err
	}
	b, err := req.Elements[0].MarshalBinaryCompress()
	if err != nil {
		return nil, nil, err
	}
	return &ClientState{fd: fd}, b, nil
}

// Finalize verifies the server's evaluation and returns the fingerprint.
func (c *Client) Finalize(st *ClientState, evaluation []byte) ([]byte, error) {
	ev, err := decodeEvaluation(evaluation)
	if err != nil {
		return nil, err
	}
	out, err := c.c.Finalize(st.fd, ev)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidEvaluation, err)
	}
	return out[0], nil
}

// Server evaluates blinded elements with the operator's key.
type Server struct {
	s oprf.VerifiableServer
	k *ServerKey
}

// NewServer returns a server for k.
func NewServer(k *ServerKey) *Server {
	return &Server{s: oprf.NewVerifiableServer(suite, k.k), k: k}
}

// Evaluate evaluates one blinded element and proves it used the key.
// circl draws the DLEQ proof's nonce from crypto/rand itself.
func (s *Server) Evaluate(blinded []byte) ([]byte, error) {
	if _, err := group.NewIdentity().SetCanonicalBytesNonIdentity(blinded); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	e := circlgroup.Ristretto255.NewElement()
	if err := e.UnmarshalBinary(blinded); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	ev, err := s.s.Evaluate(&oprf.EvaluationRequest{Elements: []oprf.Blinded{e}})
	if err != nil {
		return nil, err
	}
	el, err := ev.Elements[0].MarshalBinaryCompress()
	if err != nil {
		return nil, err
	}
	pr, err := ev.Proof.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return append(el, pr...), nil
}

// FullEvaluate computes the fingerprint of input directly with the key (for
// the operator's own checks and for tests).
func (s *Server) FullEvaluate(input []byte) ([]byte, error) {
	return s.s.FullEvaluate(input)
}

func decodeEvaluation(b []byte) (*oprf.Evaluation, error) {
	if len(b) != EvaluationSize {
		return nil, fmt.Errorf("%w: evaluation of %d bytes", ErrMalformed, len(b))
	}
	if _, err := group.NewIdentity().SetCanonicalBytesNonIdentity(b[:elementSize]); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	e := circlgroup.Ristretto255.NewElement()
	if err := e.UnmarshalBinary(b[:elementSize]); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	for _, part := range [][]byte{b[elementSize : elementSize+32], b[elementSize+32:]} {
		if _, err := group.NewScalar().SetCanonicalBytes(part); err != nil {
			return nil, errors.Join(ErrMalformed, err)
		}
	}
	p := new(dleq.Proof)
	if err := p.UnmarshalBinary(circlgroup.Ristretto255, b[elementSize:]); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	return &oprf.Evaluation{Elements: []oprf.Evaluated{e}, Proof: p}, nil
}
