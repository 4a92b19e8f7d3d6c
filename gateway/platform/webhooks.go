package platform

import (
	"context"
	"encoding/json"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
)

// Webhook delivery: a pass over the outbox every webhookPass; the
// maturity sweep (financed pieces due within maturityHorizon) at start and
// every maturitySweep.
const (
	webhookPass     = time.Second
	maturitySweep   = 24 * time.Hour
	maturityHorizon = 72 * time.Hour
)

// sweepMaturities queues the "maturity due" notifications of the hosted
// enterprises that subscribed, until ctx ends.
func (p *Platform) sweepMaturities(ctx context.Context) {
	t := time.NewTicker(maturitySweep)
	defer t.Stop()
	for {
		if _, err := p.hooks.SweepMaturities(ctx, p.holdings, maturityHorizon); err != nil && ctx.Err() == nil {
			p.log.Warn("webhook maturity sweep", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// holdings lists the tokens an enterprise this gateway hosts holds, read
// from the ledger with its own identity.
func (p *Platform) holdings(ctx context.Context, holder string) ([]model.TokenView, error) {
	cl, err := p.Directory.Client(ctx, holder)
	if err != nil {
		return nil, err
	}
	var out []model.TokenView
	req := model.PageRequest{Owner: holder, PageSize: model.MaxPageSize}
	for range maxHoldingPages {
		arg, err := json.Marshal(req)
		if err != nil {
			return nil, err
		}
		b, err := cl.Evaluate(ctx, "tierchain", "TokensByHolder", string(arg))
		if err != nil {
			return nil, err
		}
		var pg model.Page[model.TokenView]
		if err := json.Unmarshal(b, &pg); err != nil {
			return nil, err
		}
		out = append(out, pg.Items...)
		if pg.Bookmark == "" || len(pg.Items) == 0 {
			return out, nil
		}
		req.Bookmark = pg.Bookmark
	}
	return out, nil
}

// maxHoldingPages bounds one holder's listing (MaxPageSize tokens a page).
const maxHoldingPages = 1000
