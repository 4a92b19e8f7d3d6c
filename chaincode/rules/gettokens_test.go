package rules_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// GetTokens answers every caller, token by token, exactly what GetToken
// answers it: the same view, or the same typed error. A read model that
// fetches with it can hold no token its GetToken would have refused.
func TestGetTokensIsGetTokenPerID(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	children := must(r.Split(s.As(s.S1), validSplit(t, s)))
	ids := []string{s.Root, children[0].ID, "no-such-token", children[1].ID}
	for _, who := range []*rulestest.Party{s.BankA, s.BankB, s.Regulator, s.S1, s.S3, s.Core, s.Operator} {
		st := s.As(who)
		before := st.Snapshot()
		got, err := r.GetTokens(st, ids)
		if err != nil {
			t.Fatalf("%s: %v", who.ID, err)
		}
		if d := st.Diff(before); d != "" || len(st.Events) != 0 {
			t.Fatalf("%s: a query changed the state (%s) or set %d events", who.ID, d, len(st.Events))
		}
		if len(got) != len(ids) {
			t.Fatalf("%s: %d entries for %d IDs", who.ID, len(got), len(ids))
		}
		for i, id := range ids {
			want, wantErr := r.GetToken(s.As(who), id)
			e := got[i]
			if e.ID != id {
				t.Errorf("%s: entry %d is %s, want %s", who.ID, i, e.ID, id)
			}
			if wantErr != nil {
				if e.Token != nil || e.Code != model.CodeOf(wantErr) || e.Err().Error() != wantErr.Error() || !errors.Is(e.Err(), wantErr) {
					t.Errorf("%s: %s: entry %+v, GetToken: %v", who.ID, id, e, wantErr)
				}
				continue
			}
			if e.Code != "" || e.Err() != nil || !reflect.DeepEqual(e.Token, want) {
				t.Errorf("%s: %s: entry %+v, GetToken %+v", who.ID, id, e, want)
			}
		}
	}
	if got := must(r.GetTokens(s.As(s.BankA), ids)); got[2].Code != model.CodeNotFound {
		t.Errorf("a missing token: %+v, want NOT_FOUND", got[2])
	}
	if got := must(r.GetTokens(s.As(s.BankA), ids)); got[0].Token.Status != model.TokenSplit {
		t.Errorf("the spent root: %+v, want SPLIT", got[0].Token)
	}
}

// A caller GetToken refuses is refused the whole call, with the same code,
// and the state is unchanged.
func TestGetTokensRefusesWhomGetTokenRefuses(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	must(r.SuspendEnterprise(s.As(s.Operator), s.S2.ID))
	for _, tc := range []struct {
		name string
		who  rules.Identity
	}{{"unregistered", s.Stranger}, {"suspended", s.S2.Identity}} {
		if _, err := r.GetToken(s.Begin(tc.who), s.Root); !errors.Is(err, model.ErrUnauthorized) {
			t.Fatalf("%s: GetToken %v", tc.name, err)
		}
		expectRefused(t, s.Begin(tc.who), model.ErrUnauthorized, func() ([]rules.TokenResult, error) {
			return r.GetTokens(s.Begin(tc.who), []string{s.Root})
		})
	}
}

func TestGetTokensBadInput(t *testing.T) {
	s := newScenario(t)
	r := s.Rules
	tooMany := make([]string, rules.MaxTokensPerQuery+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("t%d", i)
	}
	for _, tc := range []struct {
		name string
		ids  []string
	}{
		{"none", nil},
		{"too many", tooMany},
		{"bad character", []string{s.Root, "a/b"}},
		{"empty ID", []string{""}},
		{"too long", []string{strings.Repeat("a", model.MaxIDLength+1)}},
	} {
		st := s.As(s.BankA)
		expectRefused(t, st, model.ErrInvalidArgument, func() ([]rules.TokenResult, error) { return r.GetTokens(st, tc.ids) })
	}
	if got := must(r.GetTokens(s.As(s.BankA), tooMany[:rules.MaxTokensPerQuery])); len(got) != rules.MaxTokensPerQuery {
		t.Fatalf("%d entries at the bound", len(got))
	}
}

func TestDecodeTokenIDs(t *testing.T) {
	ids := make([]string, rules.MaxTokensPerQuery)
	for i := range ids {
		ids[i] = fmt.Sprintf("%064d", i)
	}
	full, _ := json.Marshal(ids)
	if got, err := rules.DecodeTokenIDs(string(full)); err != nil || !reflect.DeepEqual(got, ids) {
		t.Fatalf("the largest valid list: %v", err)
	}
	if got, err := rules.DecodeTokenIDs(`["t1","t-2.x_3"]`); err != nil || !reflect.DeepEqual(got, []string{"t1", "t-2.x_3"}) {
		t.Fatalf("two IDs: %v %v", got, err)
	}
	tooMany, _ := json.Marshal(append(ids[:rules.MaxTokensPerQuery:rules.MaxTokensPerQuery], "x"))
	for _, raw := range []string{"", "null", "[]", "{}", `"t1"`, `[1]`, `["t1",null]`, `["t1","t1"]`, `["a b"]`, `[""]`,
		`["t1"`, string(tooMany), "[" + strings.Repeat(`"t",`, 2000) + `"t"]`} {
		if _, err := rules.DecodeTokenIDs(raw); !errors.Is(err, model.ErrInvalidArgument) {
			t.Errorf("%.40q: %v, want INVALID_ARGUMENT", raw, err)
		}
	}
}

// FuzzDecodeTokenIDs: any input decodes to a valid list or is refused
// with INVALID_ARGUMENT; never a panic.
func FuzzDecodeTokenIDs(f *testing.F) {
	for _, seed := range []string{`["t1"]`, `["t1","t2"]`, `[]`, `null`, `["t1","t1"]`, `[""]`, `["\u0074"]`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		ids, err := rules.DecodeTokenIDs(raw)
		if err != nil {
			if !errors.Is(err, model.ErrInvalidArgument) {
				t.Fatalf("error %v is not INVALID_ARGUMENT", err)
			}
			return
		}
		if len(ids) == 0 || len(ids) > rules.MaxTokensPerQuery {
			t.Fatalf("%d IDs accepted", len(ids))
		}
		seen := map[string]bool{}
		for _, id := range ids {
			if model.ValidateID("id", id) != nil || seen[id] {
				t.Fatalf("accepted %q", id)
			}
			seen[id] = true
		}
	})
}
