package fabnet

import (
	"path/filepath"
	"testing"
)

// TestNewcomerSlots: an admitted organisation takes the next port slot
// after the founders' (peer base+150…, chaincode base+205, gateway
// base+1035) and its own loopback address, never a founder's port; at
// most maxNewcomers.
func TestNewcomerSlots(t *testing.T) {
	l := NewLayout(DefaultBase, 3)
	used := map[int]string{}
	for _, p := range l.AllPorts() {
		used[p] = "founder"
	}
	for _, o := range l.Orgs {
		used[o.GatewayPort] = o.Name
	}
	for i := 0; i < maxNewcomers; i++ {
		o, err := NewcomerOrg(DefaultBase, i, "Bank"+string(rune('C'+i)), RoleBank, Enterprise{ID: "x"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []int{o.Peer.Listen, o.Peer.Chaincode, o.Peer.Operations, o.ChaincodePort, o.GatewayPort} {
			if who, ok := used[p]; ok {
				t.Errorf("%s's port %d is %s's", o.Name, p, who)
			}
			used[p] = o.Name
		}
		if !o.Endorser || o.Enterprise.Identity != "User1" || o.MSPID != o.Name+"MSP" {
			t.Errorf("newcomer %+v", o)
		}
	}
	if o, _ := NewcomerOrg(DefaultBase, 0, "BankC", RoleBank, Enterprise{}); o.Peer.Listen != DefaultBase+150 || o.GatewayPort != 8085 || o.ChaincodePort != DefaultBase+205 {
		t.Errorf("BankC's slot: peer %d, chaincode %d, gateway %d", o.Peer.Listen, o.ChaincodePort, o.GatewayPort)
	}
	if _, err := NewcomerOrg(DefaultBase, maxNewcomers, "BankZ", RoleBank, Enterprise{}); err == nil {
		t.Error("a slot past the last accepted")
	}
}

// TestWithMembers: a layout rebuilt from a network's record gets the
// admitted organisations and orderers and loses the removed ones.
func TestWithMembers(t *testing.T) {
	p := paths{root: t.TempDir()}
	l := NewLayout(DefaultBase, 1)
	if got, err := withMembers(l, p); err != nil || len(got.Orgs) != 5 {
		t.Fatalf("no members.json: %d orgs, %v", len(got.Orgs), err)
	}
	c, _ := NewcomerOrg(DefaultBase, 0, "BankC", RoleBank, Enterprise{ID: "bankC"})
	ord := Orderer{Name: "orderer1", Owner: "BankC", Host: "orderer1.bankc.tierchain.local", Ports: Ports{Listen: DefaultBase + 10}}
	if err := writeMembership(p, Membership{Admitted: []Org{c}, Removed: []string{"BankB"}, Orderers: []Orderer{ord}}); err != nil {
		t.Fatal(err)
	}
	got, err := withMembers(l, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Org("BankC"); !ok {
		t.Error("BankC missing")
	}
	if _, ok := got.Org("BankB"); ok {
		t.Error("removed BankB still there")
	}
	if len(got.Orderers) != 2 || got.Orderers[1].Owner != "BankC" {
		t.Errorf("orderers %+v", got.Orderers)
	}
	if len(l.Orgs) != 5 || len(l.Orderers) != 1 {
		t.Error("withMembers changed its input")
	}
	if filepath.Base(p.Members()) != "members.json" {
		t.Error(p.Members())
	}
}
