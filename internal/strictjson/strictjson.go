// Package strictjson is the one JSON decoder for untrusted bodies: the
// gateway's request bodies and the invoice service's JSON documents.
//
// encoding/json alone is lax where it matters for a ledger: it turns
// invalid UTF-8 into U+FFFD and lets a duplicated key (or one that differs
// only in case, since it matches struct fields case-insensitively) silently
// override the first. Then the stored document says one thing and what was
// decoded from it another. Decode refuses both, and also unknown fields and
// anything after the one JSON value.
//
// The project's own file formats (definitions, descriptions, cards) are
// read with Decode and written with MarshalDocument.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	// ErrInvalidUTF8 reports input that is not valid UTF-8.
	ErrInvalidUTF8 = errors.New("strictjson: invalid UTF-8")
	// ErrDuplicateKey reports an object with the same key twice, compared
	// as encoding/json matches struct fields (Unicode simple case folding).
	ErrDuplicateKey = errors.New("strictjson: duplicated key")
	// ErrUnknownField reports a key that names no field of the target.
	ErrUnknownField = errors.New("strictjson: unknown field")
	// ErrTrailingData reports data after the JSON value.
	ErrTrailingData = errors.New("strictjson: data after the JSON value")
	// ErrTooDeep reports objects and arrays nested deeper than MaxDepth.
	ErrTooDeep = errors.New("strictjson: nested too deeply")
)

// MaxDepth bounds the nesting of objects and arrays: encoding/json's own
// limit, enforced here before it is reached so that the scan stays linear.
const MaxDepth = 10000

// KeyError names the object key a duplicated-key or unknown-field error is
// about. Path is "a.b[2].c" for a duplicate (the whole path) and the key
// itself for an unknown field (encoding/json names no more). It unwraps to
// ErrDuplicateKey or ErrUnknownField.
type KeyError struct {
	Path string
	Err  error
}

func (e *KeyError) Error() string { return e.Err.Error() + " " + strconv.Quote(e.Path) }
func (e *KeyError) Unwrap() error { return e.Err }

// Decode decodes data, which must be exactly one JSON value (surrounding
// white space allowed), into v with no unknown fields. Errors wrap
// ErrInvalidUTF8 or ErrTrailingData, are a *KeyError, or are encoding/json's
// own (*json.SyntaxError, *json.UnmarshalTypeError, io.EOF for empty input,
// io.ErrUnexpectedEOF for a truncated one). On error v may be partly filled.
func Decode(data []byte, v any) error {
	if !utf8.Valid(data) {
		return ErrInvalidUTF8
	}
	if err := scan(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			if uq, qerr := strconv.Unquote(name); qerr == nil {
				name = uq
			}
			return &KeyError{Path: name, Err: ErrUnknownField}
		}
		return err
	}
	return nil
}

// frame is one open object or array while scanning. Paths are built only
// for an error, from the stack: building each frame's path as it opens
// would cost the square of the nesting depth.
type frame struct {
	keys  map[string]struct{} // objects: the folded keys seen; nil for arrays
	key   string              // objects: the last key read
	inKey bool                // objects: the next token is a key or '}'
	index int                 // arrays: the element last begun, -1 before the first
}

// path is the JSON path of a key of the innermost object.
func path(stack []*frame, key string) string {
	var b strings.Builder
	for _, f := range stack[:len(stack)-1] { // each outer frame is inside one of its values
		if f.keys != nil {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(f.key)
		} else {
			b.WriteString("[" + strconv.Itoa(f.index) + "]")
		}
	}
	if b.Len() > 0 {
		b.WriteByte('.')
	}
	b.WriteString(key)
	return b.String()
}

// scan walks data's tokens once: syntax, exactly one value, nesting at
// most MaxDepth, and no object with a key twice. Memory and time are
// linear in len(data).
func scan(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // no float parsing: only the structure matters here
	var stack []*frame
	started := false
	for {
		tok, err := dec.Token()
		if err == io.EOF && len(stack) == 0 && started {
			return nil
		}
		if err == io.EOF && started {
			return io.ErrUnexpectedEOF
		}
		if err != nil {
			return err
		}
		if started && len(stack) == 0 {
			return ErrTrailingData
		}
		started = true
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			continue
		}
		if len(stack) > 0 {
			top := stack[len(stack)-1]
			switch {
			case top.keys != nil && top.inKey:
				key, _ := tok.(string) // the decoder guarantees a string here
				folded := fold(key)
				if _, dup := top.keys[folded]; dup {
					return &KeyError{Path: path(stack, key), Err: ErrDuplicateKey}
				}
				top.keys[folded] = struct{}{}
				top.key, top.inKey = key, false
				continue
			case top.keys != nil:
				top.inKey = true // after this value: a key or '}'
			default:
				top.index++
			}
		}
		switch tok {
		case json.Delim('{'):
			if len(stack) >= MaxDepth {
				return ErrTooDeep
			}
			stack = append(stack, &frame{keys: map[string]struct{}{}, inKey: true})
		case json.Delim('['):
			if len(stack) >= MaxDepth {
				return ErrTooDeep
			}
			stack = append(stack, &frame{index: -1})
		}
	}
}

// fold maps s to one representative of its case-folding class, so that
// fold(a) == fold(b) exactly when strings.EqualFold(a, b): each rune
// becomes the smallest rune of its unicode.SimpleFold orbit.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		least := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			least = min(least, f)
		}
		b.WriteRune(least)
	}
	return b.String()
}
