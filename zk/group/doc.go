// Package group is TierChain's prime-order group: ristretto255 (RFC 9496)
// with concrete Scalar and Element types.
//
// The arithmetic is go-ristretto's edwards25519 (the engine behind circl's
// group.Ristretto255, with amd64 assembly field multiplication); hash-to-group
// is circl's RFC 9380 ristretto255_XMD:SHA-512_R255MAP_RO_. Wrapping the
// engine directly, rather than circl's group.Group interface, gives
// allocation-free arithmetic and lets the variable-time multi-scalar
// multiplication work on the curve's internal point formats.
//
// Conventions (after filippo.io/edwards25519):
//   - Receivers are set and returned: v.Add(a, b) sets v = a + b.
//   - Decoders (SetCanonicalBytes) accept only canonical, length-checked
//     encodings, return an error and leave the receiver unchanged on failure.
//   - Functions whose running time depends on their inputs are named
//     VarTime…; they must only be given public values.
//   - Randomness comes from an io.Reader the caller passes (crypto/rand by
//     default); circl's Random* functions ignore their reader, so they are
//     never used.
package group
