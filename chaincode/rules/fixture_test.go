package rules_test

import (
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/rules/rulestest"
)

// The scenario's proofs take a while to build (more under -race), so the
// test binary builds it once; each test works on a clone.
var (
	scenarioOnce sync.Once
	scenario     *rulestest.Scenario
)

func newScenario(t testing.TB) *rulestest.Scenario {
	t.Helper()
	scenarioOnce.Do(func() { scenario = rulestest.NewScenario() })
	return scenario.Clone()
}

// expectRefused runs a transaction that must fail with code, and checks
// that it left the state byte-for-byte as it was and set no event.
func expectRefused[T any](t *testing.T, st *rulestest.Memory, code *model.Error, run func() (T, error)) error {
	t.Helper()
	before := st.Snapshot()
	_, err := run()
	if err == nil {
		t.Fatalf("succeeded, want %s", code.Code)
	}
	if !errors.Is(err, code) {
		t.Fatalf("error %q, want code %s", err, code.Code)
	}
	if d := st.Diff(before); d != "" {
		t.Fatalf("refused transaction changed the state: %s", d)
	}
	if len(st.Events) != 0 {
		t.Fatalf("refused transaction set %d events", len(st.Events))
	}
	return err
}

// lastEvent decodes the one event of the last transaction.
func lastEvent(t *testing.T, st *rulestest.Memory) model.Event {
	t.Helper()
	if len(st.Events) != 1 || st.Events[0].Name != model.EventName {
		t.Fatalf("transaction set %d events, want one %s", len(st.Events), model.EventName)
	}
	var ev model.Event
	if err := json.Unmarshal(st.Events[0].Payload, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Version != model.EventVersion || ev.TxID != st.Tx {
		t.Fatalf("event version %d tx %q, want %d %q", ev.Version, ev.TxID, model.EventVersion, st.Tx)
	}
	return ev
}
