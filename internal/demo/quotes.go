package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"time"
)

// QuotesAmount is the second receivable the request for quotes is about,
// in QuotesCurrency (USD, beside the first receivable's CNY); it stays
// outstanding (it matures in QuotesTenor), so each full run of the story
// uses this much more of carmaker's USD line at Bank A.
const (
	QuotesAmount = "120000.00"
	QuotesTenor  = 90 * 24 * time.Hour
)

// quoteView is the part of the API's QuoteView the story reads.
type quoteView struct {
	ID      string `json:"id"`
	Bank    string `json:"bank"`
	Status  string `json:"status"`
	Valid   bool   `json:"valid"`
	Problem string `json:"problem"`
	Advance *struct {
		Advance  Money `json:"advance"`
		Discount Money `json:"discount"`
		Fee      Money `json:"fee"`
		Days     int   `json:"days"`
	} `json:"advance"`
}

type rfqView struct {
	ID     string      `json:"id"`
	Status string      `json:"status"`
	Face   *Money      `json:"face"`
	Quotes []quoteView `json:"quotes"`
}

// bankTerms are the terms each bank quotes: Bank A advances more at a
// higher rate with recourse; Bank B less, without recourse (factoring).
func bankTerms(bank string, expiry time.Time) (map[string]any, string) {
	today := time.Now().UTC().Truncate(24 * time.Hour)
	if bank == "bankA" {
		return map[string]any{"advanceRateBp": 9000, "discountRateBp": 500, "dayCount": "ACT/360", "penaltyRateBp": 1200,
			"recourse": true, "valueDate": today, "expiry": expiry}, "150.00"
	}
	return map[string]any{"advanceRateBp": 8800, "discountRateBp": 420, "dayCount": "ACT/365", "penaltyRateBp": 1000,
		"recourse": false, "valueDate": today, "expiry": expiry}, "100.00"
}

// quotes: the core issues tier 1 a second receivable (against a third
// invoice, maturing in QuotesTenor); tier 1 asks Bank A and Bank B for
// quotes at once; each bank quotes at its own gateway, its terms sealed to
// tier 1 and the regulator; tier 1 opens both, accepts the larger advance;
// the winner approves at its gateway and the other bank sees its quote
// LAPSED at its own.
func (s *story) quotes(ctx context.Context) error {
	number := "HD-2026-419" + s.cfg.Suffix
	// Maturity is a date in the platform's time zone: the end of that
	// day in Asia/Shanghai, as the console enters it.
	maturity := EndOfDay(time.Now().Add(QuotesTenor))
	doc := invoiceJSON(number, SupplierLegalID(0, s.cfg.Suffix), QuotesAmount, QuotesCurrency, maturity)
	var inv struct {
		ID string `json:"id"`
	}
	if err := s.tier1.Upload(ctx, doc, "application/json", nil, &inv); err != nil {
		return err
	}
	s.by(s.tier1, "upload invoice "+number)
	if err := s.confirm(ctx, inv.ID, number); err != nil {
		return err
	}
	var tok Token
	if err := s.eventually(ctx, func() error {
		return s.core.Do(ctx, http.MethodPost, "/v1/receivables", map[string]any{
			"holder": s.res.Suppliers[0], "bank": "bankA", "invoices": []string{inv.ID},
			"amount": QuotesAmount, "maturity": maturity}, &tok)
	}); err != nil {
		return err
	}
	s.by(s.core, "issue a second receivable of "+QuotesCurrency+" "+QuotesAmount+" to tier 1")
	if err := s.eventually(ctx, func() error {
		return s.tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+tok.ID+"/accept", nil, &tok)
	}); err != nil {
		return err
	}
	s.by(s.tier1, "tier 1 accepts")

	expiry := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	var rfq rfqView
	if err := s.tier1.Do(ctx, http.MethodPost, "/v1/tokens/"+tok.ID+"/rfq", map[string]any{
		"banks": []string{"bankA", "bankB"}, "expiry": expiry}, &rfq); err != nil {
		return err
	}
	s.by(s.tier1, "tier 1 asks Bank A and Bank B for quotes at once")
	banks := map[string]*Client{"bankA": s.bankA, "bankB": s.bankB}
	for _, id := range []string{"bankA", "bankB"} {
		tm, fee := bankTerms(id, expiry)
		var q quoteView
		if err := s.eventually(ctx, func() error {
			return banks[id].Do(ctx, http.MethodPost, "/v1/rfqs/"+rfq.ID+"/quotes", map[string]any{"terms": tm, "fee": fee}, &q)
		}); err != nil {
			return err
		}
		if q.Advance == nil {
			return fmt.Errorf("%s's quote carries no advance", id)
		}
		s.by(banks[id], fmt.Sprintf("%s quotes: advance %s (discount %s, fee %s), sealed to tier 1 and the regulator",
			id, &q.Advance.Advance, &q.Advance.Discount, &q.Advance.Fee))
	}

	// Tier 1's gateway learns both quotes from its own peer.
	var best *quoteView
	deadline := time.Now().Add(propagation)
	for {
		if err := s.tier1.Do(ctx, http.MethodGet, "/v1/rfqs/"+rfq.ID, nil, &rfq); err != nil {
			return err
		}
		if len(rfq.Quotes) == 2 || time.Now().After(deadline) {
			break
		}
		if err := sleep(ctx, 500*time.Millisecond); err != nil {
			return err
		}
	}
	s.res.Quotes = QuotesResult{RFQ: rfq.ID, Advance: map[string]Money{}}
	for i := range rfq.Quotes {
		q := &rfq.Quotes[i]
		if !q.Valid || q.Advance == nil {
			return fmt.Errorf("%s's quote does not check out: %s", q.Bank, q.Problem)
		}
		s.res.Quotes.Advance[q.Bank] = q.Advance.Advance
		if best == nil || q.Advance.Advance.Minor > best.Advance.Advance.Minor {
			best = q
		}
	}
	if len(rfq.Quotes) != 2 {
		return fmt.Errorf("tier 1 sees %d quotes, want 2", len(rfq.Quotes))
	}
	s.by(s.tier1, "tier 1 opens both quotes and checks each advance against its sealed terms")
	var accepted struct {
		Token   Token `json:"token"`
		Advance struct {
			Advance Money `json:"advance"`
		} `json:"advance"`
	}
	if err := s.tier1.Do(ctx, http.MethodPost, "/v1/quotes/"+best.ID+"/accept", nil, &accepted); err != nil {
		return err
	}
	s.by(s.tier1, "tier 1 accepts "+best.Bank+"'s quote")
	winner, loser := best.Bank, "bankA"
	if winner == "bankA" {
		loser = "bankB"
	}
	s.res.Quotes.Winner, s.res.Quotes.Lapsed = winner, loser

	agreement := sha256.Sum256([]byte("financing agreement " + tok.ID))
	if err := s.eventually(ctx, func() error {
		return banks[winner].Do(ctx, http.MethodPost, "/v1/tokens/"+tok.ID+"/financing/approve", map[string]string{
			"disbursementRef": "RFQ-" + tok.ID[:8], "agreementHash": hex.EncodeToString(agreement[:])}, &s.res.Quotes.Token)
	}); err != nil {
		return err
	}
	s.by(banks[winner], winner+" approves and pays the advance")

	// The other bank learns from its own peer that its quote lapsed, and
	// nothing of the winner's terms.
	deadline = time.Now().Add(propagation)
	for {
		var mine rfqView
		if err := banks[loser].Do(ctx, http.MethodGet, "/v1/rfqs/"+rfq.ID, nil, &mine); err != nil {
			return err
		}
		if len(mine.Quotes) == 1 && mine.Quotes[0].Status == "LAPSED" {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s sees %+v, want its one quote LAPSED", loser, mine.Quotes)
		}
		if err := sleep(ctx, 500*time.Millisecond); err != nil {
			return err
		}
	}
	s.by(banks[loser], loser+" sees its quote LAPSED, and no other quote")
	a, b := s.res.Quotes.Advance["bankA"], s.res.Quotes.Advance["bankB"]
	s.say("quotes on %s %s: bankA %s, bankB %s; tier 1 took %s's; advance %s paid by %s (%s), %s's quote lapsed",
		QuotesCurrency, QuotesAmount, &a, &b, winner, &accepted.Advance.Advance, winner, s.res.Quotes.Token.Status, loser)
	return nil
}

func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// TimeZone is the platform's time zone (orgconfig's default): a maturity
// date is the end of that day there.
const TimeZone = "Asia/Shanghai"

// EndOfDay is the last second of t's date in TimeZone.
func EndOfDay(t time.Time) time.Time {
	loc, err := time.LoadLocation(TimeZone)
	if err != nil { // no zone database: China has kept UTC+8 since 1991
		loc = time.FixedZone("CST", 8*3600)
	}
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 23, 59, 59, 0, loc).UTC()
}
