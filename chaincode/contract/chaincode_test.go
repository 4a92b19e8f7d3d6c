package contract

import "testing"

func TestNewRegistersContracts(t *testing.T) {
	cc, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if cc.DefaultContract != TierChainName {
		t.Errorf("default contract %q, want %q", cc.DefaultContract, TierChainName)
	}
}
