// Package strictjson is the one JSON decoder for untrusted bodies: the
// gateway's request bodies and the invoice service's JSON documents.
//
// encoding/json alone is lax where it matters for a ledger: it turns
// invalid UTF-8 into U+FFFD and lets a duplicated key (or one that differs
// only in case, since it matches struct fields case-insensitively) silently
// override the first. Then the stored document says one thing and what was
// decoded from it another. Decode refuses both, and also unknown fields and
// anything after the one JSON value.
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
)

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

// frame is one open object or array while scanning.
type frame struct {
	path   string
	object bool
	keys   map[string]struct{} // folded keys seen (objects)
	index  int                 // next element (arrays)
	key    string              // the key whose value comes next (objects)
	inKey  bool                // objects: the next string token is a key
}

// scan walks data's tokens once: syntax, exactly one value, and no object
// with a key twice. The stack grows with the nesting, which encoding/json
// bounds, so memory is linear in len(data).
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
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.inKey {
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				continue
			}
			key, _ := tok.(string) // the decoder guarantees a string here
			folded := fold(key)
			if _, dup := top.keys[folded]; dup {
				return &KeyError{Path: join(top.path, key), Err: ErrDuplicateKey}
			}
			top.keys[folded] = struct{}{}
			top.key, top.inKey = key, false
			continue
		}
		// A value: in an object after its key, in an array, or the root.
		path := ""
		if top != nil {
			if top.object {
				path, top.inKey = join(top.path, top.key), true
			} else {
				if d, ok := tok.(json.Delim); ok && d == ']' {
					stack = stack[:len(stack)-1]
					continue
				}
				path = top.path + "[" + strconv.Itoa(top.index) + "]"
				top.index++
			}
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{path: path, object: true, keys: map[string]struct{}{}, inKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{path: path})
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
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
