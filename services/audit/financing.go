package audit

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/model/terms"
	"github.com/tierchain/tierchain/chaincode/protocol"
)

// FinancingKind is how a piece was financed.
type FinancingKind string

// Financing kinds.
const (
	FinancedPlain  FinancingKind = "PLAIN"  // RequestFinancing: no terms, no advance on the ledger
	FinancedTerms  FinancingKind = "TERMS"  // RequestTermFinancing: public terms
	FinancedQuoted FinancingKind = "QUOTED" // an accepted sealed quote: terms opened from the regulator's copy
)

// FinancingItem is one financed (or requested) piece as the regulator
// reconciles it: the face (the token's amount), the advance and fee
// opened from their own handles and envelopes, the terms (public, or
// opened from the quote's sealed copy and checked against its digest),
// and whether the advance is what the terms pay on the face and within
// the cap it was proven against. The chaincode proved the bounds; this
// check covers what it could not see (a quote's secret terms).
type FinancingItem struct {
	Token        string            `json:"token"`
	Root         string            `json:"root"`
	Issuer       string            `json:"issuer"`
	Requester    string            `json:"requester"`
	Bank         string            `json:"bank"`     // the financing bank
	Holder       string            `json:"holder"`   // now (a buyer after a resale)
	Currency     string            `json:"currency"` // of every amount of the item (ISO 4217; "" legacy)
	Status       model.TokenStatus `json:"status"`   // as stored
	Maturity     time.Time         `json:"maturity"`
	Kind         FinancingKind     `json:"kind"`
	Recourse     bool              `json:"recourse"`
	MaxAdvanceBP int64             `json:"maxAdvanceBp,omitempty"`
	Face         Amount            `json:"face"`
	Advance      *Amount           `json:"advance,omitempty"`
	Fee          *Amount           `json:"fee,omitempty"`
	Terms        *terms.Terms      `json:"terms,omitempty"`
	SealedFee    *uint64           `json:"sealedFee,omitempty"` // a quote's fee as its sealed terms state it
	Resales      []ResaleItem      `json:"resales"`
	Repaid       bool              `json:"repaid"` // settled by the seller's repayment of a recourse claim
	Result       CheckResult       `json:"result"`
	Detail       string            `json:"detail,omitempty"`
}

// ResaleItem is one sale of the piece between banks (or the pending
// offer) with its price opened and checked at most the face.
type ResaleItem struct {
	Seller  string      `json:"seller"`
	Buyer   string      `json:"buyer"`
	Pending bool        `json:"pending"`
	Price   Amount      `json:"price"`
	Result  CheckResult `json:"result"`
}

// financingOf builds the items of every financed token and opens their
// amounts in one batch (the faces are the tokens', opened already).
func (s *Service) financingOf(ctx context.Context, tokens []TokenItem) ([]FinancingItem, error) {
	var items []FinancingItem
	var seals []sealed
	type slot struct {
		item  int
		field string // advance, fee, or resale index
		index int
	}
	var slots []slot
	for _, t := range tokens {
		f := t.Token.Financing
		if f == nil {
			continue
		}
		it := FinancingItem{Token: t.Token.ID, Root: t.Token.Root, Issuer: t.Token.Issuer, Requester: f.Requester, Bank: f.Bank,
			Currency: t.Token.Currency,
			Holder:   t.Token.Holder, Status: t.Token.Status, Maturity: t.Token.Maturity, Kind: FinancedPlain, Recourse: f.WithRecourse(), Face: t.Amount,
			Resales: []ResaleItem{}, Repaid: t.Token.Default != nil && t.Token.Default.RepaidRef != ""}
		switch {
		case f.Terms != nil:
			it.Kind, it.MaxAdvanceBP = FinancedTerms, f.Terms.MaxAdvanceBP
			tm := f.Terms.Terms
			it.Terms = &tm
		case f.Quote != nil:
			it.Kind, it.MaxAdvanceBP = FinancedQuoted, f.Quote.MaxAdvanceBP
			if qt, err := protocol.OpenQuoteTerms(s.open.encKey, f.Quoted(), f.Quote.RegulatorSealedTerms); err == nil {
				it.Terms, it.SealedFee = &qt.Terms, &qt.Fee
			} else {
				it.Result, it.Detail = CheckBroken, err.Error()
			}
		}
		n := len(items)
		if adv, fee := f.Amounts(); adv != nil {
			seals = append(seals, sealed{commitment: adv.Commitment, handle: adv.Handle, envelope: adv.RegulatorEnvelope, purpose: protocol.PurposeAdvance},
				sealed{commitment: fee.Commitment, handle: fee.Handle, envelope: fee.RegulatorEnvelope, purpose: protocol.PurposeFee})
			slots = append(slots, slot{n, "advance", 0}, slot{n, "fee", 0})
		}
		sales := append(slices.Clone(t.Token.Resales), model.Resale{})
		if t.Token.Resale != nil {
			sales[len(sales)-1] = *t.Token.Resale
		} else {
			sales = sales[:len(sales)-1]
		}
		for i, r := range sales {
			it.Resales = append(it.Resales, ResaleItem{Seller: r.Seller, Buyer: r.Buyer, Pending: r.AcceptedAt.IsZero()})
			seals = append(seals, sealed{commitment: r.Price.Commitment, handle: r.Price.Handle, envelope: r.Price.RegulatorEnvelope, purpose: protocol.PurposePrice})
			slots = append(slots, slot{n, "resale", i})
		}
		items = append(items, it)
	}
	amounts, err := s.open.openAll(ctx, seals, s.workers)
	if err != nil {
		return nil, err
	}
	for i, sl := range slots {
		a := amounts[i]
		it := &items[sl.item]
		switch sl.field {
		case "advance":
			it.Advance = &a
		case "fee":
			it.Fee = &a
		default:
			it.Resales[sl.index].Price = a
		}
	}
	for i := range items {
		checkFinancing(&items[i])
	}
	return items, nil
}

// checkFinancing sets the item's result: UNVERIFIED when an amount or the
// terms could not be opened, BROKEN when the advance and fee are not what
// the terms pay on the face, the advance is above the cap, or a price is
// above the face.
func checkFinancing(it *FinancingItem) {
	for i := range it.Resales {
		r := &it.Resales[i]
		switch {
		case !r.Price.Known() || !it.Face.Known():
			r.Result = CheckUnverified
		case r.Price.Minor > it.Face.Minor:
			r.Result = CheckBroken
		default:
			r.Result = CheckOK
		}
		if r.Result != CheckOK && it.Result != CheckBroken {
			it.Result, it.Detail = r.Result, fmt.Sprintf("resale %d from %s to %s: price %s", i, r.Seller, r.Buyer, r.Result)
		}
	}
	if it.Result == CheckBroken {
		return
	}
	if it.Kind == FinancedPlain {
		it.Result = cmp.Or(it.Result, CheckOK)
		return
	}
	if !it.Face.Known() || it.Advance == nil || !it.Advance.Known() || !it.Fee.Known() || it.Terms == nil {
		it.Result, it.Detail = CheckUnverified, "an amount or the terms could not be opened"
		return
	}
	want, err := terms.Compute(it.Terms, it.Face.Minor, it.Fee.Minor, it.Maturity)
	switch {
	case err != nil:
		it.Result, it.Detail = CheckBroken, "terms: "+err.Error()
	case want.Advance != it.Advance.Minor:
		it.Result, it.Detail = CheckBroken, "the advance is not what the terms pay on the face"
	case it.SealedFee != nil && *it.SealedFee != it.Fee.Minor:
		it.Result, it.Detail = CheckBroken, "the fee committed is not the fee of the sealed terms"
	default:
		if ok, err := terms.WithinCap(it.MaxAdvanceBP, it.Face.Minor, it.Advance.Minor); err != nil || !ok {
			it.Result, it.Detail = CheckBroken, "the advance is above the cap it was proven against"
			return
		}
		it.Result = cmp.Or(it.Result, CheckOK)
	}
}

// BankFinancing is one bank's financing book in one currency, from the
// snapshot: what it financed (as the financing bank), what it holds now
// (bought pieces included), and its defaults and recourse. Sums are of
// known amounts only; Unverified counts the pieces with an amount not
// opened.
type BankFinancing struct {
	Bank           string `json:"bank"`
	Currency       string `json:"currency"`       // of every volume of the book (ISO 4217; "" legacy)
	Financed       int    `json:"financed"`       // approved financings by this bank
	FinancedVolume uint64 `json:"financedVolume"` // their faces
	Advanced       uint64 `json:"advanced"`       // their advances (with terms or quotes)
	Fees           uint64 `json:"fees"`
	Pending        int    `json:"pending"` // requests awaiting its decision
	Held           int    `json:"held"`    // financed pieces it holds now
	HeldVolume     uint64 `json:"heldVolume"`
	Bought         int    `json:"bought"` // pieces it bought from another bank
	Sold           int    `json:"sold"`
	Defaulted      int    `json:"defaulted"` // pieces it holds in default (DEFAULTED or RECOURSE)
	DefaultVolume  uint64 `json:"defaultVolume"`
	Recourse       int    `json:"recourse"` // of those, claimed from the seller
	RecourseVolume uint64 `json:"recourseVolume"`
	RecourseRepaid int    `json:"recourseRepaid"` // claims the seller repaid
	Breaks         int    `json:"breaks"`         // its financings whose check is BROKEN
	Unverified     int    `json:"unverified"`
}

// FinancingReport is the regulator's view of financing: every item and
// the book of each bank in each currency, by bank ID then currency.
type FinancingReport struct {
	AsOf   AsOf            `json:"asOf"` // the snapshot's block height
	Items  []FinancingItem `json:"items"`
	ByBank []BankFinancing `json:"byBank"`
}

// Financing aggregates the snapshot's financing items by bank.
func (s *Snapshot) FinancingReport() FinancingReport {
	books := map[[2]string]*BankFinancing{}
	for _, it := range s.Financing {
		book := func(id string) *BankFinancing {
			k := [2]string{id, it.Currency}
			if books[k] == nil {
				books[k] = &BankFinancing{Bank: id, Currency: it.Currency}
			}
			return books[k]
		}
		b := book(it.Bank)
		face := it.Face.Minor
		if !it.Face.Known() {
			face = 0
		}
		switch it.Result {
		case CheckBroken:
			b.Breaks++
		case CheckUnverified:
			b.Unverified++
		}
		if it.Status == model.TokenFinancing {
			b.Pending++
			continue
		}
		b.Financed++
		b.FinancedVolume += face
		if it.Advance != nil && it.Advance.Known() {
			b.Advanced += it.Advance.Minor
		}
		if it.Fee != nil && it.Fee.Known() {
			b.Fees += it.Fee.Minor
		}
		for _, r := range it.Resales {
			if !r.Pending {
				book(r.Seller).Sold++
				book(r.Buyer).Bought++
			}
		}
		if s.Role(it.Holder) != model.RoleBank {
			continue
		}
		h := book(it.Holder)
		switch it.Status {
		case model.TokenFinanced:
			h.Held++
			h.HeldVolume += face
		case model.TokenDefaulted, model.TokenRecourse:
			h.Defaulted++
			h.DefaultVolume += face
			if it.Status == model.TokenRecourse {
				h.Recourse++
				h.RecourseVolume += face
			}
		case model.TokenSettled:
			if it.Repaid {
				h.RecourseRepaid++
			}
		}
	}
	out := FinancingReport{AsOf: s.AsOf, Items: s.Financing, ByBank: []BankFinancing{}}
	if out.Items == nil {
		out.Items = []FinancingItem{}
	}
	for _, b := range books {
		out.ByBank = append(out.ByBank, *b)
	}
	slices.SortFunc(out.ByBank, func(a, b BankFinancing) int {
		return cmp.Or(cmp.Compare(a.Bank, b.Bank), cmp.Compare(a.Currency, b.Currency))
	})
	return out
}
