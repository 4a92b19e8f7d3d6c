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

func computePoliciesMapUpdate(original, updated map[string]*cb.ConfigPolicy) (readSet, writeSet, sameSet map[string]*cb.ConfigPolicy, membersChanged bool) {
	readSet = map[string]*cb.ConfigPolicy{}
	writeSet = map[string]*cb.ConfigPolicy{}
	sameSet = map[string]*cb.ConfigPolicy{}
	for name, o := range original {
		u, ok := updated[name]
		if !ok {
			membersChanged = true
			continue
		}
		if o.ModPolicy == u.ModPolicy && proto.Equal(o.Policy, u.Policy) {
			sameSet[name] = &cb.ConfigPolicy{Version: o.Version}
			continue
		}
		writeSet[name] = &cb.ConfigPolicy{Version: o.Version + 1, ModPolicy: u.ModPolicy, Policy: u.Policy}
	}
	for name, u := range updated {
		if _, ok := original[name]; ok {
			continue
		}
		membersChanged = true
		writeSet[name] = &cb.ConfigPolicy{Version: 0, ModPolicy: u.ModPolicy, Policy: u.Policy}
	}
	return readSet, writeSet, sameSet, membersChanged
}

func computeValuesMapUpdate(original, updated map[string]*cb.ConfigValue) (readSet, writeSet, sameSet map[string]*cb.ConfigValue, membersChanged bool) {
	readSet = map[string]*cb.ConfigValue{}
	writeSet = map[string]*cb.ConfigValue{}
	sameSet = map[string]*cb.ConfigValue{}
	for name, o := range original {
		u, ok := updated[name]
		if !ok {
			membersChanged = true
			continue
		}
		if o.ModPolicy == u.ModPolicy && bytes.Equal(o.Value, u.Value) {
			sameSet[name] = &cb.ConfigValue{Version: o.Version}
			continue
		}
		writeSet[name] = &cb.ConfigValue{Version: o.Version + 1, ModPolicy: u.ModPolicy, Value: u.Value}
	}
	for name, u := range updated {
		if _, ok := original[name]; ok {
			continue
		}
		membersChanged = true
		writeSet[name] = &cb.ConfigValue{Version: 0, ModPolicy: u.ModPolicy, Value: u.Value}
	}
	return readSet, writeSet, sameSet, membersChanged
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
