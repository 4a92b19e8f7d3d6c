package main

import (
	"errors"
	"io"
	"testing"
)

func TestAdminLockWritersFlags(t *testing.T) {
	full := []string{"--msp", "RegulatorMSP", "--cert", "c.pem", "--key", "k.pem", "--orderer", "orderer0.operator.tierchain.local:7050", "--orderer-ca", "ca.pem"}
	f, err := parseLockWriters(io.Discard, full)
	if err != nil || f.channel != "scf" || f.msp != "RegulatorMSP" || f.orderer != "orderer0.operator.tierchain.local:7050" {
		t.Fatalf("parse %v: %+v, %v", full, f, err)
	}
	for i := 0; i < len(full); i += 2 {
		args := append(append([]string(nil), full[:i]...), full[i+2:]...)
		if _, err := parseLockWriters(io.Discard, args); !errors.Is(err, errAdminFlags) {
			t.Errorf("without %s: %v, want errAdminFlags", full[i], err)
		}
	}
	if _, err := parseLockWriters(io.Discard, append(full, "extra")); !errors.Is(err, errAdminFlags) {
		t.Errorf("an extra argument: %v", err)
	}
	if err := runAdmin(io.Discard, []string{"unlock-everything"}); err == nil {
		t.Error("an unknown admin command ran")
	}
	// A key that is not there: refused before any network call.
	if err := runAdmin(io.Discard, append([]string{"lock-writers"}, full...)); err == nil {
		t.Error("lock-writers with missing key files succeeded")
	}
}
