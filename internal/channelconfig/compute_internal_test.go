package channelconfig

import (
	"testing"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// The items of a group (here its values; its policies go through the same
// code) are updated as configtxlator does.
func TestItemsUpdate(t *testing.T) {
	v := func(version uint64, mod, value string) *cb.ConfigValue {
		return &cb.ConfigValue{Version: version, ModPolicy: mod, Value: []byte(value)}
	}
	original := map[string]*cb.ConfigValue{"same": v(3, "Admins", "a"), "changed": v(2, "Admins", "b"), "newmod": v(5, "Admins", "c")}
	updated := map[string]*cb.ConfigValue{"same": v(3, "Admins", "a"), "changed": v(2, "Admins", "B"), "newmod": v(5, "Writers", "c")}
	read, write, same, members := computeValuesMapUpdate(original, updated)
	if members || len(read) != 0 {
		t.Fatalf("members changed %v, read set %v", members, read)
	}
	want := map[string]*cb.ConfigValue{"changed": v(3, "Admins", "B"), "newmod": v(6, "Writers", "c")}
	if len(write) != len(want) {
		t.Fatalf("write set %v", write)
	}
	for k, w := range want {
		if !proto.Equal(write[k], w) {
			t.Errorf("write %s: %v, want %v", k, write[k], w)
		}
	}
	if len(same) != 1 || !proto.Equal(same["same"], &cb.ConfigValue{Version: 3}) {
		t.Errorf("same set %v", same)
	}

	updated["added"] = v(9, "Admins", "d")
	delete(updated, "same")
	_, write, _, members = computeValuesMapUpdate(original, updated)
	if !members || !proto.Equal(write["added"], v(0, "Admins", "d")) || write["same"] != nil {
		t.Errorf("an added and a removed value: members changed %v, write set %v", members, write)
	}

	p := &cb.Policy{Type: 1, Value: []byte("p")}
	_, pw, ps, _ := computePoliciesMapUpdate(
		map[string]*cb.ConfigPolicy{"Admins": {Version: 1, ModPolicy: "Admins", Policy: p}, "Readers": {Version: 4, Policy: p}},
		map[string]*cb.ConfigPolicy{"Admins": {Version: 1, ModPolicy: "Admins", Policy: &cb.Policy{Type: 3, Value: []byte("p")}}, "Readers": {Version: 4, Policy: p}})
	if !proto.Equal(pw["Admins"], &cb.ConfigPolicy{Version: 2, ModPolicy: "Admins", Policy: &cb.Policy{Type: 3, Value: []byte("p")}}) ||
		!proto.Equal(ps["Readers"], &cb.ConfigPolicy{Version: 4}) || len(pw) != 1 {
		t.Errorf("policies: write %v, same %v", pw, ps)
	}
}
