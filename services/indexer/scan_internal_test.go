package indexer

import (
	"encoding/json"
	"testing"
	"time"
)

// The column scanners convert what both drivers return and refuse any
// other type instead of leaving a zero value.
func TestColumnScanners(t *testing.T) {
	var at time.Time
	if err := (microsCol{&at}).Scan(int64(1_700_000_000_123_456)); err != nil || !at.Equal(time.UnixMicro(1_700_000_000_123_456)) || at.Location() != time.UTC {
		t.Fatalf("micros: %v %v", at, err)
	}
	if err := (microsCol{&at}).Scan(int64(0)); err != nil || !at.IsZero() {
		t.Fatalf("micros 0: %v %v", at, err)
	}
	if err := (microsCol{&at}).Scan("12"); err == nil {
		t.Fatal("micros took a string")
	}
	var rec json.RawMessage
	if err := (rawJSON{&rec}).Scan(`{"a":1}`); err != nil || string(rec) != `{"a":1}` {
		t.Fatalf("record from string: %s %v", rec, err)
	}
	src := []byte(`{"b":2}`)
	if err := (rawJSON{&rec}).Scan(src); err != nil || string(rec) != `{"b":2}` {
		t.Fatalf("record from bytes: %s %v", rec, err)
	}
	src[2] = 'x' // the driver may reuse its buffer: the record is a copy
	if string(rec) != `{"b":2}` {
		t.Fatalf("record aliases the driver's buffer: %s", rec)
	}
	if err := (rawJSON{&rec}).Scan(int64(1)); err == nil {
		t.Fatal("record took an integer")
	}
}
