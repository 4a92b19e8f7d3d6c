package channelconfig

import (
	"fmt"
	"maps"
	"slices"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	mspb "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	pb "github.com/hyperledger/fabric-protos-go-apiv2/peer"
	"google.golang.org/protobuf/proto"
)

// AddOrg returns a copy of cfg with the definition's organisation in the
// Application group, as configtxgen would have written it there: its MSP
// (root and TLS root CAs, NodeOUs), its anchor peers, and the policies
// every endorsing member has (Readers: its admins, peers and clients;
// Writers: its admins and clients; Admins: its admins; Endorsement: its
// peers), each changed only by its own Admins. ErrOrgExists if the MSP ID
// is taken, in the Application or the Orderer group.
func AddOrg(cfg *cb.Config, d Definition) (*cb.Config, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	for _, g := range []string{applicationGroup, ordererGroup} {
		if _, ok := cfg.GetChannelGroup().GetGroups()[g].GetGroups()[d.MSPID]; ok {
			return nil, fmt.Errorf("%w: %s", ErrOrgExists, d.MSPID)
		}
	}
	group, err := OrgGroup(d)
	if err != nil {
		return nil, err
	}
	out := proto.Clone(cfg).(*cb.Config)
	app := out.ChannelGroup.Groups[applicationGroup]
	if app.Groups == nil {
		app.Groups = map[string]*cb.ConfigGroup{}
	}
	app.Groups[d.MSPID] = group
	// While a member is suspended the Application Writers are explicit:
	// the newcomer writes like every other member.
	if cb.Policy_PolicyType(app.GetPolicies()[writersPolicy].GetPolicy().GetType()) == cb.Policy_SIGNATURE {
		writers, err := WriterOrgs(cfg, applicationGroup)
		if err != nil {
			return nil, err
		}
		if err := setGroupWriters(app, append(writers, d.MSPID)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// RemoveOrg returns a copy of cfg without the application organisation
// msp: its identities can no longer read, endorse or submit, and its peer
// gets no further blocks. ErrNoOrg if it is not there; an organisation
// that also runs orderers (it is in the Orderer group) is refused
// (ErrDefinition): its consenters and Orderer membership go first.
func RemoveOrg(cfg *cb.Config, msp string) (*cb.Config, error) {
	app := cfg.GetChannelGroup().GetGroups()[applicationGroup]
	if _, ok := app.GetGroups()[msp]; !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoOrg, msp)
	}
	if _, ok := cfg.GetChannelGroup().GetGroups()[ordererGroup].GetGroups()[msp]; ok {
		return nil, fmt.Errorf("%w: %s runs orderers; remove its consenters and its Orderer membership first", ErrDefinition, msp)
	}
	if len(app.GetGroups()) < 2 {
		return nil, fmt.Errorf("%w: %s is the last application organisation", ErrLastWriterOrg, msp)
	}
	out := proto.Clone(cfg).(*cb.Config)
	delete(out.ChannelGroup.Groups[applicationGroup].Groups, msp)
	// An explicit Writers (a member suspended) no longer names it.
	if cb.Policy_PolicyType(app.GetPolicies()[writersPolicy].GetPolicy().GetType()) == cb.Policy_SIGNATURE {
		writers, err := WriterOrgs(cfg, applicationGroup)
		if err != nil {
			return nil, err
		}
		writers = slices.DeleteFunc(writers, func(s string) bool { return s == msp })
		if len(writers) == 0 {
			return nil, fmt.Errorf("%w: removing %s", ErrLastWriterOrg, msp)
		}
		if err := setGroupWriters(out.ChannelGroup.Groups[applicationGroup], writers); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// SuspendOrg returns a copy of cfg in which no identity of organisation
// msp can submit a transaction or a config update, while it stays on the
// channel: its peer keeps receiving blocks and its identities can still
// query (the ledger it wrote stays readable to everyone who reads).
//
// The organisation's own Writers policy can only be changed by its own
// Admins (its mod_policy), which a suspended member would not sign. So
// the channel-level policy that the majority controls changes instead:
// Application/Writers (mod_policy: Application/Admins, MAJORITY) goes
// from "ANY Writers" to an explicit signature policy over the remaining
// members' own Writers principals; the Orderer group's Writers likewise if
// the organisation also runs orderers. An organisation suspended already
// is ErrNoChange; ReinstateOrg undoes it.
func SuspendOrg(cfg *cb.Config, msp string) (*cb.Config, error) {
	return changeWriters(cfg, msp, false)
}

// ReinstateOrg undoes SuspendOrg: organisation msp's identities write
// again. Once nobody is suspended the groups' Writers are "ANY Writers"
// again. An organisation that is not suspended is ErrNoChange.
func ReinstateOrg(cfg *cb.Config, msp string) (*cb.Config, error) {
	return changeWriters(cfg, msp, true)
}

func changeWriters(cfg *cb.Config, msp string, admit bool) (*cb.Config, error) {
	app := cfg.GetChannelGroup().GetGroups()[applicationGroup]
	if _, ok := app.GetGroups()[msp]; !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoOrg, msp)
	}
	out := proto.Clone(cfg).(*cb.Config)
	for _, g := range []string{applicationGroup, ordererGroup} {
		grp := out.ChannelGroup.Groups[g]
		if _, ok := grp.GetGroups()[msp]; !ok {
			continue
		}
		writers, err := WriterOrgs(cfg, g)
		if err != nil {
			return nil, err
		}
		switch {
		case admit && slices.Contains(writers, msp):
			return nil, fmt.Errorf("%w: %s is not suspended", ErrNoChange, msp)
		case !admit && !slices.Contains(writers, msp):
			return nil, fmt.Errorf("%w: %s is suspended already", ErrNoChange, msp)
		case admit:
			writers = append(writers, msp)
		default:
			writers = slices.DeleteFunc(writers, func(s string) bool { return s == msp })
		}
		if len(writers) == 0 {
			return nil, fmt.Errorf("%w: suspending %s", ErrLastWriterOrg, msp)
		}
		if err := setGroupWriters(grp, writers); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// setGroupWriters makes group grp's Writers admit the writers of exactly
// the member organisations msps: "ANY Writers" when that is every member
// whose own Writers admits anybody, else the union of those members' own
// Writers principals (their admins and clients, their orderers where they
// run some). Version and mod policy stay.
func setGroupWriters(grp *cb.ConfigGroup, msps []string) error {
	all := implicitWriters(grp)
	slices.Sort(msps)
	var pol *cb.Policy
	if slices.Equal(all, msps) {
		v, err := proto.Marshal(&cb.ImplicitMetaPolicy{SubPolicy: writersPolicy, Rule: cb.ImplicitMetaPolicy_ANY})
		if err != nil {
			return err
		}
		pol = &cb.Policy{Type: int32(cb.Policy_IMPLICIT_META), Value: v}
	} else {
		env := &cb.SignaturePolicyEnvelope{Rule: &cb.SignaturePolicy{Type: &cb.SignaturePolicy_NOutOf_{NOutOf: &cb.SignaturePolicy_NOutOf{N: 1}}}}
		for _, id := range msps {
			var own cb.SignaturePolicyEnvelope
			if err := proto.Unmarshal(grp.Groups[id].GetPolicies()[writersPolicy].GetPolicy().GetValue(), &own); err != nil {
				return fmt.Errorf("%w: %s Writers: %w", ErrNotConfig, id, err)
			}
			for _, p := range own.Identities {
				idx := int32(len(env.Identities))
				env.Identities = append(env.Identities, p)
				n := env.Rule.GetNOutOf()
				n.Rules = append(n.Rules, &cb.SignaturePolicy{Type: &cb.SignaturePolicy_SignedBy{SignedBy: idx}})
			}
		}
		v, err := proto.Marshal(env)
		if err != nil {
			return err
		}
		pol = &cb.Policy{Type: int32(cb.Policy_SIGNATURE), Value: v}
	}
	old := grp.Policies[writersPolicy]
	grp.Policies[writersPolicy] = &cb.ConfigPolicy{Version: old.GetVersion(), ModPolicy: old.GetModPolicy(), Policy: pol}
	return nil
}

// implicitWriters lists (sorted) the members of grp whose own Writers
// admits anybody: who "ANY Writers" lets write.
func implicitWriters(grp *cb.ConfigGroup) []string {
	var out []string
	for _, id := range slices.Sorted(maps.Keys(grp.GetGroups())) {
		w := grp.Groups[id].GetPolicies()[writersPolicy].GetPolicy()
		if w == nil || nobodyPolicy(w) {
			continue
		}
		out = append(out, id)
	}
	return out
}

// WriterOrgs lists the organisations of group g (Application or Orderer)
// whose identities can write: every member whose own Writers policy some
// identity can satisfy, while the group's Writers is "ANY Writers"; the
// members named in it once SuspendOrg made it explicit.
func WriterOrgs(cfg *cb.Config, g string) ([]string, error) {
	grp := cfg.GetChannelGroup().GetGroups()[g]
	pol := grp.GetPolicies()[writersPolicy].GetPolicy()
	switch cb.Policy_PolicyType(pol.GetType()) {
	case cb.Policy_IMPLICIT_META:
		return implicitWriters(grp), nil
	case cb.Policy_SIGNATURE:
		var env cb.SignaturePolicyEnvelope
		if err := proto.Unmarshal(pol.Value, &env); err != nil {
			return nil, fmt.Errorf("%w: %s Writers: %w", ErrNotConfig, g, err)
		}
		var out []string
		for _, p := range env.Identities {
			var role mspb.MSPRole
			if p.PrincipalClassification != mspb.MSPPrincipal_ROLE || proto.Unmarshal(p.Principal, &role) != nil {
				continue
			}
			if !slices.Contains(out, role.MspIdentifier) {
				out = append(out, role.MspIdentifier)
			}
		}
		slices.Sort(out)
		return out, nil
	}
	return nil, fmt.Errorf("%w: %s Writers of policy type %d", ErrNotConfig, g, pol.GetType())
}

// nobodyPolicy reports a signature policy no identity satisfies (1 out of
// an empty set: the regulator's Writers).
func nobodyPolicy(p *cb.Policy) bool {
	if cb.Policy_PolicyType(p.Type) != cb.Policy_SIGNATURE {
		return false
	}
	var env cb.SignaturePolicyEnvelope
	if proto.Unmarshal(p.Value, &env) != nil {
		return false
	}
	n := env.GetRule().GetNOutOf()
	return n != nil && int(n.N) > len(n.Rules)
}

// OrgGroup is the Application group entry of a definition's organisation.
func OrgGroup(d Definition) (*cb.ConfigGroup, error) {
	mspValue, err := mspConfig(d)
	if err != nil {
		return nil, err
	}
	anchors := &pb.AnchorPeers{}
	for _, a := range d.AnchorPeers {
		anchors.AnchorPeers = append(anchors.AnchorPeers, &pb.AnchorPeer{Host: a.Host, Port: int32(a.Port)})
	}
	anchorValue, err := proto.Marshal(anchors)
	if err != nil {
		return nil, err
	}
	policies := map[string][]mspb.MSPRole_MSPRoleType{
		readersPolicy:  {mspb.MSPRole_ADMIN, mspb.MSPRole_PEER, mspb.MSPRole_CLIENT},
		writersPolicy:  {mspb.MSPRole_ADMIN, mspb.MSPRole_CLIENT},
		adminsPolicy:   {mspb.MSPRole_ADMIN},
		endorsementPol: {mspb.MSPRole_PEER},
	}
	g := &cb.ConfigGroup{
		ModPolicy: adminsPolicy,
		Groups:    map[string]*cb.ConfigGroup{},
		Values: map[string]*cb.ConfigValue{
			mspKey:         {ModPolicy: adminsPolicy, Value: mspValue},
			anchorPeersKey: {ModPolicy: adminsPolicy, Value: anchorValue},
		},
		Policies: map[string]*cb.ConfigPolicy{},
	}
	for name, roles := range policies {
		p, err := signedByAnyRole([]string{d.MSPID}, roles...)
		if err != nil {
			return nil, err
		}
		g.Policies[name] = &cb.ConfigPolicy{ModPolicy: adminsPolicy, Policy: p}
	}
	return g, nil
}

// mspConfig is the MSP value of a definition: a Fabric X.509 MSP whose
// roles come from NodeOUs under its first root CA.
func mspConfig(d Definition) ([]byte, error) {
	ca := []byte(d.CACerts[0])
	ou := func(name string) *mspb.FabricOUIdentifier {
		return &mspb.FabricOUIdentifier{Certificate: ca, OrganizationalUnitIdentifier: name}
	}
	fc := &mspb.FabricMSPConfig{
		Name:         d.MSPID,
		CryptoConfig: &mspb.FabricCryptoConfig{SignatureHashFamily: "SHA2", IdentityIdentifierHashFunction: "SHA256"},
		FabricNodeOus: &mspb.FabricNodeOUs{Enable: true,
			ClientOuIdentifier: ou("client"), PeerOuIdentifier: ou("peer"),
			AdminOuIdentifier: ou("admin"), OrdererOuIdentifier: ou("orderer")},
	}
	for _, c := range d.CACerts {
		fc.RootCerts = append(fc.RootCerts, []byte(c))
	}
	for _, c := range d.TLSCACerts {
		fc.TlsRootCerts = append(fc.TlsRootCerts, []byte(c))
	}
	b, err := proto.Marshal(fc)
	if err != nil {
		return nil, err
	}
	return proto.Marshal(&mspb.MSPConfig{Type: 0, Config: b})
}

// signedByAnyRole is the signature policy OR(msp_i.role_j …): one
// signature of any of the roles of any of the organisations, listed
// organisation by organisation as configtxgen writes OR('A.admin', …).
func signedByAnyRole(msps []string, roles ...mspb.MSPRole_MSPRoleType) (*cb.Policy, error) {
	env := &cb.SignaturePolicyEnvelope{Rule: &cb.SignaturePolicy{Type: &cb.SignaturePolicy_NOutOf_{NOutOf: &cb.SignaturePolicy_NOutOf{N: 1}}}}
	for _, msp := range msps {
		for _, r := range roles {
			principal, err := proto.Marshal(&mspb.MSPRole{MspIdentifier: msp, Role: r})
			if err != nil {
				return nil, err
			}
			idx := int32(len(env.Identities))
			env.Identities = append(env.Identities, &mspb.MSPPrincipal{PrincipalClassification: mspb.MSPPrincipal_ROLE, Principal: principal})
			n := env.Rule.GetNOutOf()
			n.Rules = append(n.Rules, &cb.SignaturePolicy{Type: &cb.SignaturePolicy_SignedBy{SignedBy: idx}})
		}
	}
	v, err := proto.Marshal(env)
	if err != nil {
		return nil, err
	}
	return &cb.Policy{Type: int32(cb.Policy_SIGNATURE), Value: v}, nil
}

// LockOrgWriters returns a copy of cfg in which organisation msp's own
// Writers policy is one no identity satisfies (1 out of an empty set). Its
// mod_policy is the organisation's own Admins, so this is what an
// organisation does to itself (the Regulator, once the chaincode is
// deployed: it writes nothing after). ErrNoChange if it is locked already.
func LockOrgWriters(cfg *cb.Config, msp string) (*cb.Config, error) {
	org, ok := cfg.GetChannelGroup().GetGroups()[applicationGroup].GetGroups()[msp]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoOrg, msp)
	}
	w := org.GetPolicies()[writersPolicy]
	if w == nil {
		return nil, fmt.Errorf("%w: no Writers policy for %s", ErrNotConfig, msp)
	}
	if nobodyPolicy(w.GetPolicy()) {
		return nil, fmt.Errorf("%w: %s's Writers is locked already", ErrNoChange, msp)
	}
	nobody, err := proto.Marshal(&cb.SignaturePolicyEnvelope{
		Rule: &cb.SignaturePolicy{Type: &cb.SignaturePolicy_NOutOf_{NOutOf: &cb.SignaturePolicy_NOutOf{N: 1}}},
	})
	if err != nil {
		return nil, err
	}
	out := proto.Clone(cfg).(*cb.Config)
	lw := out.ChannelGroup.Groups[applicationGroup].Groups[msp].Policies[writersPolicy]
	lw.Policy = &cb.Policy{Type: int32(cb.Policy_SIGNATURE), Value: nobody}
	return out, nil
}

// UnlockOrgWriters undoes LockOrgWriters: organisation msp's Writers
// admits its admins again (what the Regulator's is at genesis), so that
// its admin can approve a new chaincode definition, after which it locks
// itself again. Only the organisation's own Admins can sign it.
func UnlockOrgWriters(cfg *cb.Config, msp string) (*cb.Config, error) {
	org, ok := cfg.GetChannelGroup().GetGroups()[applicationGroup].GetGroups()[msp]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoOrg, msp)
	}
	if w := org.GetPolicies()[writersPolicy]; w == nil || !nobodyPolicy(w.GetPolicy()) {
		return nil, fmt.Errorf("%w: %s's Writers is not locked", ErrNoChange, msp)
	}
	pol, err := signedByAnyRole([]string{msp}, mspb.MSPRole_ADMIN)
	if err != nil {
		return nil, err
	}
	out := proto.Clone(cfg).(*cb.Config)
	out.ChannelGroup.Groups[applicationGroup].Groups[msp].Policies[writersPolicy].Policy = pol
	return out, nil
}

// Locked reports whether organisation msp's own Writers policy admits
// nobody (LockOrgWriters).
func Locked(cfg *cb.Config, msp string) bool {
	w := cfg.GetChannelGroup().GetGroups()[applicationGroup].GetGroups()[msp].GetPolicies()[writersPolicy]
	return w != nil && nobodyPolicy(w.GetPolicy())
}

// HasRootCA reports whether application organisation msp's MSP trusts the
// root CA certificate caPEM: an organisation on the channel under the same
// MSP ID with another CA is not the same organisation.
func HasRootCA(cfg *cb.Config, msp, caPEM string) (bool, error) {
	org, ok := cfg.GetChannelGroup().GetGroups()[applicationGroup].GetGroups()[msp]
	if !ok {
		return false, fmt.Errorf("%w: %s", ErrNoOrg, msp)
	}
	var mc mspb.MSPConfig
	if err := proto.Unmarshal(org.GetValues()[mspKey].GetValue(), &mc); err != nil {
		return false, fmt.Errorf("%w: %w", ErrNotConfig, err)
	}
	var fc mspb.FabricMSPConfig
	if err := proto.Unmarshal(mc.Config, &fc); err != nil {
		return false, fmt.Errorf("%w: %w", ErrNotConfig, err)
	}
	for _, r := range fc.RootCerts {
		if string(r) == caPEM {
			return true, nil
		}
	}
	return false, nil
}
