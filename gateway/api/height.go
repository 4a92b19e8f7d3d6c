package api

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/tierchain/tierchain/gateway"
	"github.com/tierchain/tierchain/internal/problem"
)

// LedgerHeight is where the gateway's one reader of the chain stands
// (services/ledgerstream): the last event its read model holds and its
// event feed has delivered, one position for both.
type LedgerHeight struct {
	Block uint64 `json:"block"` // 0 before the first event
	TxID  string `json:"txId"`  // "" before the first event
	// Following is whether the stream is open right now (/readyz's
	// "indexer" check fails while it is not).
	Following bool `json:"following"`
}

var errNoIndex = problem.New(http.StatusServiceUnavailable, problem.CodeUnavailable, "this gateway keeps no read model of the ledger")

func (a *API) registerHeight(r *gateway.Routes) {
	r.GET("/height", a.height)
}

// height: GET /v1/height, any role.
func (a *API) height(c *gin.Context) error {
	if a.d.Index == nil {
		return errNoIndex
	}
	cp, err := a.d.Index.Checkpoint(c.Request.Context())
	if err != nil {
		return err
	}
	c.JSON(http.StatusOK, LedgerHeight{Block: cp.Block, TxID: cp.TxID, Following: a.d.Index.Connected()})
	return nil
}
