package sealbox

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealOpen(t *testing.T) {
	master := bytes.Repeat([]byte{7}, 32)
	s, err := New(master, "tierchain/test/v1")
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := s.Seal([]byte("secret"), []byte("row-1"))
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.Open(sealed, []byte("row-1")); err != nil || string(got) != "secret" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	other, _ := New(bytes.Repeat([]byte{8}, 32), "tierchain/test/v1")
	purpose, _ := New(master, "tierchain/other/v1")
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)-1] ^= 1
	for name, f := range map[string]func() ([]byte, error){
		"wrong binding":    func() ([]byte, error) { return s.Open(sealed, []byte("row-2")) },
		"wrong master key": func() ([]byte, error) { return other.Open(sealed, []byte("row-1")) },
		"wrong purpose":    func() ([]byte, error) { return purpose.Open(sealed, []byte("row-1")) },
		"tampered":         func() ([]byte, error) { return s.Open(flipped, []byte("row-1")) },
		"truncated":        func() ([]byte, error) { return s.Open(sealed[:10], []byte("row-1")) },
		"empty":            func() ([]byte, error) { return s.Open(nil, []byte("row-1")) },
	} {
		if _, err := f(); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: err = %v, want ErrOpen", name, err)
		}
	}
	if _, err := New(master[:31], "x"); !errors.Is(err, ErrMasterKey) {
		t.Errorf("short master key: %v", err)
	}
	again, _ := s.Seal([]byte("secret"), []byte("row-1"))
	if bytes.Equal(again, sealed) {
		t.Error("two seals of the same value are equal: nonce reused")
	}
}
