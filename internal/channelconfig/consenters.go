package channelconfig

import (
	"bytes"
	"fmt"
	"slices"

	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	mspb "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	ob "github.com/hyperledger/fabric-protos-go-apiv2/orderer"
	"github.com/hyperledger/fabric-protos-go-apiv2/orderer/etcdraft"
	"google.golang.org/protobuf/proto"
)

// Orderer group keys.
const (
	consensusTypeKey    = "ConsensusType"
	endpointsKey        = "Endpoints"
	blockValidationPol  = "BlockValidation"
	etcdraftConsensus   = "etcdraft"
	ordererOrgModPolicy = "Admins"
)

// Consenter is one Raft consenter of the channel: where it is reached and
// its TLS certificate (PEM), which it presents as server and as client.
type Consenter struct {
	Host    string
	Port    int
	TLSCert []byte
}

// Consenters lists the channel's Raft consenters.
func Consenters(cfg *cb.Config) ([]Consenter, error) {
	_, md, err := raftMetadata(cfg)
	if err != nil {
		return nil, err
	}
	var out []Consenter
	for _, c := range md.Consenters {
		out = append(out, Consenter{Host: c.Host, Port: int(c.Port), TLSCert: c.ServerTlsCert})
	}
	return out, nil
}

func raftMetadata(cfg *cb.Config) (*ob.ConsensusType, *etcdraft.ConfigMetadata, error) {
	v := cfg.GetChannelGroup().GetGroups()[ordererGroup].GetValues()[consensusTypeKey]
	if v == nil {
		return nil, nil, fmt.Errorf("%w: no ConsensusType", ErrNotConfig)
	}
	var ct ob.ConsensusType
	if err := proto.Unmarshal(v.Value, &ct); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrNotConfig, err)
	}
	if ct.Type != etcdraftConsensus {
		return nil, nil, fmt.Errorf("%w: consensus %q, not etcdraft", ErrNotConfig, ct.Type)
	}
	var md etcdraft.ConfigMetadata
	if err := proto.Unmarshal(ct.Metadata, &md); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrNotConfig, err)
	}
	return &ct, &md, nil
}

func setRaftMetadata(cfg *cb.Config, ct *ob.ConsensusType, md *etcdraft.ConfigMetadata) error {
	b, err := proto.Marshal(md)
	if err != nil {
		return err
	}
	ct.Metadata = b
	v, err := proto.Marshal(ct)
	if err != nil {
		return err
	}
	cfg.ChannelGroup.Groups[ordererGroup].Values[consensusTypeKey].Value = v
	return nil
}

// AddConsenter returns a copy of cfg in which the application member d
// also orders: its organisation in the Orderer group (its MSP, its
// orderers' endpoint, policies that admit its orderers), its orderers in
// BlockValidation (a block they sign is valid), and c in the Raft
// consenter set. It needs a majority of the ordering organisations'
// admins (Orderer/Admins). A consenter already there is ErrNoChange.
func AddConsenter(cfg *cb.Config, d Definition, c Consenter, endpoint string) (*cb.Config, error) {
	if err := d.Validate(); err != nil {
		return nil, err
	}
	if _, ok := cfg.GetChannelGroup().GetGroups()[applicationGroup].GetGroups()[d.MSPID]; !ok {
		return nil, fmt.Errorf("%w: %s is no member (admit it first)", ErrNoOrg, d.MSPID)
	}
	if c.Host == "" || c.Port < 1 || c.Port > 65535 || len(c.TLSCert) == 0 {
		return nil, fmt.Errorf("%w: consenter needs a host, a port and a TLS certificate", ErrDefinition)
	}
	if _, err := parseCert(c.TLSCert); err != nil {
		return nil, fmt.Errorf("%w: consenter TLS certificate: %w", ErrDefinition, err)
	}
	out := proto.Clone(cfg).(*cb.Config)
	ct, md, err := raftMetadata(out)
	if err != nil {
		return nil, err
	}
	for _, x := range md.Consenters {
		if x.Host == c.Host && int(x.Port) == c.Port {
			return nil, fmt.Errorf("%w: consenter %s:%d is there", ErrNoChange, c.Host, c.Port)
		}
	}
	md.Consenters = append(md.Consenters, &etcdraft.Consenter{Host: c.Host, Port: uint32(c.Port), ClientTlsCert: c.TLSCert, ServerTlsCert: c.TLSCert})
	if err := setRaftMetadata(out, ct, md); err != nil {
		return nil, err
	}
	ord := out.ChannelGroup.Groups[ordererGroup]
	if _, ok := ord.Groups[d.MSPID]; !ok {
		g, err := ordererOrgGroup(d, endpoint)
		if err != nil {
			return nil, err
		}
		ord.Groups[d.MSPID] = g
	}
	return out, setBlockValidation(ord)
}

// RemoveConsenter returns a copy of cfg without the consenter at
// host:port; if its organisation runs no other consenter it also leaves
// the Orderer group (and BlockValidation). Removing the last consenter is
// ErrLastWriterOrg; one that is not there ErrNoChange.
func RemoveConsenter(cfg *cb.Config, host string, port int, ownerMSP string) (*cb.Config, error) {
	out := proto.Clone(cfg).(*cb.Config)
	ct, md, err := raftMetadata(out)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(md.Consenters, func(x *etcdraft.Consenter) bool { return x.Host == host && int(x.Port) == port })
	if i < 0 {
		return nil, fmt.Errorf("%w: no consenter %s:%d", ErrNoChange, host, port)
	}
	if len(md.Consenters) == 1 {
		return nil, fmt.Errorf("%w: %s:%d is the last consenter", ErrLastWriterOrg, host, port)
	}
	removed := md.Consenters[i]
	md.Consenters = slices.Delete(md.Consenters, i, i+1)
	if err := setRaftMetadata(out, ct, md); err != nil {
		return nil, err
	}
	ord := out.ChannelGroup.Groups[ordererGroup]
	if ownerMSP == "" || ord.Groups[ownerMSP] == nil {
		return out, nil
	}
	// Does the owner run another consenter? Its TLS CA issued its
	// consenters' certificates.
	roots, err := tlsRootCerts(ord.Groups[ownerMSP])
	if err != nil {
		return nil, err
	}
	if issuedBy(removed.ServerTlsCert, roots) {
		for _, x := range md.Consenters {
			if issuedBy(x.ServerTlsCert, roots) {
				return out, nil
			}
		}
		delete(ord.Groups, ownerMSP)
		if err := setBlockValidation(ord); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// setBlockValidation makes the Orderer group's BlockValidation admit the
// orderers of exactly its member organisations (sorted), keeping its
// version and mod policy.
func setBlockValidation(ord *cb.ConfigGroup) error {
	bv := ord.Policies[blockValidationPol]
	if bv == nil {
		return fmt.Errorf("%w: no BlockValidation policy", ErrNotConfig)
	}
	if cb.Policy_PolicyType(bv.GetPolicy().GetType()) != cb.Policy_SIGNATURE {
		return nil // an implicit meta policy follows the membership by itself
	}
	var env cb.SignaturePolicyEnvelope
	if err := proto.Unmarshal(bv.Policy.Value, &env); err != nil {
		return fmt.Errorf("%w: %w", ErrNotConfig, err)
	}
	// Keep the order of the organisations already named; newcomers last.
	var msps []string
	for _, p := range env.Identities {
		var role mspb.MSPRole
		if proto.Unmarshal(p.Principal, &role) == nil && ord.Groups[role.MspIdentifier] != nil && !slices.Contains(msps, role.MspIdentifier) {
			msps = append(msps, role.MspIdentifier)
		}
	}
	for _, id := range sortedKeys(ord.Groups) {
		if !slices.Contains(msps, id) {
			msps = append(msps, id)
		}
	}
	pol, err := signedByAnyRole(msps, mspb.MSPRole_ORDERER)
	if err != nil {
		return err
	}
	bv.Policy = pol
	return nil
}

// ordererOrgGroup is the Orderer group entry of an organisation that runs
// orderers, as configtxgen writes it: its MSP, its orderers' endpoints,
// and policies that admit its orderers.
func ordererOrgGroup(d Definition, endpoint string) (*cb.ConfigGroup, error) {
	mspValue, err := mspConfig(d)
	if err != nil {
		return nil, err
	}
	eps, err := proto.Marshal(&cb.OrdererAddresses{Addresses: []string{endpoint}})
	if err != nil {
		return nil, err
	}
	g := &cb.ConfigGroup{
		ModPolicy: ordererOrgModPolicy,
		Groups:    map[string]*cb.ConfigGroup{},
		Values: map[string]*cb.ConfigValue{
			mspKey:       {ModPolicy: adminsPolicy, Value: mspValue},
			endpointsKey: {ModPolicy: adminsPolicy, Value: eps},
		},
		Policies: map[string]*cb.ConfigPolicy{},
	}
	for name, roles := range map[string][]mspb.MSPRole_MSPRoleType{
		readersPolicy:  {mspb.MSPRole_ADMIN, mspb.MSPRole_PEER, mspb.MSPRole_CLIENT, mspb.MSPRole_ORDERER},
		writersPolicy:  {mspb.MSPRole_ADMIN, mspb.MSPRole_CLIENT, mspb.MSPRole_ORDERER},
		adminsPolicy:   {mspb.MSPRole_ADMIN},
		endorsementPol: {mspb.MSPRole_PEER},
	} {
		p, err := signedByAnyRole([]string{d.MSPID}, roles...)
		if err != nil {
			return nil, err
		}
		g.Policies[name] = &cb.ConfigPolicy{ModPolicy: adminsPolicy, Policy: p}
	}
	return g, nil
}

func tlsRootCerts(org *cb.ConfigGroup) ([][]byte, error) {
	var mc mspb.MSPConfig
	if err := proto.Unmarshal(org.GetValues()[mspKey].GetValue(), &mc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotConfig, err)
	}
	var fc mspb.FabricMSPConfig
	if err := proto.Unmarshal(mc.Config, &fc); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotConfig, err)
	}
	return fc.TlsRootCerts, nil
}

// issuedBy reports whether certificate certPEM was signed by one of the
// CA certificates roots (PEM).
func issuedBy(certPEM []byte, roots [][]byte) bool {
	c, err := parseCert(certPEM)
	if err != nil {
		return false
	}
	for _, r := range roots {
		ca, err := parseCert(r)
		if err == nil && bytes.Equal(c.RawIssuer, ca.RawSubject) && c.CheckSignatureFrom(ca) == nil {
			return true
		}
	}
	return false
}

// EnoughIn is Enough for a change to group g (Application or Orderer): a
// majority of g's organisations' admins must have signed.
func (u *Update) EnoughIn(cfg *cb.Config, g string) error {
	signed, _ := u.Check(cfg)
	members := sortedKeys(cfg.GetChannelGroup().GetGroups()[g].GetGroups())
	var count []string
	for _, s := range signed {
		if slices.Contains(members, s) {
			count = append(count, s)
		}
	}
	if need := len(members)/2 + 1; len(count) < need {
		return fmt.Errorf("%w: %d of the %d %s organisations signed (%v), %d needed", ErrTooFew, len(count), len(members), g, count, need)
	}
	return nil
}
