package custody_test

import (
	"database/sql"
	"errors"
	"testing"

	"github.com/tierchain/tierchain/services/custody"
	"github.com/tierchain/tierchain/services/store/storetest"
)

func TestModesAndLog(t *testing.T) {
	ctx := t.Context()
	s, err := custody.New(ctx, storetest.SQLite(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if m, err := s.Mode(ctx, "s1"); err != nil || m != custody.Hosted {
		t.Fatalf("default mode %s, %v", m, err)
	}
	e := custody.Enterprise{ID: "s1", MSPID: "OperatorMSP", CertPEM: []byte("cert"), LegalID: "0192:1"}
	if err := s.SetSelf(ctx, e, custody.Event{Enterprise: "s1", Action: custody.ActionExported, Actor: "s1"}, nil); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Mode(ctx, "s1"); m != custody.Self {
		t.Fatalf("mode %s", m)
	}
	got, err := s.Get(ctx, "s1")
	if err != nil || string(got.CertPEM) != "cert" || got.LegalID != "0192:1" {
		t.Fatalf("got %+v, %v", got, err)
	}
	// Invoices name it by its legal ID, which the directory does not hold.
	if got, err := s.ByLegalID(ctx, "0192:1"); err != nil || got.ID != "s1" {
		t.Fatalf("by legal ID: %+v, %v", got, err)
	}
	for _, other := range []string{"0192:2", ""} {
		if _, err := s.ByLegalID(ctx, other); !errors.Is(err, custody.ErrNotSelf) {
			t.Fatalf("legal ID %q: %v", other, err)
		}
	}
	// A failing step inside the move leaves everything as it was.
	boom := errors.New("boom")
	if err := s.SetHosted(ctx, "s1", custody.Event{Enterprise: "s1", Action: custody.ActionImported}, func(*sql.Tx) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("SetHosted: %v", err)
	}
	if m, _ := s.Mode(ctx, "s1"); m != custody.Self {
		t.Fatalf("a failed move changed the mode to %s", m)
	}
	if err := s.SetHosted(ctx, "s1", custody.Event{Enterprise: "s1", Action: custody.ActionImported, Actor: "s1"}, nil); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.Mode(ctx, "s1"); m != custody.Hosted {
		t.Fatalf("mode %s", m)
	}
	if _, err := s.ByLegalID(ctx, "0192:1"); !errors.Is(err, custody.ErrNotSelf) {
		t.Fatalf("hosted again, still found by legal ID: %v", err)
	}
	log, err := s.Log(ctx, "s1")
	if err != nil || len(log) != 2 || log[0].Action != custody.ActionExported || log[1].Action != custody.ActionImported || log[0].Seq >= log[1].Seq {
		t.Fatalf("log %+v, %v", log, err)
	}
}

func TestClaim(t *testing.T) {
	ctx := t.Context()
	s, err := custody.New(ctx, storetest.SQLite(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Claim(ctx, "s1", "tx1", custody.StageSubmit); !errors.Is(err, custody.ErrUnknownTx) {
		t.Fatalf("submit before endorse: %v", err)
	}
	if err := s.Claim(ctx, "s1", "tx1", custody.StageEndorse); err != nil {
		t.Fatal(err)
	}
	for _, stage := range []string{custody.StageEndorse, custody.StageEvaluate} {
		if err := s.Claim(ctx, "s1", "tx1", stage); !errors.Is(err, custody.ErrReplayed) {
			t.Fatalf("%s again: %v", stage, err)
		}
	}
	if err := s.Claim(ctx, "s2", "tx1", custody.StageSubmit); !errors.Is(err, custody.ErrUnknownTx) {
		t.Fatalf("another enterprise submits: %v", err)
	}
	if err := s.Claim(ctx, "s1", "tx1", custody.StageSubmit); err != nil {
		t.Fatal(err)
	}
	if err := s.Claim(ctx, "s1", "tx1", custody.StageSubmit); !errors.Is(err, custody.ErrReplayed) {
		t.Fatalf("submit again: %v", err)
	}
	if err := s.Claim(ctx, "s1", "q1", custody.StageEvaluate); err != nil {
		t.Fatal(err)
	}
	if err := s.Claim(ctx, "s1", "q1", custody.StageEndorse); !errors.Is(err, custody.ErrReplayed) {
		t.Fatalf("a query's proposal endorsed: %v", err)
	}
}
