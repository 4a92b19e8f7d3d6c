package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"reflect"
)

// Decode parses one JSON request strictly into v and validates it: at most
// MaxRequestBytes, no unknown fields, keys exactly as the fields are named
// and none repeated (keys.go), no trailing data, and v.Validate() must
// pass. Every failure is an INVALID_ARGUMENT error.
func Decode[T any, P interface {
	*T
	Validator
}](raw string) (*T, error) {
	if len(raw) > MaxRequestBytes {
		return nil, invalid("request: larger than %d bytes", MaxRequestBytes)
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	v := new(T)
	if err := dec.Decode(v); err != nil {
		return nil, invalid("request: %v", jsonError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, invalid("request: trailing data after the JSON value")
	}
	if err := checkKeys(raw, namesOf(reflect.TypeFor[T]())); err != nil {
		return nil, err
	}
	if err := P(v).Validate(); err != nil {
		return nil, err
	}
	return v, nil
}

// jsonError keeps the decoder's message but drops Go type names, which
// mean nothing to a client.
func jsonError(err error) string {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return "field " + te.Field + ": wrong JSON type " + te.Value
	}
	return err.Error()
}
