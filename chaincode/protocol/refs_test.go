package protocol_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/pedersen"
)

func invoiceIDOf(b byte) string { return hex.EncodeToString(bytes.Repeat([]byte{b}, 64)) }

var someRefs = []protocol.InvoiceNumber{
	{Invoice: invoiceIDOf(1), Number: "INV-2026-0417"},
	{Invoice: invoiceIDOf(2), Number: "发票 №7"},
}

func refsKey(t testing.TB) (*envelope.PrivateKey, protocol.Recipient) {
	k, err := envelope.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	return k, protocol.Recipient{ID: "bankA", Key: k.Public()}
}

// TestInvoiceRefsSealOpen: references sealed to a recipient for a token
// open with its key for that token, and for no other token or recipient.
func TestInvoiceRefsSealOpen(t *testing.T) {
	k, to := refsKey(t)
	token := opening(t, 100).Commitment()
	other := opening(t, 100).Commitment()
	sealed, err := protocol.SealInvoiceRefs(to, token, someRefs, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sealed) > model.MaxRefsEnvelopeSize {
		t.Fatalf("%d bytes over the ledger's bound", len(sealed))
	}
	got, err := protocol.OpenInvoiceRefs(k, "bankA", token, sealed)
	if err != nil || !reflect.DeepEqual(got, someRefs) {
		t.Fatalf("open: %v %+v", err, got)
	}
	otherKey, _ := refsKey(t)
	for name, open := range map[string]func() ([]protocol.InvoiceNumber, error){
		"another token":     func() ([]protocol.InvoiceNumber, error) { return protocol.OpenInvoiceRefs(k, "bankA", other, sealed) },
		"another recipient": func() ([]protocol.InvoiceNumber, error) { return protocol.OpenInvoiceRefs(k, "bankB", token, sealed) },
		"another key": func() ([]protocol.InvoiceNumber, error) {
			return protocol.OpenInvoiceRefs(otherKey, "bankA", token, sealed)
		},
		"flipped byte": func() ([]protocol.InvoiceNumber, error) {
			b := bytes.Clone(sealed)
			b[len(b)/2] ^= 1
			return protocol.OpenInvoiceRefs(k, "bankA", token, b)
		},
		"empty": func() ([]protocol.InvoiceNumber, error) { return protocol.OpenInvoiceRefs(k, "bankA", token, nil) },
		"an opening envelope": func() ([]protocol.InvoiceNumber, error) {
			env, _ := envelope.Seal(to.Key, opening(t, 5), envelope.Binding{Commitment: token}, nil)
			return protocol.OpenInvoiceRefs(k, "bankA", token, env)
		},
	} {
		if refs, err := open(); !errors.Is(err, protocol.ErrRefs) || refs != nil {
			t.Errorf("%s: %v %v", name, refs, err)
		}
	}
}

// TestInvoiceRefsBounds: the largest reference list fits the ledger's
// bound; what the encoding refuses is refused before sealing.
func TestInvoiceRefsBounds(t *testing.T) {
	_, to := refsKey(t)
	token := opening(t, 1).Commitment()
	full := make([]protocol.InvoiceNumber, model.MaxInvoices)
	for i := range full {
		full[i] = protocol.InvoiceNumber{Invoice: invoiceIDOf(byte(i)), Number: strings.Repeat("9", model.MaxInvoiceNumberLength)}
	}
	sealed, err := protocol.SealInvoiceRefs(to, token, full, nil)
	if err != nil || len(sealed) != model.MaxRefsEnvelopeSize {
		t.Fatalf("%d invoices of the longest number: %d bytes (bound %d), %v", len(full), len(sealed), model.MaxRefsEnvelopeSize, err)
	}
	for name, refs := range map[string][]protocol.InvoiceNumber{
		"none":          nil,
		"17":            append(full, protocol.InvoiceNumber{Invoice: invoiceIDOf(99), Number: "x"}),
		"long number":   {{Invoice: invoiceIDOf(1), Number: strings.Repeat("9", model.MaxInvoiceNumberLength+1)}},
		"empty number":  {{Invoice: invoiceIDOf(1)}},
		"control":       {{Invoice: invoiceIDOf(1), Number: "A\nB"}},
		"not UTF-8":     {{Invoice: invoiceIDOf(1), Number: "\xff"}},
		"bad invoice":   {{Invoice: "t123", Number: "A"}},
		"upper-case ID": {{Invoice: strings.ToUpper(invoiceIDOf(0xab)), Number: "A"}},
	} {
		if _, err := protocol.SealInvoiceRefs(to, token, refs, nil); err == nil {
			t.Errorf("%s: sealed", name)
		}
	}
	if _, err := protocol.SealInvoiceRefs(protocol.Recipient{ID: "x"}, token, someRefs, nil); err == nil {
		t.Error("sealed to no key")
	}
}

// TestDecodeRefsRejects: the decoder refuses every truncation, trailing
// bytes, an unknown version, a count out of range and a duplicate.
func TestDecodeRefsRejects(t *testing.T) {
	pt, err := protocol.EncodeRefs(someRefs)
	if err != nil {
		t.Fatal(err)
	}
	dup, _ := protocol.EncodeRefs(someRefs[:1])
	dup[1] = 2
	dup = append(dup, dup[2:]...)
	bad := map[string][]byte{
		"version 2": append([]byte{2}, pt[1:]...),
		"count 0":   append([]byte{1, 0}, pt[2:]...),
		"count 17":  append([]byte{1, 17}, pt[2:]...),
		"trailing":  append(bytes.Clone(pt), 0),
		"duplicate": dup,
	}
	for i := range len(pt) {
		bad["truncated"+string(rune('a'+i%26))+string(rune('0'+i/26))] = pt[:i]
	}
	for name, b := range bad {
		if refs, err := protocol.DecodeRefs(b); !errors.Is(err, protocol.ErrRefs) || refs != nil {
			t.Errorf("%s: %v %v", name, refs, err)
		}
	}
}

// FuzzDecodeRefs: no panic on any plaintext, typed errors, and whatever
// decodes encodes back to the same bytes (one encoding per list).
func FuzzDecodeRefs(f *testing.F) {
	pt, _ := protocol.EncodeRefs(someRefs)
	f.Add(pt)
	f.Add(pt[:70])
	f.Add([]byte{1, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		refs, err := protocol.DecodeRefs(b)
		if err != nil {
			if !errors.Is(err, protocol.ErrRefs) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		again, err := protocol.EncodeRefs(refs)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("not canonical: %v", err)
		}
	})
}

// sealedRefsFor seals someRefs to a fresh key for commitment c.
func sealedRefsFor(t testing.TB, c *pedersen.Commitment) []byte {
	_, to := refsKey(t)
	sealed, err := protocol.SealInvoiceRefs(to, c, someRefs, nil)
	if err != nil {
		t.Fatal(err)
	}
	return sealed
}

// TestCompactRequestsCarryRefs: a split whose output carries references
// encodes as version 2 and an issue with references as version 4; both
// round-trip, and the older versions still decode as before (the other
// tests of this package).
func TestCompactRequestsCarryRefs(t *testing.T) {
	req, v1 := compactSplit(t)
	withRefs := *req
	withRefs.Outputs = append([]model.Output(nil), req.Outputs...)
	c, _ := pedersen.DecodeCommitment(withRefs.Outputs[0].Commitment)
	withRefs.Outputs[0].Refs = sealedRefsFor(t, c)
	raw, err := protocol.EncodeSplitRequest(&withRefs)
	if err != nil || raw[0] != protocol.SplitWireV2 || v1[0] != protocol.SplitWireV1 {
		t.Fatalf("split: %v, version %d", err, raw[0])
	}
	got, err := protocol.DecodeSplitRequest(raw)
	if err != nil || !reflect.DeepEqual(got, &withRefs) {
		t.Fatalf("split round trip: %v", err)
	}
	if got, err := protocol.DecodeSplitRequest(v1); err != nil || got.Outputs[0].Refs != nil {
		t.Fatalf("v1 split: %v", err)
	}
	for i := range len(raw) {
		if _, err := protocol.DecodeSplitRequest(raw[:i]); !errors.Is(err, model.ErrInvalidArgument) {
			t.Fatalf("v2 truncated to %d: %v", i, err)
		}
	}

	ireq, v3 := compactIssue(t)
	issue := *ireq
	c, _ = pedersen.DecodeCommitment(issue.Commitment)
	issue.Refs = sealedRefsFor(t, c)
	for _, bank := range [][]byte{issue.BankEnvelope, nil} {
		issue.BankEnvelope = bank
		raw, err := protocol.EncodeIssueRequest(&issue)
		if err != nil || raw[0] != protocol.IssueWireV4 {
			t.Fatalf("issue: %v", err)
		}
		got, err := protocol.DecodeIssueRequest(raw)
		if err != nil || !reflect.DeepEqual(got, &issue) {
			t.Fatalf("issue round trip (bank envelope %v): %v", bank != nil, err)
		}
		for i := range len(raw) {
			if _, err := protocol.DecodeIssueRequest(raw[:i]); !errors.Is(err, model.ErrInvalidArgument) {
				t.Fatalf("v4 truncated to %d: %v", i, err)
			}
		}
		noRefs := append(bytes.Clone(raw[:len(raw)-len(issue.Refs)-2]), 0, 0)
		if _, err := protocol.DecodeIssueRequest(noRefs); !errors.Is(err, model.ErrInvalidArgument) {
			t.Fatalf("v4 without references: %v", err)
		}
	}
	if got, err := protocol.DecodeIssueRequest(v3); err != nil || got.Refs != nil {
		t.Fatalf("older issue: %v", err)
	}
	legacy, _ := legacyIssue(t)
	l := *legacy
	l.Refs = issue.Refs
	if _, err := protocol.EncodeIssueRequest(&l); err == nil {
		t.Fatal("a legacy issue with references encoded")
	}
}
