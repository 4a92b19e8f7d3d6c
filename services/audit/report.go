package audit

import (
	"context"
	"time"
)

// Report is everything the regulator's dashboard shows, from one snapshot.
type Report struct {
	AsOf          AsOf                `json:"asOf"` // the snapshot's block height
	Snapshot      *Snapshot           `json:"snapshot"`
	Overdue       OverdueReport       `json:"overdue"`
	Concentration ConcentrationReport `json:"concentration"`
	Reuse         []ReuseItem         `json:"reuse"`
	Financing     FinancingReport     `json:"financing"`
}

// Report takes a snapshot and computes every report from it, overdue as of
// at.
func (s *Service) Report(ctx context.Context, at time.Time) (*Report, error) {
	snap, err := s.Snapshot(ctx)
	if err != nil {
		return nil, err
	}
	reuse, err := s.Reuse(ctx, snap)
	if err != nil {
		return nil, err
	}
	return &Report{AsOf: snap.AsOf, Snapshot: snap, Overdue: snap.Overdue(at), Concentration: snap.Concentration(), Reuse: reuse,
		Financing: snap.FinancingReport()}, nil
}
