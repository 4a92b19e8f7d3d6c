package indexer

import (
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
)

// FuzzDecodeEvent: any payload decodes to a valid event or to a
// *MalformedEventError with a printable reason; never a panic, never
// another error.
func FuzzDecodeEvent(f *testing.F) {
	c := newChain(f, newFakeLedger())
	c.story()
	for _, ev := range c.events {
		f.Add(ev.TxID, ev.Payload)
	}
	f.Add("tx1", []byte(`{"version":1,"kind":"issue","txId":"tx1","timestamp":"2026-01-01T00:00:00Z","actor":"a\u0000"}`))
	f.Add("tx1", []byte(`{"version":1,"kind":"issue","txId":"tx1","timestamp":"2026-01-01T00:00:00Z","actor":"a","tokens":[{"id":"t","root":"t","holder":"h","status":"OVERDUE"}]}`))
	f.Add("tx1", []byte("\xff\x00"))
	f.Fuzz(func(t *testing.T, txID string, payload []byte) {
		e, err := decodeEvent(fabricclient.Event{BlockNumber: 7, TxID: txID, Name: model.EventName, Payload: payload})
		if err != nil {
			var me *MalformedEventError
			if !errors.As(err, &me) {
				t.Fatalf("%T: %v", err, err)
			}
			if !utf8.ValidString(me.Reason) || strings.ContainsFunc(me.Reason, unicode.IsControl) {
				t.Fatalf("reason %q is not printable", me.Reason)
			}
			return
		}
		if e.Version != model.EventVersion || e.TxID != txID || e.Timestamp.IsZero() ||
			model.ValidateID("kind", e.Kind) != nil || model.ValidateID("actor", e.Actor) != nil {
			t.Fatalf("accepted %+v", e)
		}
		for _, c := range e.Tokens {
			if model.ValidateID("id", c.ID) != nil || knownTokenStatus(c.Status) != nil {
				t.Fatalf("accepted token change %+v", c)
			}
		}
	})
}
