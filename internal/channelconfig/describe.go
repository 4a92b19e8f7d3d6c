package channelconfig

import (
	"fmt"
	"slices"
	"strings"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
)

// CheckCurrent returns ErrStaleUpdate unless the update was computed
// against cfg (every version its read set pins is cfg's): an update
// computed before another change was committed is refused by the orderer,
// so a member checks before signing, against the config it fetched.
func CheckCurrent(cfg *cb.Config, u *Update) error {
	if !readSetMatches(cfg.GetChannelGroup(), u.Update.GetReadSet()) {
		return ErrStaleUpdate
	}
	return nil
}

func readSetMatches(have, read *cb.ConfigGroup) bool {
	if read == nil {
		return true
	}
	if have == nil || have.Version != read.Version {
		return false
	}
	for k, g := range read.Groups {
		if !readSetMatches(have.Groups[k], g) {
			return false
		}
	}
	for k, v := range read.Values {
		h, ok := have.Values[k]
		if !ok || h.Version != v.Version {
			return false
		}
	}
	for k, p := range read.Policies {
		h, ok := have.Policies[k]
		if !ok || h.Version != p.Version {
			return false
		}
	}
	return true
}

// Describe says, one line each, what an update changes: the groups it
// adds or removes and the values and policies it sets, by path
// ("add Application/BankCMSP", "remove Application/BankBMSP", "set
// Application/Writers"), so an admin sees what it signs. cfg is the
// channel's config the update was computed against (a removal shows only
// against it: the write set simply no longer names the group).
func Describe(cfg *cb.Config, u *Update) []string {
	var out []string
	describeGroup(&out, "", cfg.GetChannelGroup(), u.Update.GetWriteSet())
	return out
}

func describeGroup(out *[]string, path string, read, write *cb.ConfigGroup) {
	join := func(name string) string {
		if path == "" {
			return name
		}
		return path + "/" + name
	}
	for _, k := range sortedKeys(write.GetGroups()) {
		w := write.Groups[k]
		r, ok := read.GetGroups()[k]
		if !ok {
			*out = append(*out, "add "+join(k))
			continue
		}
		describeGroup(out, join(k), r, w)
	}
	if write.GetVersion() > read.GetVersion() {
		// Membership changed: what the config has and the write set
		// does not name is removed.
		for _, k := range sortedKeys(read.GetGroups()) {
			if _, ok := write.GetGroups()[k]; !ok {
				*out = append(*out, "remove "+join(k))
			}
		}
	}
	for _, k := range sortedKeys(write.GetValues()) {
		if r, ok := read.GetValues()[k]; !ok || write.Values[k].Version > r.Version {
			*out = append(*out, fmt.Sprintf("set %s (value)", join(k)))
		}
	}
	for _, k := range sortedKeys(write.GetPolicies()) {
		if r, ok := read.GetPolicies()[k]; !ok || write.Policies[k].Version > r.Version {
			*out = append(*out, fmt.Sprintf("set %s (policy)", join(k)))
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Enough returns nil if, for every top-level group the update changes
// (Application, Orderer), a majority of that group's organisations'
// admins signed it; else ErrTooFew naming who did. An update that changes
// neither (a channel-level value) is checked against Application.
func (u *Update) Enough(cfg *cb.Config) error {
	var groups []string
	for _, line := range Describe(cfg, u) {
		_, path, _ := strings.Cut(line, " ")
		top, _, _ := strings.Cut(path, "/")
		if (top == applicationGroup || top == ordererGroup) && !slices.Contains(groups, top) {
			groups = append(groups, top)
		}
	}
	if len(groups) == 0 {
		groups = []string{applicationGroup}
	}
	for _, g := range groups {
		if err := u.EnoughIn(cfg, g); err != nil {
			return err
		}
	}
	return nil
}
