//go:build !(js && wasm)

package relay

import (
	"bytes"
	"context"
	"io"
	"net/http"
)

// HTTPTransport sends the relay's requests with hc (nil:
// http.DefaultClient).
func HTTPTransport(hc *http.Client) Transport { return httpTransport{hc} }

var defaultTransport = HTTPTransport(nil)

type httpTransport struct{ hc *http.Client }

func (t httpTransport) RoundTrip(ctx context.Context, r Request) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, r.URL, bytes.NewReader(r.Body))
	if err != nil {
		return 0, nil, err
	}
	for k, v := range r.Header {
		req.Header.Set(k, v)
	}
	hc := t.hc
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if err != nil {
		return 0, nil, err
	}
	return resp.StatusCode, b, nil
}
