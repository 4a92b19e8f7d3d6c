// Package fabnet runs a real Hyperledger Fabric network as native processes
// on one machine: Raft orderers, one peer per organisation, TLS everywhere,
// the TierChain chaincode as a service, one chaincode server per
// organisation (its own TLS identity, port and package). Each organisation creates its keys
// in its own folder (orgs/<Org>/) and its nodes start from there; only the
// public bundle (public/: certificates, genesis block, endpoints) is shared.
// It is what `tierchain up` and the integration tests start. Layout is the single description of the network
// (organisations, ports, channel) that the launcher, the CLI and the
// docker-compose check share.
package fabnet

import (
	"fmt"

	"github.com/tierchain/tierchain/internal/orgconfig"
)

// Channel and chaincode names of the TierChain network.
const (
	ChannelName    = "scf"
	ChaincodeName  = "tierchain"
	ChaincodeLabel = "tierchain_1"
)

// ordererOwners are the organisations that run the Raft orderers, in
// order: orderer i belongs to ordererOwners[i], so losing one host keeps a
// 3-orderer cluster ordering.
var ordererOwners = []string{"Operator", "Core", "BankA"}

// Role says what an organisation does on the channel: the same roles a
// gateway's description names (orgconfig.Role).
type Role = orgconfig.Role

const (
	RoleOperator  = orgconfig.RoleOperator
	RoleCore      = orgconfig.RoleCore
	RoleBank      = orgconfig.RoleBank
	RoleRegulator = orgconfig.RoleRegulator
)

// Org is a peer organisation with its one peer.
type Org struct {
	Name   string // e.g. "Operator"
	MSPID  string // e.g. "OperatorMSP"
	Domain string // e.g. "operator.tierchain.local"
	Role   Role
	// Endorser reports whether the org's peer is in the chaincode's
	// endorsement policy (the Regulator's is not).
	Endorser bool
	// Users is how many client identities cryptogen issues (User1…UserN).
	Users    int
	Peer     Ports
	PeerHost string // e.g. "peer0.operator.tierchain.local"
	// ChaincodePort is where the organisation's own chaincode server
	// listens: each organisation runs its own, with its own TLS identity,
	// and its peer reaches only that one.
	ChaincodePort int
	// Enterprise is the organisation's founding enterprise: its own data,
	// which its card (internal/enterprisecard) publishes.
	Enterprise Enterprise
}

// Enterprise is the business party an organisation's gateway acts for.
type Enterprise struct {
	ID      string // e.g. "bankB"
	Name    string // e.g. "Nordlys Bank ASA"
	LegalID string // e.g. "0192:983000002" (Norwegian organisation numbers, valid under their mod-11 check)
	// Identity is the organisation's cryptogen user it signs with.
	Identity string // e.g. "User1"
}

// Ports of one node; zero means unused.
type Ports struct {
	Listen     int // peer/orderer gRPC (orderers: also the Raft cluster)
	Chaincode  int // peer: chaincode listener
	Operations int // /healthz and /metrics
	Admin      int // orderer: channel participation API
}

// Orderer is one Raft consenter, run by one organisation with an identity
// its own CAs issued.
type Orderer struct {
	Name  string // e.g. "orderer0"
	Owner string // the organisation that runs it, e.g. "Operator"
	Host  string // e.g. "orderer0.operator.tierchain.local"
	Ports Ports
}

// Layout describes a whole network.
type Layout struct {
	Host     string // the address every node listens on, 127.0.0.1 by default
	Orderers []Orderer
	Orgs     []Org
	// BatchTimeoutMillis is the orderer's batch timeout.
	BatchTimeoutMillis int
}

// NewLayout returns the TierChain network with all ports derived from base
// (orderer i: base+10i…; peer k: base+100+10k…; org k's chaincode server:
// base+200+k)
// and the given number of orderers (1 or 3).
func NewLayout(base, orderers int) Layout {
	l := Layout{Host: "127.0.0.1", BatchTimeoutMillis: 150}
	for i := 0; i < orderers && i < len(ordererOwners); i++ {
		l.Orderers = append(l.Orderers, Orderer{
			Name:  fmt.Sprintf("orderer%d", i),
			Owner: ordererOwners[i],
			Host:  fmt.Sprintf("orderer%d.%s", i, orgDomain(ordererOwners[i])),
			Ports: Ports{Listen: base + 10*i, Admin: base + 10*i + 1, Operations: base + 10*i + 2},
		})
	}
	orgs := []struct {
		name  string
		role  Role
		endo  bool
		users int
		ent   Enterprise
	}{
		{"Operator", RoleOperator, true, 4, Enterprise{"operator", "TierChain Operations AS", "0192:981000005", "User1"}},
		{"Core", RoleCore, true, 2, Enterprise{"carmaker", "Helios Motors ASA", "0192:987123451", "User1"}},
		{"BankA", RoleBank, true, 2, Enterprise{"bankA", "Fjord Bank ASA", "0192:982000009", "User1"}},
		{"BankB", RoleBank, true, 2, Enterprise{"bankB", "Nordlys Bank ASA", "0192:983000002", "User1"}},
		{"Regulator", RoleRegulator, false, 2, Enterprise{"regulator", "Financial Supervisory Authority", "0192:984000006", "User1"}},
	}
	for k, o := range orgs {
		domain := orgDomain(o.name)
		l.Orgs = append(l.Orgs, Org{
			Name: o.name, MSPID: o.name + "MSP", Domain: domain, Role: o.role, Endorser: o.endo, Users: o.users,
			PeerHost:      "peer0." + domain,
			Peer:          Ports{Listen: base + 100 + 10*k, Chaincode: base + 101 + 10*k, Operations: base + 102 + 10*k},
			ChaincodePort: base + 200 + k,
			Enterprise:    o.ent,
		})
	}
	return l
}

// DefaultBase is the first port of `tierchain up`.
const DefaultBase = 7050

// OrderersOf lists the orderers org runs.
func (l Layout) OrderersOf(org string) []Orderer {
	var os []Orderer
	for _, o := range l.Orderers {
		if o.Owner == org {
			os = append(os, o)
		}
	}
	return os
}

// Org returns the organisation with the given name.
func (l Layout) Org(name string) (Org, bool) {
	for _, o := range l.Orgs {
		if o.Name == name {
			return o, true
		}
	}
	return Org{}, false
}

// Address returns host:port on the layout's host.
func (l Layout) Address(port int) string { return fmt.Sprintf("%s:%d", l.Host, port) }

// AllPorts lists every port the network listens on.
func (l Layout) AllPorts() []int {
	var ps []int
	for _, o := range l.Orderers {
		ps = append(ps, o.Ports.Listen, o.Ports.Admin, o.Ports.Operations)
	}
	for _, o := range l.Orgs {
		ps = append(ps, o.Peer.Listen, o.Peer.Chaincode, o.Peer.Operations, o.ChaincodePort)
	}
	return ps
}

// orgDomain is an organisation's domain, e.g. "banka.tierchain.local".
func orgDomain(name string) string { return lower(name) + ".tierchain.local" }

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
