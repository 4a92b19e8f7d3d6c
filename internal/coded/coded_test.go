package coded_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/coded"
)

func TestError(t *testing.T) {
	errA := coded.New("pkg: no such thing", model.CodeNotFound)
	errB := coded.New("pkg: no such thing", model.CodeNotFound) // same text, another sentinel
	if errA.Error() != "pkg: no such thing" || errA.Code() != model.CodeNotFound {
		t.Fatalf("sentinel: %q, %s", errA.Error(), errA.Code())
	}
	d := errA.With("t1")
	if d.Error() != "pkg: no such thing: t1" || d.Code() != model.CodeNotFound {
		t.Fatalf("with detail: %q, %s", d.Error(), d.Code())
	}
	wrapped := fmt.Errorf("op: %w", d)
	for _, c := range []struct {
		target error
		want   bool
	}{
		{errA, true}, {errB, false}, {model.ErrNotFound, true}, {model.ErrConflict, false}, {errors.New("pkg: no such thing"), false},
	} {
		if got := errors.Is(wrapped, c.target); got != c.want {
			t.Errorf("errors.Is(%v, %v) = %v, want %v", wrapped, c.target, got, c.want)
		}
	}
	if errors.Is(errA, d) {
		t.Error("a sentinel matches an error made from it")
	}
	var e *coded.Error
	if !errors.As(wrapped, &e) || e != d {
		t.Errorf("errors.As: %v", e)
	}
}
