//go:build js && wasm

// Command tierwallet-wasm is the self-custody wallet for the browser,
// compiled from the project's own code: build it with GOOS=js GOARCH=wasm
// and load it with Go's wasm_exec.js. Every function is on the global
// object, takes strings and numbers, and returns a Promise of a JSON
// string (rejected with the error's text):
//
//	tierchainCreate(id, gateway, passphrase, name, legalId) → {sealed, request}
//	tierchainAccept(sealed, passphrase, answer)             → {sealed}
//	tierchainUnlock(sealed, passphrase)                     → {enterprise}
//	tierchainSync()                                         → [holding]
//	tierchainSplit(tokenId, to, minor)                      → [token]
//	tierchainFinance(tokenId, bank)                         → token
//	tierchainLock()                                         → {}
//	tierchainBenchSplit(n)                                  → {runsMs, public, request, signature}
//
// `sealed` is the key file (internal/keyseal), the same bytes the CLI's
// `tierchain wallet` keeps: the page stores it in IndexedDB. The unsealed
// keys and the openings live only in this module's memory.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"syscall/js"
	"time"

	"github.com/tierchain/tierchain/internal/browserwallet"
	"github.com/tierchain/tierchain/internal/keyseal"
	"github.com/tierchain/tierchain/internal/relay"
)

var wallet *browserwallet.Wallet

// promise runs f on its own goroutine (a fetch must not block the event
// loop) and settles a Promise with its JSON result.
func promise(f func(args []js.Value) (any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) any {
		handler := js.FuncOf(func(_ js.Value, pr []js.Value) any {
			resolve, reject := pr[0], pr[1]
			go func() {
				out, err := f(args)
				if err == nil {
					var raw []byte
					if raw, err = json.Marshal(out); err == nil {
						resolve.Invoke(string(raw))
						return
					}
				}
				reject.Invoke(js.Global().Get("Error").New(err.Error()))
			}()
			return nil
		})
		return js.Global().Get("Promise").New(handler)
	})
}

func arg(args []js.Value, i int) string {
	if i < len(args) && args[i].Type() == js.TypeString {
		return args[i].String()
	}
	return ""
}

func ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 2*time.Minute)
}

func create(args []js.Value) (any, error) {
	id, gateway, pass, name, legal := arg(args, 0), arg(args, 1), arg(args, 2), arg(args, 3), arg(args, 4)
	k, err := keyseal.NewKeys(id, gateway)
	if err != nil {
		return nil, err
	}
	sealed, err := keyseal.Seal(pass, k, keyseal.DefaultKDF)
	if err != nil {
		return nil, err
	}
	req, err := relay.NewOnboardRequest(id, name, legal, k.Signing, k.Encryption.Public().Bytes())
	if err != nil {
		return nil, err
	}
	return map[string]any{"sealed": string(sealed), "request": req}, nil
}

func accept(args []js.Value) (any, error) {
	k, err := keyseal.Open([]byte(arg(args, 0)), arg(args, 1))
	if err != nil {
		return nil, err
	}
	var answer struct {
		MSPID       string `json:"mspId"`
		Certificate string `json:"certificate"`
		APIToken    string `json:"apiToken"`
	}
	if err := json.Unmarshal([]byte(arg(args, 2)), &answer); err != nil {
		return nil, err
	}
	if k, err = keyseal.WithIdentity(k, answer.MSPID, []byte(answer.Certificate), answer.APIToken); err != nil {
		return nil, err
	}
	sealed, err := keyseal.Seal(arg(args, 1), k, keyseal.DefaultKDF)
	if err != nil {
		return nil, err
	}
	return map[string]any{"sealed": string(sealed)}, nil
}

func unlock(args []js.Value) (any, error) {
	k, err := keyseal.Open([]byte(arg(args, 0)), arg(args, 1))
	if err != nil {
		return nil, err
	}
	wallet = browserwallet.New(k, nil)
	return map[string]any{"enterprise": k.EnterpriseID, "onboarded": len(k.CertPEM) > 0}, nil
}

func unlocked() (*browserwallet.Wallet, error) {
	if wallet == nil {
		return nil, errors.New("the wallet is locked: unlock it with its passphrase")
	}
	return wallet, nil
}

func main() {
	g := js.Global()
	g.Set("tierchainCreate", promise(create))
	g.Set("tierchainAccept", promise(accept))
	g.Set("tierchainUnlock", promise(unlock))
	g.Set("tierchainLock", promise(func([]js.Value) (any, error) { wallet = nil; return map[string]any{}, nil }))
	g.Set("tierchainSync", promise(func([]js.Value) (any, error) {
		w, err := unlocked()
		if err != nil {
			return nil, err
		}
		c, cancel := ctx()
		defer cancel()
		return w.Sync(c)
	}))
	g.Set("tierchainSplit", promise(func(args []js.Value) (any, error) {
		w, err := unlocked()
		if err != nil {
			return nil, err
		}
		if len(args) < 3 || args[2].Type() != js.TypeNumber {
			return nil, errors.New("tierchainSplit(tokenId, to, minor)")
		}
		c, cancel := ctx()
		defer cancel()
		return w.Split(c, arg(args, 0), arg(args, 1), uint64(args[2].Float()))
	}))
	g.Set("tierchainFinance", promise(func(args []js.Value) (any, error) {
		w, err := unlocked()
		if err != nil {
			return nil, err
		}
		c, cancel := ctx()
		defer cancel()
		return w.RequestFinancing(c, arg(args, 0), arg(args, 1))
	}))
	g.Set("tierchainBenchSplit", js.FuncOf(benchSplit))
	g.Set("tierchainReady", true)
	select {}
}
