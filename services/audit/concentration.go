package audit

import (
	"cmp"
	"math/big"
	"slices"

	"github.com/tierchain/tierchain/chaincode/model"
)

// Position is one exposure of a named party (a core, a bank, a holder).
type Position struct {
	Name   string
	Amount uint64
}

// Share is a party's part of a distribution.
type Share struct {
	Name   string  `json:"name"`
	Amount uint64  `json:"amount"`
	Count  int     `json:"count"` // positions summed
	Share  float64 `json:"share"` // Amount / Total, in [0, 1]
}

// Distribution is how an exposure spreads over parties, with its
// Herfindahl–Hirschman index: HHI = 10 000 · Σ share², from 10 000/n for
// n equal parties to 10 000 for one party (0 when there is no exposure).
type Distribution struct {
	Total    uint64  `json:"total"`
	HHI      float64 `json:"hhi"`
	Shares   []Share `json:"shares"`             // largest first, then by name
	Unopened int     `json:"unopened"`           // UNOPENABLE positions left out
	Overflow bool    `json:"overflow,omitempty"` // the total exceeds 2^64 − 1 (shares and HHI stay exact)
}

// Concentrate aggregates positions by name and computes each share and the
// HHI exactly (big rationals, rounded once to float64).
func Concentrate(positions []Position) Distribution {
	type party struct {
		amount *big.Int
		count  int
	}
	parties := map[string]*party{}
	total := new(big.Int)
	for _, p := range positions {
		pt := parties[p.Name]
		if pt == nil {
			pt = &party{amount: new(big.Int)}
			parties[p.Name] = pt
		}
		v := new(big.Int).SetUint64(p.Amount)
		pt.amount.Add(pt.amount, v)
		pt.count++
		total.Add(total, v)
	}
	d := Distribution{Shares: make([]Share, 0, len(parties)), Overflow: !total.IsUint64()}
	if !d.Overflow {
		d.Total = total.Uint64()
	}
	hhi := new(big.Rat)
	for name, pt := range parties {
		s := Share{Name: name, Count: pt.count}
		if pt.amount.IsUint64() {
			s.Amount = pt.amount.Uint64()
		}
		if total.Sign() > 0 {
			share := new(big.Rat).SetFrac(pt.amount, total)
			s.Share, _ = share.Float64()
			hhi.Add(hhi, new(big.Rat).Mul(share, share))
		}
		d.Shares = append(d.Shares, s)
	}
	d.HHI, _ = hhi.Mul(hhi, big.NewRat(10_000, 1)).Float64()
	slices.SortFunc(d.Shares, func(a, b Share) int {
		return cmp.Or(parties[b.Name].amount.Cmp(parties[a.Name].amount), cmp.Compare(a.Name, b.Name))
	})
	return d
}

// ConcentrationReport is the live exposure (tokens neither spent nor
// settled), one Concentration per currency: exposures in two currencies
// are never added up.
type ConcentrationReport struct {
	AsOf   AsOf            `json:"asOf"`   // the snapshot's block height
	Totals []Concentration `json:"totals"` // by currency
}

// Concentration is the live exposure of one currency by core (the
// debtor), by bank (tokens a bank holds, having financed them) and by
// holder (whoever holds the claim: supplier or bank).
type Concentration struct {
	Currency string       `json:"currency"` // ISO 4217; "" for legacy tokens
	ByCore   Distribution `json:"byCore"`
	ByBank   Distribution `json:"byBank"`
	ByHolder Distribution `json:"byHolder"`
}

// Concentration computes the report from the snapshot.
func (s *Snapshot) Concentration() ConcentrationReport {
	type positions struct {
		core, bank, holder       []Position
		unCore, unBank, unHolder int
	}
	byCurrency := map[string]*positions{}
	for _, t := range s.Tokens {
		if st := t.Token.Status; st == model.TokenSplit || st == model.TokenSettled {
			continue
		}
		p := byCurrency[t.Token.Currency]
		if p == nil {
			p = &positions{}
			byCurrency[t.Token.Currency] = p
		}
		isBank := s.Role(t.Token.Holder) == model.RoleBank
		if !t.Amount.Known() {
			p.unCore++
			p.unHolder++
			if isBank {
				p.unBank++
			}
			continue
		}
		v := t.Amount.Minor
		p.core = append(p.core, Position{t.Token.Issuer, v})
		p.holder = append(p.holder, Position{t.Token.Holder, v})
		if isBank {
			p.bank = append(p.bank, Position{t.Token.Holder, v})
		}
	}
	r := ConcentrationReport{AsOf: s.AsOf, Totals: []Concentration{}}
	for c, p := range byCurrency {
		cc := Concentration{Currency: c, ByCore: Concentrate(p.core), ByBank: Concentrate(p.bank), ByHolder: Concentrate(p.holder)}
		cc.ByCore.Unopened, cc.ByBank.Unopened, cc.ByHolder.Unopened = p.unCore, p.unBank, p.unHolder
		r.Totals = append(r.Totals, cc)
	}
	slices.SortFunc(r.Totals, func(a, b Concentration) int { return cmp.Compare(a.Currency, b.Currency) })
	return r
}
