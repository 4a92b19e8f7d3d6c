package envelope

import (
	"bytes"
	"errors"
	"testing"
)

func TestSealMessage(t *testing.T) {
	k, err := GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	other, _ := GenerateKey(nil)
	const info = "tierchain/test-message/v1"
	msg, aad := []byte("the invoice as filed"), []byte("bound to this")
	sealed, err := SealMessage(k.Public(), info, aad, msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(sealed) != len(msg)+MessageOverhead {
		t.Errorf("sealed %d bytes", len(sealed))
	}
	got, err := OpenMessage(k, info, aad, sealed)
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("OpenMessage = %q, %v", got, err)
	}
	for name, open := range map[string]func() ([]byte, error){
		"other key":  func() ([]byte, error) { return OpenMessage(other, info, aad, sealed) },
		"other info": func() ([]byte, error) { return OpenMessage(k, info+"x", aad, sealed) },
		"other aad":  func() ([]byte, error) { return OpenMessage(k, info, []byte("elsewhere"), sealed) },
		"flipped byte": func() ([]byte, error) {
			b := bytes.Clone(sealed)
			b[40] ^= 1
			return OpenMessage(k, info, aad, b)
		},
	} {
		if _, err := open(); !errors.Is(err, ErrDecrypt) {
			t.Errorf("%s: %v, want ErrDecrypt", name, err)
		}
	}
	if _, err := OpenMessage(k, info, aad, sealed[:10]); !errors.Is(err, ErrMalformed) {
		t.Errorf("short: %v", err)
	}
	if _, err := SealMessage(k.Public(), Info, aad, msg, nil); !errors.Is(err, ErrMalformed) {
		t.Errorf("the openings' info string was accepted for a message: %v", err)
	}
}

func FuzzOpenMessage(f *testing.F) {
	k, _ := GenerateKey(bytes.NewReader(bytes.Repeat([]byte{7}, 64)))
	sealed, _ := SealMessage(k.Public(), "tierchain/fuzz/v1", nil, []byte("x"), nil)
	f.Add(sealed)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		if pt, err := OpenMessage(k, "tierchain/fuzz/v1", nil, b); err == nil && !bytes.Equal(b, sealed) && pt == nil {
			t.Fatal("opened to nil")
		}
	})
}
