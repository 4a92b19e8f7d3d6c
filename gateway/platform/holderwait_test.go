package platform_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/tierchain/tierchain/gateway/platform/platformtest"
	"github.com/tierchain/tierchain/internal/demo"
)

// BenchmarkHolderWait measures the holder's wait through the five
// gateways: from its first request to the moment its own gateway shows the
// piece FINANCED (the bank approved and paid the advance), with each
// bank's system answering as soon as its own gateway lets it (retrying
// while its peer has not seen the request yet). Three flows in the same
// run, each on a fresh 1 000,00 piece tier 2 was paid by tier 1 (made
// with the timer stopped):
//
//   - request-approve: the first round's flow, a request at one bank
//     (no terms), approved;
//   - terms-approve: a request with terms at one bank (advance proven),
//     approved;
//   - rfq-2banks: a request for quotes to both banks, each bank quotes at
//     its own gateway, the holder opens both and accepts the larger
//     advance, the winner approves.
//
// go test -run XXX -bench HolderWait -benchtime 10x ./gateway/platform/
func BenchmarkHolderWait(b *testing.B) {
	c := platformtest.Start(b)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	res, err := demo.Run(ctx, demo.Config{Base: c.Router, Tokens: c.Tokens(), Maturity: 90 * 24 * time.Hour,
		Suffix: fmt.Sprintf("-w%d", time.Now().Unix()%100000), StopBefore: "finance"})
	if err != nil {
		b.Fatal(err)
	}
	w := &waiter{
		tier1: &demo.Client{Base: c.Router, Token: res.SupplierTokens[0]},
		tier2: &demo.Client{Base: c.Router, Token: res.SupplierTokens[1]},
		banks: map[string]*demo.Client{
			"bankA": {Base: c.Router, Token: c.Token("bankA")},
			"bankB": {Base: c.Router, Token: c.Token("bankB")},
		},
		source: res.Held[0].ID, // tier 1's 600 000,00
		to:     res.Suppliers[1],
	}
	for _, flow := range []struct {
		name string
		run  func(context.Context, string) error
	}{
		{"request-approve", w.requestApprove},
		{"terms-approve", w.termsApprove},
		{"rfq-2banks", w.rfq},
	} {
		b.Run(flow.name, func(b *testing.B) {
			waits := make([]time.Duration, 0, b.N)
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				piece, err := w.piece(ctx)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				if err := flow.run(ctx, piece); err != nil {
					b.Fatal(err)
				}
				waits = append(waits, time.Since(start))
			}
			slices.Sort(waits)
			b.ReportMetric(float64(waits[len(waits)/2].Milliseconds()), "p50-ms")
			b.ReportMetric(float64(waits[len(waits)-1].Milliseconds()), "max-ms")
		})
	}
}

// waiter plays the holder (tier 2) and the banks' systems.
type waiter struct {
	tier1, tier2 *demo.Client
	banks        map[string]*demo.Client
	source, to   string
}

type piece struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}

// piece has tier 1 pay tier 2 1 000,00 off its change; tier 2 accepts it.
func (w *waiter) piece(ctx context.Context) (string, error) {
	var out struct {
		Tokens []piece `json:"tokens"`
	}
	if err := w.tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+w.source+"/split", map[string]any{
		"outputs": []map[string]string{{"to": w.to, "amount": "1000.00"}}}, &out); err != nil {
		return "", err
	}
	if len(out.Tokens) != 2 {
		return "", fmt.Errorf("split gave %d tokens", len(out.Tokens))
	}
	w.source = out.Tokens[1].ID
	id := out.Tokens[0].ID
	return id, retry(ctx, func() error { return w.tier2.Do(ctx, http.MethodPost, "/v1/tokens/"+id+"/accept", nil, nil) })
}

// retry runs f until it succeeds or fails with something other than a
// gateway that has not seen the block yet (404, 409).
func retry(ctx context.Context, f func() error) error {
	for {
		err := f()
		var p *demo.Problem
		if err == nil || !errors.As(err, &p) || (p.Status != http.StatusNotFound && p.Status != http.StatusConflict) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// approve is the bank's system approving as soon as its gateway sees the
// request; financed waits until the holder's own gateway shows the piece
// FINANCED.
func (w *waiter) approve(ctx context.Context, bank, id string) error {
	h := sha256.Sum256([]byte("agreement " + id))
	if err := retry(ctx, func() error {
		return w.banks[bank].Do(ctx, http.MethodPost, "/v1/tokens/"+id+"/financing/approve", map[string]string{
			"disbursementRef": "W-" + id[:8], "agreementHash": hex.EncodeToString(h[:])}, nil)
	}); err != nil {
		return err
	}
	for {
		var t piece
		if err := w.tier2.Do(ctx, http.MethodGet, "/v1/tokens/"+id, nil, &t); err != nil {
			return err
		}
		if t.Status == "FINANCED" {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (w *waiter) requestApprove(ctx context.Context, id string) error {
	if err := w.tier2.Do(ctx, http.MethodPost, "/v1/tokens/"+id+"/financing", map[string]string{"bank": "bankB"}, nil); err != nil {
		return err
	}
	return w.approve(ctx, "bankB", id)
}

func terms(recourse bool, rate int) map[string]any {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	return map[string]any{"advanceRateBp": rate, "discountRateBp": 500, "dayCount": "ACT/360", "penaltyRateBp": 1200,
		"recourse": recourse, "valueDate": today, "expiry": time.Now().Add(time.Hour).UTC().Truncate(time.Second)}
}

func (w *waiter) termsApprove(ctx context.Context, id string) error {
	if err := w.tier2.Do(ctx, http.MethodPost, "/v1/tokens/"+id+"/financing/terms", map[string]any{
		"bank": "bankB", "terms": terms(true, 9000), "fee": "1.50"}, nil); err != nil {
		return err
	}
	return w.approve(ctx, "bankB", id)
}

type quote struct {
	ID      string `json:"id"`
	Bank    string `json:"bank"`
	Valid   bool   `json:"valid"`
	Advance *struct {
		Advance demo.Money `json:"advance"`
	} `json:"advance"`
}

func (w *waiter) rfq(ctx context.Context, id string) error {
	var rfq struct {
		ID     string  `json:"id"`
		Quotes []quote `json:"quotes"`
	}
	if err := w.tier2.Do(ctx, http.MethodPost, "/v1/tokens/"+id+"/rfq", map[string]any{
		"banks": []string{"bankA", "bankB"}, "expiry": time.Now().Add(time.Hour).UTC().Truncate(time.Second)}, &rfq); err != nil {
		return err
	}
	// Each bank's system quotes at its own gateway, at the same time.
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, bank := range []string{"bankA", "bankB"} {
		wg.Go(func() {
			errs[i] = retry(ctx, func() error {
				return w.banks[bank].Do(ctx, http.MethodPost, "/v1/rfqs/"+rfq.ID+"/quotes", map[string]any{
					"terms": terms(bank == "bankA", 9000-100*i), "fee": "1.00"}, nil)
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	// The holder reads both quotes at its gateway and takes the larger advance.
	for len(rfq.Quotes) < 2 {
		if err := w.tier2.Do(ctx, http.MethodGet, "/v1/rfqs/"+rfq.ID, nil, &rfq); err != nil {
			return err
		}
		if len(rfq.Quotes) < 2 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	var best *quote
	for i := range rfq.Quotes {
		q := &rfq.Quotes[i]
		if q.Valid && q.Advance != nil && (best == nil || q.Advance.Advance.Minor > best.Advance.Advance.Minor) {
			best = q
		}
	}
	if best == nil {
		return fmt.Errorf("no valid quote on %s", rfq.ID)
	}
	if err := w.tier2.Do(ctx, http.MethodPost, "/v1/quotes/"+best.ID+"/accept", nil, nil); err != nil {
		return err
	}
	return w.approve(ctx, best.Bank, id)
}
