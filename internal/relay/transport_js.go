//go:build js && wasm

package relay

import (
	"context"
	"errors"
	"fmt"
	"syscall/js"
)

// In the browser the relay's requests go through fetch: net/http would
// add its whole HTTP stack to the module for the same call.
var defaultTransport Transport = FetchTransport{}

// FetchTransport sends the relay's requests with the browser's fetch;
// cancelling the context aborts the request.
type FetchTransport struct{}

func (FetchTransport) RoundTrip(ctx context.Context, r Request) (int, []byte, error) {
	if err := ctx.Err(); err != nil {
		return 0, nil, err
	}
	abort := js.Global().Get("AbortController").New()
	stop := context.AfterFunc(ctx, func() { abort.Call("abort") })
	defer stop()
	headers := js.Global().Get("Object").New()
	for k, v := range r.Header {
		headers.Set(k, v)
	}
	init := js.Global().Get("Object").New()
	init.Set("method", r.Method)
	init.Set("headers", headers)
	init.Set("signal", abort.Get("signal"))
	init.Set("cache", "no-store")
	if r.Method != "GET" && r.Method != "HEAD" {
		body := js.Global().Get("Uint8Array").New(len(r.Body))
		js.CopyBytesToJS(body, r.Body)
		init.Set("body", body)
	}
	resp, err := await(ctx, js.Global().Call("fetch", r.URL, init))
	if err != nil {
		return 0, nil, err
	}
	buf, err := await(ctx, resp.Call("arrayBuffer"))
	if err != nil {
		return 0, nil, err
	}
	if n := buf.Get("byteLength").Int(); n > maxAnswer {
		return 0, nil, fmt.Errorf("relay: answer of %d bytes", n)
	}
	b := make([]byte, buf.Get("byteLength").Int())
	js.CopyBytesToGo(b, js.Global().Get("Uint8Array").New(buf))
	return resp.Get("status").Int(), b, nil
}

// await waits for a Promise (the caller runs on its own goroutine, never
// the event loop's).
func await(ctx context.Context, p js.Value) (js.Value, error) {
	done := make(chan js.Value, 1)
	failed := make(chan js.Value, 1)
	onDone := js.FuncOf(func(_ js.Value, a []js.Value) any { done <- a[0]; return nil })
	onFail := js.FuncOf(func(_ js.Value, a []js.Value) any { failed <- a[0]; return nil })
	defer onDone.Release()
	defer onFail.Release()
	p.Call("then", onDone, onFail)
	select {
	case v := <-done:
		return v, nil
	case e := <-failed:
		if err := ctx.Err(); err != nil {
			return js.Undefined(), err
		}
		return js.Undefined(), errors.New("relay: fetch: " + e.Call("toString").String())
	}
}
