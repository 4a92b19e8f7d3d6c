//go:build js && wasm

package main

import (
	"encoding/json"
	"syscall/js"
	"time"

	"github.com/tierchain/tierchain/internal/browserwallet"
)

type benchResult struct {
	RunsMs    []float64                 `json:"runsMs"`
	Public    browserwallet.BenchPublic `json:"public"`
	Request   []byte                    `json:"request"`
	Signature []byte                    `json:"signature"`
	Error     string                    `json:"error,omitempty"`
}

func benchSplit(_ js.Value, args []js.Value) any {
	n := 1
	if len(args) > 0 && args[0].Type() == js.TypeNumber {
		n = min(max(args[0].Int(), 1), 50)
	}
	var out benchResult
	b, err := browserwallet.NewSplitBench()
	if err == nil {
		out.Public, err = b.Public()
	}
	for i := 0; i < n && err == nil; i++ {
		start := time.Now()
		req, sig, rerr := b.Run()
		out.RunsMs = append(out.RunsMs, float64(time.Since(start).Microseconds())/1000)
		if err = rerr; err == nil {
			out.Request, err = json.Marshal(req)
			out.Signature = sig
		}
	}
	if err != nil {
		out.Error = err.Error()
	}
	raw, _ := json.Marshal(out)
	return string(raw)
}
