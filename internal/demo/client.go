// Package demo runs TierChain's story over the REST API of a running
// gateway: a core enterprise issues a receivable against confirmed
// invoices, its suppliers split it down three tiers, tier 3 finances its
// piece at a bank, the core pays every holder at maturity, tier 1 asks
// both banks for sealed quotes on a second receivable and takes the better
// (each bank quoting at its own gateway), and the regulator opens and
// reconciles every amount. `tierchain demo` and the
// end-to-end test run the same code.
package demo

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"time"
)

// Client calls the gateway as one enterprise.
type Client struct {
	Base  string // e.g. http://127.0.0.1:8080
	Token string
	HTTP  *http.Client
	// Label names the gateway in the story's output, e.g. "BankB gateway
	// 127.0.0.4:8083" (empty: the story does not say).
	Label string
}

// Problem is an RFC 9457 problem the gateway answered with.
type Problem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Errors []struct {
		Field  string `json:"field"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

func (p *Problem) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d %s: %s", p.Status, p.Code, p.Detail)
	for _, e := range p.Errors {
		fmt.Fprintf(&b, "; %s: %s", e.Field, e.Reason)
	}
	return b.String()
}

func newKey() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Do sends a request (body: nil, []byte with contentType, or a value as
// JSON) and decodes a 2xx JSON answer into out; anything else is a
// *Problem.
func (c *Client) Do(ctx context.Context, method, path string, body any, out any) error {
	return c.do(ctx, method, path, "", body, out)
}

func (c *Client) do(ctx context.Context, method, path, contentType string, body any, out any) error {
	var raw []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		raw = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return err
		}
		raw, contentType = j, "application/json"
	}
	key := newKey()
	for attempt := 1; ; attempt++ {
		err := c.once(ctx, method, path, contentType, raw, key, out)
		var p *Problem
		// 503 says nothing was written (the ledger was unreachable or not
		// ready): retry with the same Idempotency-Key, as a client should.
		if !errors.As(err, &p) || p.Status != http.StatusServiceUnavailable || attempt == 5 {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(attempt) * 500 * time.Millisecond):
		}
	}
}

func (c *Client) once(ctx context.Context, method, path, contentType string, raw []byte, key string, out any) error {
	var r io.Reader
	if raw != nil {
		r = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, r)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	if method != http.MethodGet {
		req.Header.Set("Idempotency-Key", key)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		p := &Problem{Status: resp.StatusCode}
		if json.Unmarshal(data, p) != nil || p.Code == "" {
			p.Code, p.Detail = http.StatusText(resp.StatusCode), string(data)
		}
		return p
	}
	if out != nil {
		if b, ok := out.(*[]byte); ok {
			*b = data
			return nil
		}
		if err := json.Unmarshal(data, out); err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
	}
	return nil
}

// Upload sends an invoice document (JSON or UBL XML) and an optional PDF
// as multipart/form-data.
func (c *Client) Upload(ctx context.Context, doc []byte, docType string, pdf []byte, out any) error {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	part := func(name, filename, ct string, b []byte) error {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, name, filename))
		h.Set("Content-Type", ct)
		w, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	}
	if err := part("document", "invoice", docType, doc); err != nil {
		return err
	}
	if pdf != nil {
		if err := part("pdf", "invoice.pdf", "application/pdf", pdf); err != nil {
			return err
		}
	}
	if err := mw.Close(); err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, "/v1/invoices", mw.FormDataContentType(), buf.Bytes(), out)
}

// DoJSON sends raw bytes as an application/json body, as is.
func (c *Client) DoJSON(ctx context.Context, method, path string, raw []byte, out any) error {
	return c.do(ctx, method, path, "application/json", raw, out)
}
