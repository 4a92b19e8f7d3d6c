package relay

import (
	"fmt"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// The few Fabric messages the relay reads, decoded with protowire instead
// of fabric-protos-go: those packages pull in gRPC, which tripled the
// browser's WebAssembly module. The decoder keeps proto.Unmarshal's
// semantics for these messages (a differential fuzz test holds it to
// fabric-protos-go): every field of every message in the tree is checked
// (lengths, varints, UTF-8 of proto3 strings, nested messages, including
// those the relay never reads), an unknown field or a known field with
// another wire type is skipped as unknown, the last occurrence of a
// scalar wins, and the occurrences of a message field merge.

// kind is how a known field is decoded.
type kind uint8

const (
	kVarint   kind = iota + 1 // int32, int64, uint64, bool, enum
	kBytes                    // bytes
	kString                   // string (proto3: valid UTF-8)
	kMessage                  // a singular embedded message (occurrences merge)
	kRepeated                 // a repeated embedded message (map entries too)
)

type field struct {
	kind kind
	msg  *schema // kMessage, kRepeated
}

// schema is a message type: its known fields by number.
type schema map[protowire.Number]field

// The message types, from fabric-protos (common, msp, peer, gateway).
var (
	timestampSchema  = &schema{1: {kind: kVarint}, 2: {kind: kVarint}}
	chaincodeIDMsg   = &schema{1: {kind: kString}, 2: {kind: kString}, 3: {kind: kString}}
	mapEntrySchema   = &schema{1: {kind: kString}, 2: {kind: kBytes}} // map<string, bytes>
	chaincodeInput   = &schema{1: {kind: kBytes}, 2: {kind: kRepeated, msg: mapEntrySchema}, 3: {kind: kVarint}}
	chaincodeSpec    = &schema{1: {kind: kVarint}, 2: {kind: kMessage, msg: chaincodeIDMsg}, 3: {kind: kMessage, msg: chaincodeInput}, 4: {kind: kVarint}}
	invocationSpec   = &schema{1: {kind: kMessage, msg: chaincodeSpec}}
	proposalPayload  = &schema{1: {kind: kBytes}, 2: {kind: kRepeated, msg: mapEntrySchema}}
	headerExtension  = &schema{2: {kind: kMessage, msg: chaincodeIDMsg}}
	serializedID     = &schema{1: {kind: kString}, 2: {kind: kBytes}}
	signatureHeader  = &schema{1: {kind: kBytes}, 2: {kind: kBytes}}
	channelHeader    = &schema{1: {kind: kVarint}, 2: {kind: kVarint}, 3: {kind: kMessage, msg: timestampSchema}, 4: {kind: kString}, 5: {kind: kString}, 6: {kind: kVarint}, 7: {kind: kBytes}, 8: {kind: kBytes}}
	headerSchema     = &schema{1: {kind: kBytes}, 2: {kind: kBytes}}
	proposalSchema   = &schema{1: {kind: kBytes}, 2: {kind: kBytes}, 3: {kind: kBytes}}
	signedProposal   = &schema{1: {kind: kBytes}, 2: {kind: kBytes}}
	proposedTx       = &schema{1: {kind: kString}, 2: {kind: kMessage, msg: signedProposal}, 3: {kind: kString}}
	envelopeSchema   = &schema{1: {kind: kBytes}, 2: {kind: kBytes}}
	preparedTx       = &schema{1: {kind: kString}, 2: {kind: kMessage, msg: envelopeSchema}}
	payloadSchema    = &schema{1: {kind: kMessage, msg: headerSchema}, 2: {kind: kBytes}}
	txAction         = &schema{1: {kind: kBytes}, 2: {kind: kBytes}}
	transactionMsg   = &schema{1: {kind: kRepeated, msg: txAction}}
	endorsementMsg   = &schema{1: {kind: kBytes}, 2: {kind: kBytes}}
	endorsedAction   = &schema{1: {kind: kBytes}, 2: {kind: kRepeated, msg: endorsementMsg}}
	actionPayload    = &schema{1: {kind: kBytes}, 2: {kind: kMessage, msg: endorsedAction}}
	responsePayload  = &schema{1: {kind: kBytes}, 2: {kind: kBytes}}
	responseSchema   = &schema{1: {kind: kVarint}, 2: {kind: kString}, 3: {kind: kBytes}}
	chaincodeAction  = &schema{1: {kind: kBytes}, 2: {kind: kBytes}, 3: {kind: kMessage, msg: responseSchema}, 4: {kind: kMessage, msg: chaincodeIDMsg}}
	emptyMessageView = &view{}
)

// view is a decoded message: the last value of each scalar field, the
// merged occurrences of each message field, every element of each
// repeated one.
type view struct {
	scalars  map[protowire.Number]scalar
	messages map[protowire.Number]*view
	repeated map[protowire.Number][]*view
	// bytesList keeps every occurrence of a bytes field (repeated bytes).
	bytesList map[protowire.Number][][]byte
}

type scalar struct {
	u uint64
	b []byte
}

// decode parses the occurrences of one message of type s, merged, as
// proto.Unmarshal would; what names it in the error.
func decode(s *schema, what string, occurrences ...[]byte) (*view, error) {
	v := &view{}
	var nested map[protowire.Number][][]byte
	for _, b := range occurrences {
		for len(b) > 0 {
			num, typ, n := protowire.ConsumeTag(b)
			if n < 0 {
				return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, protowire.ParseError(n))
			}
			if num > protowire.MaxValidNumber {
				return nil, fmt.Errorf("%w: %s: field number %d", ErrMalformed, what, num)
			}
			b = b[n:]
			f, known := (*s)[num]
			switch {
			case known && f.kind == kVarint && typ == protowire.VarintType:
				x, m := protowire.ConsumeVarint(b)
				if m < 0 {
					return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, protowire.ParseError(m))
				}
				v.setScalar(num, scalar{u: x})
				b = b[m:]
			case known && f.kind != kVarint && typ == protowire.BytesType:
				x, m := protowire.ConsumeBytes(b)
				if m < 0 {
					return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, protowire.ParseError(m))
				}
				b = b[m:]
				switch f.kind {
				case kString:
					if !utf8.Valid(x) {
						return nil, fmt.Errorf("%w: %s: field %d is not UTF-8", ErrMalformed, what, num)
					}
					v.setScalar(num, scalar{b: x})
				case kBytes:
					v.setScalar(num, scalar{b: x})
					if v.bytesList == nil {
						v.bytesList = map[protowire.Number][][]byte{}
					}
					v.bytesList[num] = append(v.bytesList[num], x)
				case kMessage:
					if nested == nil {
						nested = map[protowire.Number][][]byte{}
					}
					nested[num] = append(nested[num], x)
				case kRepeated:
					e, err := decode(f.msg, what, x)
					if err != nil {
						return nil, err
					}
					if v.repeated == nil {
						v.repeated = map[protowire.Number][]*view{}
					}
					v.repeated[num] = append(v.repeated[num], e)
				}
			default: // unknown, or another wire type: skipped as unknown
				m := protowire.ConsumeFieldValue(num, typ, b)
				if m < 0 {
					return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, protowire.ParseError(m))
				}
				b = b[m:]
			}
		}
	}
	for num, occ := range nested {
		m, err := decode((*s)[num].msg, what, occ...)
		if err != nil {
			return nil, err
		}
		if v.messages == nil {
			v.messages = map[protowire.Number]*view{}
		}
		v.messages[num] = m
	}
	return v, nil
}

func (v *view) setScalar(num protowire.Number, x scalar) {
	if v.scalars == nil {
		v.scalars = map[protowire.Number]scalar{}
	}
	v.scalars[num] = x
}

// Bytes, Str, Uint, Msg, Has, List and All read a decoded message; on a
// missing field they return the zero value (an empty message for Msg),
// like fabric-protos-go's getters.
func (v *view) Bytes(num protowire.Number) []byte { return v.scalars[num].b }
func (v *view) Str(num protowire.Number) string   { return string(v.scalars[num].b) }
func (v *view) Uint(num protowire.Number) uint64  { return v.scalars[num].u }
func (v *view) Has(num protowire.Number) bool     { _, ok := v.messages[num]; return ok }
func (v *view) Msg(num protowire.Number) *view {
	if m, ok := v.messages[num]; ok {
		return m
	}
	return emptyMessageView
}
func (v *view) List(num protowire.Number) [][]byte { return v.bytesList[num] }
func (v *view) All(num protowire.Number) []*view   { return v.repeated[num] }
