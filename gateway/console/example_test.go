package console_test

import (
	"net/http"

	"github.com/tierchain/tierchain/gateway/console"
)

// The gateway mounts the console under /console/, as gateway.Deps.Console
// does; a bare mux does the same with StripPrefix.
func ExampleHandler() {
	api := http.NotFoundHandler() // the gateway's /v1 API
	mux := http.NewServeMux()
	mux.Handle("/console/", http.StripPrefix("/console", console.Handler()))
	mux.Handle("/", api)
	_ = http.ListenAndServe // serve mux on the gateway's address
}
