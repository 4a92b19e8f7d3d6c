// Computing a CONFIG_UPDATE from two configs is ported from Hyperledger
// Fabric's internal/configtxlator/update (Copyright IBM Corp. 2017,
// SPDX-License-Identifier: Apache-2.0) to fabric-protos-go-apiv2: the same
// read and write sets configtxlator's compute_update produces.

package channelconfig

import (
	"bytes"
	"fmt"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	"google.golang.org/protobuf/proto"
)

// Compute returns the CONFIG_UPDATE that turns original into updated on
// channel: the read set pins the version of everything the change depends
// on, the write set bumps the version of what changes. ErrNoChange if the
// two are the same.
func Compute(channel string, original, updated *cb.Config) (*cb.ConfigUpdate, error) {
	if original.GetChannelGroup() == nil || updated.GetChannelGroup() == nil {
		return nil, fmt.Errorf("%w: no channel group", ErrNotConfig)
	}
	readSet, writeSet, changed := computeGroupUpdate(original.ChannelGroup, updated.ChannelGroup)
	if !changed {
		return nil, ErrNoChange
	}
	return &cb.ConfigUpdate{ChannelId: channel, ReadSet: readSet, WriteSet: writeSet}, nil
}

// computeItemsUpdate computes the update of a group's policies or values,
// as configtxlator does: an item that stays as it was is in the same set
// (its version only), a changed one is written at its version + 1, a new
// one at version 0; removing or adding one changes the group's members.
// same compares two items' content and mod policy; at makes an item of
// version with from's content (none when from is nil). The read set is
// empty: the group names its items there only when its members change.
func computeItemsUpdate[T interface{ GetVersion() uint64 }](original, updated map[string]T, same func(o, u T) bool, at func(from T, version uint64) T) (readSet, writeSet, sameSet map[string]T, membersChanged bool) {
	readSet, writeSet, sameSet = map[string]T{}, map[string]T{}, map[string]T{}
	var none T
	for name, o := range original {
		u, ok := updated[name]
		if !ok {
			membersChanged = true
			continue
		}
		if same(o, u) {
			sameSet[name] = at(none, o.GetVersion())
			continue
		}
		writeSet[name] = at(u, o.GetVersion()+1)
	}
	for name, u := range updated {
		if _, ok := original[name]; ok {
			continue
		}
		membersChanged = true
		writeSet[name] = at(u, 0)
	}
	return readSet, writeSet, sameSet, membersChanged
}

func computePoliciesMapUpdate(original, updated map[string]*cb.ConfigPolicy) (readSet, writeSet, sameSet map[string]*cb.ConfigPolicy, membersChanged bool) {
	return computeItemsUpdate(original, updated,
		func(o, u *cb.ConfigPolicy) bool { return o.ModPolicy == u.ModPolicy && proto.Equal(o.Policy, u.Policy) },
		func(from *cb.ConfigPolicy, version uint64) *cb.ConfigPolicy {
			return &cb.ConfigPolicy{Version: version, ModPolicy: from.GetModPolicy(), Policy: from.GetPolicy()}
		})
}

func computeValuesMapUpdate(original, updated map[string]*cb.ConfigValue) (readSet, writeSet, sameSet map[string]*cb.ConfigValue, membersChanged bool) {
	return computeItemsUpdate(original, updated,
		func(o, u *cb.ConfigValue) bool { return o.ModPolicy == u.ModPolicy && bytes.Equal(o.Value, u.Value) },
		func(from *cb.ConfigValue, version uint64) *cb.ConfigValue {
			return &cb.ConfigValue{Version: version, ModPolicy: from.GetModPolicy(), Value: from.GetValue()}
		})
}

func computeGroupsMapUpdate(original, updated map[string]*cb.ConfigGroup) (readSet, writeSet, sameSet map[string]*cb.ConfigGroup, membersChanged bool) {
	readSet = map[string]*cb.ConfigGroup{}
	writeSet = map[string]*cb.ConfigGroup{}
	sameSet = map[string]*cb.ConfigGroup{}
	for name, o := range original {
		u, ok := updated[name]
		if !ok {
			membersChanged = true
			continue
		}
		r, w, changed := computeGroupUpdate(o, u)
		if !changed {
			sameSet[name] = r
			continue
		}
		readSet[name] = r
		writeSet[name] = w
	}
	for name, u := range updated {
		if _, ok := original[name]; ok {
			continue
		}
		membersChanged = true
		_, w, _ := computeGroupUpdate(&cb.ConfigGroup{
			Groups: map[string]*cb.ConfigGroup{}, Values: map[string]*cb.ConfigValue{}, Policies: map[string]*cb.ConfigPolicy{},
		}, u)
		writeSet[name] = &cb.ConfigGroup{Version: 0, ModPolicy: u.ModPolicy, Policies: w.Policies, Values: w.Values, Groups: w.Groups}
	}
	return readSet, writeSet, sameSet, membersChanged
}

func computeGroupUpdate(original, updated *cb.ConfigGroup) (readSet, writeSet *cb.ConfigGroup, changed bool) {
	rp, wp, sp, pm := computePoliciesMapUpdate(original.Policies, updated.Policies)
	rv, wv, sv, vm := computeValuesMapUpdate(original.Values, updated.Values)
	rg, wg, sg, gm := computeGroupsMapUpdate(original.Groups, updated.Groups)

	if !pm && !vm && !gm && original.ModPolicy == updated.ModPolicy {
		// Membership and mod policy unchanged: the group's own version
		// stays; only the changed elements are in the sets.
		if len(rp) == 0 && len(wp) == 0 && len(rv) == 0 && len(wv) == 0 && len(rg) == 0 && len(wg) == 0 {
			return &cb.ConfigGroup{Version: original.Version}, &cb.ConfigGroup{Version: original.Version}, false
		}
		return &cb.ConfigGroup{Version: original.Version, Policies: rp, Values: rv, Groups: rg},
			&cb.ConfigGroup{Version: original.Version, Policies: wp, Values: wv, Groups: wg}, true
	}
	// Membership changed: the group's version is bumped and every element
	// that stays is named (at its version) in both sets.
	for k, s := range sp {
		rp[k], wp[k] = s, s
	}
	for k, s := range sv {
		rv[k], wv[k] = s, s
	}
	for k, s := range sg {
		rg[k], wg[k] = s, s
	}
	return &cb.ConfigGroup{Version: original.Version, Policies: rp, Values: rv, Groups: rg},
		&cb.ConfigGroup{Version: original.Version + 1, Policies: wp, Values: wv, Groups: wg, ModPolicy: updated.ModPolicy}, true
}
