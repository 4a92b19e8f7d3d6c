package strictjson_test

import (
	"errors"
	"testing"

	"github.com/tierchain/tierchain/internal/strictjson"
)

type doc struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

var errNoName = errors.New("no name")

func (d doc) Validate() error {
	if d.Name == "" {
		return errNoName
	}
	return nil
}

func TestMarshalDocument(t *testing.T) {
	b, err := strictjson.MarshalDocument(doc{Name: "a", N: 2})
	if err != nil || string(b) != "{\n  \"name\": \"a\",\n  \"n\": 2\n}\n" {
		t.Fatalf("%q, %v", b, err)
	}
	if b, err := strictjson.MarshalDocument(doc{N: 2}); !errors.Is(err, errNoName) || b != nil {
		t.Fatalf("an invalid document: %q, %v", b, err)
	}
	var back doc
	if err := strictjson.Decode([]byte("{\n  \"name\": \"a\",\n  \"n\": 2\n}\n"), &back); err != nil || back != (doc{Name: "a", N: 2}) {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
}
