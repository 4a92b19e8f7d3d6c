// Package model holds the data of the TierChain chaincode: the world-state
// records (Enterprise, Invoice, CreditLine, Token), the requests that
// transactions take, the events they emit and the typed errors they return.
//
// Byte fields travel as standard base64 in JSON. Requests decode strictly
// (Decode): unknown fields, trailing data, oversized documents and
// oversized arrays are refused with an INVALID_ARGUMENT error, and every
// field is length-checked by the request's Validate method.
//
// The package knows nothing of Fabric or of the rules; see docs/chaincode.md.
package model
