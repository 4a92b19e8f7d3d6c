// Package problem is the RFC 9457 "problem details" document that every
// TierChain HTTP error is rendered as (media type application/problem+json).
//
// A Problem is also an error, so a handler may return one directly when it
// knows the exact HTTP outcome; the gateway's renderer fills in Instance and
// RequestID and writes it.
package problem

import (
	"encoding/json"
	"net/http"
	"strings"
)

// MediaType is the content type of a rendered Problem.
const MediaType = "application/problem+json"

// TypePrefix starts the type URI of every TierChain problem: the code in
// lower case with '-' for '_' follows ("urn:tierchain:problem:not-found").
// URNs are not dereferenceable on purpose; docs/gateway.md describes each.
const TypePrefix = "urn:tierchain:problem:"

// Problem is an RFC 9457 problem details object with TierChain's extension
// members code, requestId and errors. The JSON field names are part of the
// public API (docs/api/openapi.yaml, schema Problem).
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Instance  string       `json:"instance,omitempty"`
	Code      string       `json:"code"`
	RequestID string       `json:"requestId,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`

	// Header holds response headers to set with the problem (Retry-After,
	// WWW-Authenticate, Allow). It is not part of the body.
	Header http.Header `json:"-"`
}

// FieldError names one invalid input: Field is a JSON pointer-like path
// ("amount", "lines[2].price") or a header or query parameter name.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// New returns a problem with the given status and stable code; Title is the
// status text and Type is derived from code.
func New(status int, code, detail string) *Problem {
	return &Problem{
		Type:   TypeURI(code),
		Title:  http.StatusText(status),
		Status: status,
		Detail: detail,
		Code:   code,
	}
}

// TypeURI is the type URI for code.
func TypeURI(code string) string {
	return TypePrefix + strings.ReplaceAll(strings.ToLower(code), "_", "-")
}

// WithErrors returns p with field errors appended.
func (p *Problem) WithErrors(errs ...FieldError) *Problem {
	p.Errors = append(p.Errors, errs...)
	return p
}

// WithHeader returns p with a response header set.
func (p *Problem) WithHeader(key, value string) *Problem {
	if p.Header == nil {
		p.Header = make(http.Header)
	}
	p.Header.Set(key, value)
	return p
}

// Error makes a Problem usable as a handler's error. It reads like a log
// line, not like the body.
func (p *Problem) Error() string {
	s := p.Code
	if p.Detail != "" {
		s += ": " + p.Detail
	}
	return s
}

// Write writes p as the response: its headers, the status and the JSON body.
func Write(w http.ResponseWriter, p *Problem) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	h := w.Header()
	for k, v := range p.Header {
		h[k] = v
	}
	h.Set("Content-Type", MediaType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Del("Content-Length")
	w.WriteHeader(p.Status)
	_, err = w.Write(body)
	return err
}
