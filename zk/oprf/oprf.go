// Package oprf computes invoice fingerprints with the verifiable OPRF of
// RFC 9497 (VOPRF mode, suite ristretto255-SHA512, circl/oprf).
//
// A supplier blinds the canonical invoice fields, the operator evaluates
// the blinded element with its key and proves (DLEQ) that it used the key
// it published, and the supplier unblinds to a 64-byte fingerprint. The
// operator never sees the fields; without the key nobody can brute-force
// invoice numbers from the fingerprints on the ledger. See
// docs/crypto/oprf.md.
//
// circl draws the client's blind and the server's proof nonce from
// crypto/rand itself (and its ristretto255 RandomScalar ignores any reader),
// so this package draws both from the caller's reader and hands them to
// circl's deterministic entry points: tests and known answers are
// reproducible, production passes nil for crypto/rand.
package oprf

import (
	"crypto"
	cryptorand "crypto/rand"
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

// KeyInfo is the RFC 9497 DeriveKeyPair info of keys made by
// GenerateServerKey.
const KeyInfo = "tierchain/oprf/v1"

const (
	elementSize = 32
	proofSize   = 64 // DLEQ proof: c ‖ s
	// KeySize is the size of an encoded server key or public key.
	KeySize = 32
	// BlindedSize is the size of a blinded element.
	BlindedSize = elementSize
	// EvaluationSize is the size of an evaluation: element ‖ proof.
	EvaluationSize = elementSize + proofSize
	// FingerprintSize is the size of the OPRF output (SHA-512).
	FingerprintSize = 64
	// SeedSize is the size of a DeriveServerKey seed.
	SeedSize = 32
)

var (
	// ErrMalformed reports bytes that are not a key, element or evaluation.
	ErrMalformed = errors.New("oprf: malformed encoding")
	// ErrInvalidEvaluation reports an evaluation whose proof does not verify
	// against the server's public key.
	ErrInvalidEvaluation = errors.New("oprf: evaluation proof does not verify")
)

// dleqParams are RFC 9497's DLEQ parameters for the VOPRF mode of
// ristretto255-SHA512 (contextString "OPRFV1-" ‖ 0x01 ‖ "-" ‖ identifier,
// RFC 9497 §3.1), the ones circl's VerifiableServer uses internally.
var dleqParams = dleq.Params{
	G:   circlgroup.Ristretto255,
	H:   crypto.SHA512,
	DST: []byte("OPRFV1-\x01-ristretto255-SHA512"),
}

// ServerKey is the operator's OPRF key. It redacts itself.
type ServerKey struct {
	k   *oprf.PrivateKey
	s   circlgroup.Scalar  // the same scalar, for the DLEQ proof
	pub circlgroup.Element // s·B
}

// ServerPublicKey is the published key clients verify evaluations against.
type ServerPublicKey struct{ p *oprf.PublicKey }

// GenerateServerKey reads a 32-byte seed from rand (crypto/rand if nil) and
// derives the key from it: DeriveServerKey(seed, KeyInfo).
func GenerateServerKey(rand io.Reader) (*ServerKey, error) {
	seed := make([]byte, SeedSize)
	if _, err := io.ReadFull(readerOr(rand), seed); err != nil {
		return nil, err
	}
	return DeriveServerKey(seed, []byte(KeyInfo))
}

// DeriveServerKey is RFC 9497 DeriveKeyPair (§3.2.1) in VOPRF mode: the key
// is a function of the 32-byte seed and info.
func DeriveServerKey(seed, info []byte) (*ServerKey, error) {
	if len(seed) != SeedSize {
		return nil, fmt.Errorf("%w: seed of %d bytes", ErrMalformed, len(seed))
	}
	k, err := oprf.DeriveKey(suite, oprf.VerifiableMode, seed, info)
	if err != nil {
		return nil, err
	}
	b, err := k.MarshalBinary()
	if err != nil {
		return nil, err
	}
	return DecodeServerKey(b)
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

// GoString redacts the key for %#v.
func (k *ServerKey) GoString() string { return k.String() }

// LogValue redacts the key.
func (k *ServerKey) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// DecodeServerKey parses a canonical, non-zero scalar.
func DecodeServerKey(b []byte) (*ServerKey, error) {
	if _, err := group.NewScalar().SetCanonicalBytes(b); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	k := new(oprf.PrivateKey)
	if err := k.UnmarshalBinary(suite, b); err != nil { // refuses zero
		return nil, errors.Join(ErrMalformed, err)
	}
	s := circlgroup.Ristretto255.NewScalar()
	if err := s.UnmarshalBinary(b); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	return &ServerKey{k: k, s: s, pub: circlgroup.Ristretto255.NewElement().MulGen(s)}, nil
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

// ClientState is what Finalize needs from Blind: the input and the secret
// blind. It redacts itself.
type ClientState struct{ fd *oprf.FinalizeData }

// String redacts the state.
func (s *ClientState) String() string { return "oprf.ClientState{REDACTED}" }

// GoString redacts the state for %#v.
func (s *ClientState) GoString() string { return s.String() }

// LogValue redacts the state.
func (s *ClientState) LogValue() slog.Value { return slog.StringValue("REDACTED") }

// Blind blinds input with a blind drawn from rand (64 bytes reduced mod ℓ;
// crypto/rand if nil) and returns the 32-byte blinded element to send to
// the server.
func (c *Client) Blind(input []byte, rand io.Reader) (*ClientState, []byte, error) {
	blind, err := randomScalar(rand)
	if err != nil {
		return nil, nil, err
	}
	fd, req, err := c.c.DeterministicBlind([][]byte{input}, []oprf.Blind{blind})
	if err != nil { // a zero blind, or an input hashing to the identity
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

// PublicKey is the server's published key, which clients verify its
// evaluations against.
func (s *Server) PublicKey() *ServerPublicKey { return s.k.Public() }

// Evaluate evaluates one blinded element, Z = k·B, and proves with a DLEQ
// proof (RFC 9497 §2.2, GenerateProof) that it used the published key. The
// proof's nonce is drawn from rand (64 bytes reduced mod ℓ; crypto/rand if
// rand is nil or absent). rand is variadic only so that callers written
// before it existed, Evaluate(blinded), still compile; pass one reader.
func (s *Server) Evaluate(blinded []byte, rand ...io.Reader) ([]byte, error) {
	if len(rand) > 1 {
		return nil, errors.New("oprf: Evaluate takes at most one reader")
	}
	var rnd io.Reader
	if len(rand) == 1 {
		rnd = rand[0]
	}
	b, err := decodeElement(blinded)
	if err != nil {
		return nil, err
	}
	nonce, err := randomScalar(rnd)
	if err != nil {
		return nil, err
	}
	z := circlgroup.Ristretto255.NewElement().Mul(b, s.k.s)
	proof, err := dleq.Prover{Params: dleqParams}.ProveBatchWithRandomnessRFC9497(
		s.k.s, s.k.pub, []circlgroup.Element{b}, []circlgroup.Element{z}, nonce)
	if err != nil {
		return nil, err
	}
	el, err := z.MarshalBinaryCompress()
	if err != nil {
		return nil, err
	}
	pr, err := proof.MarshalBinary()
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

// decodeElement parses a canonical, non-identity ristretto255 element
// (checked with our strict decoder before circl sees the bytes).
func decodeElement(b []byte) (circlgroup.Element, error) {
	if _, err := group.NewIdentity().SetCanonicalBytesNonIdentity(b); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	e := circlgroup.Ristretto255.NewElement()
	if err := e.UnmarshalBinary(b); err != nil {
		return nil, errors.Join(ErrMalformed, err)
	}
	return e, nil
}

func decodeEvaluation(b []byte) (*oprf.Evaluation, error) {
	if len(b) != EvaluationSize {
		return nil, fmt.Errorf("%w: evaluation of %d bytes", ErrMalformed, len(b))
	}
	e, err := decodeElement(b[:elementSize])
	if err != nil {
		return nil, err
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

// randomScalar draws a scalar from rand (crypto/rand if nil) with our
// group's RandomScalar and converts it to circl's type.
func randomScalar(rand io.Reader) (circlgroup.Scalar, error) {
	s, err := group.RandomScalar(rand)
	if err != nil {
		return nil, err
	}
	c := circlgroup.Ristretto255.NewScalar()
	if err := c.UnmarshalBinary(s.Bytes()); err != nil {
		return nil, err
	}
	return c, nil
}

func readerOr(r io.Reader) io.Reader {
	if r == nil {
		return cryptorand.Reader
	}
	return r
}
