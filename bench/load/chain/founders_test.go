package chain

import (
	"testing"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabnet"
)

// A world member that signs as an organisation's founding enterprise is
// that enterprise (the REST gateways register it under the layout's ID),
// and the world's core is never the founding core, which the REST story
// grants lines to and issues as: sharing it made a run of chain workloads
// then rest-split fail ("NOT_FOUND: enterprise carmaker").
func TestMembersAreTheLayoutsFounders(t *testing.T) {
	l := fabnet.NewLayout(fabnet.DefaultBase, 1)
	founders := 0
	for _, s := range members(l) {
		o, ok := l.Org(s.org)
		if !ok {
			t.Fatalf("member %s: no org %s in the layout", s.id, s.org)
		}
		if s.role == model.RoleCore {
			t.Errorf("member %s: the world's core is made apart, never from the layout", s.id)
		}
		isFounder := o.Enterprise.Identity == s.user
		if s.founder != isFounder || (isFounder && s.id != o.Enterprise.ID) {
			t.Errorf("member %s (%s/%s): founder=%v, layout's founder %s signs as %s", s.id, s.org, s.user, s.founder, o.Enterprise.ID, o.Enterprise.Identity)
		}
		if isFounder {
			founders++
		}
	}
	if founders != 3 { // operator, bankA, regulator
		t.Errorf("%d founders among the members, want 3", founders)
	}
}
