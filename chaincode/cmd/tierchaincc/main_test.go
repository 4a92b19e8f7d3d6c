package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunNeedsIDAndAddress(t *testing.T) {
	for _, env := range [][2]string{{"", ""}, {"tierchain:abc", ""}, {"", "127.0.0.1:0"}} {
		t.Setenv("CHAINCODE_ID", env[0])
		t.Setenv("CHAINCODE_SERVER_ADDRESS", env[1])
		if err := run(); err == nil || !strings.Contains(err.Error(), "must be set") {
			t.Errorf("CHAINCODE_ID %q, CHAINCODE_SERVER_ADDRESS %q: %v", env[0], env[1], err)
		}
	}
}

// TestTLSProperties: no files, no TLS; certificate and key, TLS; with a
// client CA, mutual TLS; anything half-set or unreadable is an error.
func TestTLSProperties(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cert, key, ca := file("cert.pem", "CERT"), file("key.pem", "KEY"), file("ca.pem", "CA")
	missing := filepath.Join(dir, "missing.pem")
	for _, tc := range []struct {
		name              string
		cert, key, ca     string
		wantErr, disabled bool
		wantCA            string
	}{
		{name: "none", disabled: true},
		{name: "server TLS", cert: cert, key: key},
		{name: "mutual TLS", cert: cert, key: key, ca: ca, wantCA: "CA"},
		{name: "certificate alone", cert: cert, wantErr: true},
		{name: "key alone", key: key, wantErr: true},
		{name: "client CA alone", ca: ca, wantErr: true},
		{name: "unreadable certificate", cert: missing, key: key, wantErr: true},
		{name: "unreadable key", cert: cert, key: missing, wantErr: true},
		{name: "unreadable client CA", cert: cert, key: key, ca: missing, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("CHAINCODE_TLS_CERT", tc.cert)
			t.Setenv("CHAINCODE_TLS_KEY", tc.key)
			t.Setenv("CHAINCODE_TLS_CLIENT_CA", tc.ca)
			props, err := tlsProperties()
			if tc.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if props.Disabled != tc.disabled {
				t.Fatalf("disabled %v, want %v", props.Disabled, tc.disabled)
			}
			if !tc.disabled && (string(props.Cert) != "CERT" || string(props.Key) != "KEY" || string(props.ClientCACerts) != tc.wantCA) {
				t.Fatalf("properties %q %q %q", props.Cert, props.Key, props.ClientCACerts)
			}
		})
	}
}

func TestVerifyMemo(t *testing.T) {
	for v, want := range map[string]int{"": 4096, "0": 0, "1": 1, "65536": 65536} {
		if got, err := verifyMemo(v); err != nil || got != want {
			t.Errorf("%q: %d, %v; want %d", v, got, err, want)
		}
	}
	for _, v := range []string{"-1", "x", "1e3", "2000000"} {
		if _, err := verifyMemo(v); err == nil {
			t.Errorf("%q accepted", v)
		}
	}
}
