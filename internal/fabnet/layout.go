// Package fabnet runs a real Hyperledger Fabric network as native processes
// on one machine: Raft orderers, one peer per organisation, TLS everywhere,
// the TierChain chaincode as a service, one chaincode server per
// organisation (its own TLS identity, port and package). Each organisation creates its keys
// in its own folder (orgs/<Org>/) and its nodes start from there; only the
// public bundle (public/: certificates, genesis block, endpoints) is shared.
// It is what `tierchain up` and the integration tests start. Layout is the single description of the network
// (organisations, addresses, ports, channel) that the launcher, the CLI and the
// docker-compose deployment share.
//
// # Addresses
//
// Natively each organisation has its own address (Org.Host): its peer,
// its chaincode server, the orderers it runs and its REST gateway listen
// there and are reached there (Operator 127.0.0.1, Core 127.0.0.2, BankA
// 127.0.0.3, BankB 127.0.0.4, Regulator 127.0.0.5; all 127.0.0.1 where
// only that loopback address can be bound, as on macOS). Ports stay
// distinct, so the same layout also runs on a single address.
//
// A layout for containers or real machines reaches every node by its own
// DNS name instead and binds 0.0.0.0:
//
//	l := fabnet.NewLayout(fabnet.DefaultBase, 3).WithNodeNames("0.0.0.0")
//	n, err := fabnet.Prepare(ctx, fabnet.Options{Dir: dir, RepoRoot: repo, Layout: &l})
//
// Its peers advertise peer0.<org>.tierchain.local, its orderers
// orderer<i>.<owner>.tierchain.local, its chaincode servers
// chaincode.<org>.tierchain.local and its gateways
// gateway.<org>.tierchain.local (Layout.PeerAddress, OrdererAddress,
// ChaincodeAddress, GatewayAddress); the TLS certificates carry those
// names, the channel's orderer endpoints, consenters and anchor peers name
// them, and each organisation's chaincode package dials its server by name.
// Prepare writes all of that without starting a process; the containers
// (docker-compose.yml) run the nodes on it.
package fabnet

import (
	"fmt"
	"net"
	"strconv"
	"sync"

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
	// Host is the address the organisation's nodes (its peer, its
	// chaincode server, the orderers it runs, its gateway) listen on and
	// are reached at, e.g. "127.0.0.4"; empty in a layout WithNodeNames,
	// where each node has its own name.
	Host string
	Role Role
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
	// GatewayPort is where the organisation's REST gateway listens
	// (tierchain serve): base+1030+k, so 8080…8084 from DefaultBase.
	GatewayPort int
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
	// Listen, when set, is the address every node binds (e.g. "0.0.0.0" in
	// a container); empty, each node binds the address it is reached at.
	Listen string
	// NodeNames: every node is reached at its own DNS name (Orderer.Host,
	// Org.PeerHost, chaincode.<domain>, gateway.<domain>) instead of its
	// organisation's Host.
	NodeNames bool
	Orderers  []Orderer
	Orgs      []Org
	// BatchTimeoutMillis is the orderer's batch timeout.
	BatchTimeoutMillis int
}

// NewLayout returns the TierChain network with all ports derived from base
// (orderer i: base+10i…; peer k: base+100+10k…; org k's chaincode server:
// base+200+k; org k's gateway: base+1030+k) and the given number of
// orderers (1 or 3), each organisation on its native address (NativeHosts).
func NewLayout(base, orderers int) Layout { return newLayout(base, orderers, NativeHosts()) }

// newLayout is NewLayout with the organisations' addresses given (a
// recorded network keeps the ones it was created with); an organisation
// missing from hosts gets 127.0.0.1.
func newLayout(base, orderers int, hosts map[string]string) Layout {
	l := Layout{BatchTimeoutMillis: 150}
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
		// The founding enterprises of the demo consortium: a Chinese core
		// enterprise and banks, named in Chinese, with unified social
		// credit codes; their IDs stay ASCII.
		{"Operator", RoleOperator, true, 4, Enterprise{"operator", "链融供应链科技有限公司", "USCC:91110108MA01TC000W", "User1"}},
		{"Core", RoleCore, true, 2, Enterprise{"carmaker", "华东汽车制造有限公司", "USCC:91310115MA1HD04170", "User1"}},
		{"BankA", RoleBank, true, 2, Enterprise{"bankA", "江南商业银行股份有限公司", "USCC:91320500MA1JN0188J", "User1"}},
		{"BankB", RoleBank, true, 2, Enterprise{"bankB", "黄海银行股份有限公司", "USCC:91370200MA3HW0266D", "User1"}},
		{"Regulator", RoleRegulator, false, 2, Enterprise{"regulator", "上海市地方金融监督管理局", "USCC:11310000MB2J000017", "User1"}},
	}
	for k, o := range orgs {
		domain := orgDomain(o.name)
		host := hosts[o.name]
		if host == "" {
			host = loopback
		}
		l.Orgs = append(l.Orgs, Org{
			Name: o.name, MSPID: o.name + "MSP", Domain: domain, Host: host, Role: o.role, Endorser: o.endo, Users: o.users,
			PeerHost:      "peer0." + domain,
			Peer:          Ports{Listen: base + 100 + 10*k, Chaincode: base + 101 + 10*k, Operations: base + 102 + 10*k},
			ChaincodePort: base + 200 + k,
			GatewayPort:   base + gatewayOffset + k,
			Enterprise:    o.ent,
		})
	}
	return l
}

// DefaultBase is the first port of `tierchain up`.
const DefaultBase = 7050

// gatewayOffset puts organisation k's gateway at base+1030+k: 8080+k from
// DefaultBase.
const gatewayOffset = 1030

// loopback is the address every node uses where no other is given.
const loopback = "127.0.0.1"

// orgOrder lists the organisations in layout order (Org k is orgOrder[k]).
var orgOrder = []string{"Operator", "Core", "BankA", "BankB", "Regulator"}

var (
	aliasesOnce sync.Once
	aliases     bool
)

// loopbackAliases reports whether this machine can bind 127.0.0.2 (Linux
// routes all of 127/8 to the loopback interface; macOS has only
// 127.0.0.1 unless aliases are added).
func loopbackAliases() bool {
	aliasesOnce.Do(func() {
		ln, err := net.Listen("tcp", "127.0.0.2:0")
		if err == nil {
			ln.Close()
			aliases = true
		}
	})
	return aliases
}

// NativeHosts returns each organisation's native address: Operator
// 127.0.0.1, Core 127.0.0.2, BankA 127.0.0.3, BankB 127.0.0.4, Regulator
// 127.0.0.5, or 127.0.0.1 for all where 127.0.0.2 cannot be bound.
func NativeHosts() map[string]string {
	hs := map[string]string{}
	for k, name := range orgOrder {
		hs[name] = loopback
		if loopbackAliases() {
			hs[name] = fmt.Sprintf("127.0.0.%d", k+1)
		}
	}
	return hs
}

// Hosts returns each organisation's Host.
func (l Layout) Hosts() map[string]string {
	hs := map[string]string{}
	for _, o := range l.Orgs {
		hs[o.Name] = o.Host
	}
	return hs
}

// WithNodeNames returns the layout with every node reached at its own DNS
// name (peer0.bankb.tierchain.local, orderer1.core.tierchain.local,
// chaincode.bankb.tierchain.local, gateway.bankb.tierchain.local) and
// binding listen (e.g. "0.0.0.0"; empty: the node's own name). The
// organisations' Hosts are cleared: no node is reached at them.
func (l Layout) WithNodeNames(listen string) Layout {
	l.NodeNames = true
	l.Listen = listen
	l.Orgs = append([]Org(nil), l.Orgs...)
	for i := range l.Orgs {
		l.Orgs[i].Host = ""
	}
	return l
}

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

// hostPort joins a host and a port.
func hostPort(host string, port int) string { return net.JoinHostPort(host, strconv.Itoa(port)) }

// reach is where a node is reached: its own name in a layout WithNodeNames,
// else its organisation's Host.
func (l Layout) reach(orgHost, name string, port int) string {
	if l.NodeNames {
		return hostPort(name, port)
	}
	return hostPort(orgHost, port)
}

// bind is what a node binds: Listen if set, else where it is reached.
func (l Layout) bind(orgHost, name string, port int) string {
	if l.Listen != "" {
		return hostPort(l.Listen, port)
	}
	return l.reach(orgHost, name, port)
}

// ownerHost is the Host of the organisation that runs an orderer.
func (l Layout) ownerHost(o Orderer) string {
	org, _ := l.Org(o.Owner)
	return org.Host
}

// PeerAddress is where an organisation's peer is reached (its gRPC
// endpoint, gossip and anchor address).
func (l Layout) PeerAddress(o Org) string { return l.reach(o.Host, o.PeerHost, o.Peer.Listen) }

// PeerOperationsAddress is where a peer's /healthz and /metrics are reached.
func (l Layout) PeerOperationsAddress(o Org) string {
	return l.reach(o.Host, o.PeerHost, o.Peer.Operations)
}

// ChaincodeHost is the name or address of an organisation's chaincode server.
func (l Layout) ChaincodeHost(o Org) string {
	if l.NodeNames {
		return "chaincode." + o.Domain
	}
	return o.Host
}

// ChaincodeAddress is where an organisation's peer reaches its chaincode
// server (the address in its chaincode package's connection.json).
func (l Layout) ChaincodeAddress(o Org) string { return hostPort(l.ChaincodeHost(o), o.ChaincodePort) }

// GatewayHost is the name or address of an organisation's REST gateway.
func (l Layout) GatewayHost(o Org) string {
	if l.NodeNames {
		return "gateway." + o.Domain
	}
	return o.Host
}

// GatewayAddress is where an organisation's REST gateway is reached.
func (l Layout) GatewayAddress(o Org) string { return hostPort(l.GatewayHost(o), o.GatewayPort) }

// GatewayListen is what an organisation's REST gateway binds.
func (l Layout) GatewayListen(o Org) string {
	if l.Listen != "" {
		return hostPort(l.Listen, o.GatewayPort)
	}
	return l.GatewayAddress(o)
}

// OrdererHost is the name or address an orderer is reached at: its own
// name in a layout WithNodeNames, else its owner's Host.
func (l Layout) OrdererHost(o Orderer) string {
	if l.NodeNames {
		return o.Host
	}
	return l.ownerHost(o)
}

// OrdererAddress is where an orderer is reached (clients, the other
// consenters, the channel's orderer endpoints).
func (l Layout) OrdererAddress(o Orderer) string { return hostPort(l.OrdererHost(o), o.Ports.Listen) }

// OrdererAdminAddress is where an orderer's channel participation API is reached.
func (l Layout) OrdererAdminAddress(o Orderer) string {
	return hostPort(l.OrdererHost(o), o.Ports.Admin)
}

// OrdererOperationsAddress is where an orderer's /metrics is reached.
func (l Layout) OrdererOperationsAddress(o Orderer) string {
	return hostPort(l.OrdererHost(o), o.Ports.Operations)
}

// listenHost is the address a node binds (Listen, or where it is reached).
func (l Layout) listenHost(reachHost string) string {
	if l.Listen != "" {
		return l.Listen
	}
	return reachHost
}

// AllPorts lists every port the network's nodes listen on (gateways not
// included).
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

// ListenAddresses lists every host:port the network's nodes bind (gateways
// not included): each on its organisation's own address.
func (l Layout) ListenAddresses() []string {
	var as []string
	for _, o := range l.Orderers {
		h := l.listenHost(l.OrdererHost(o))
		as = append(as, hostPort(h, o.Ports.Listen), hostPort(h, o.Ports.Admin), hostPort(h, o.Ports.Operations))
	}
	for _, o := range l.Orgs {
		h := l.listenHost(l.PeerEndpointHost(o))
		as = append(as, hostPort(h, o.Peer.Listen), hostPort(h, o.Peer.Chaincode), hostPort(h, o.Peer.Operations),
			hostPort(l.listenHost(l.ChaincodeHost(o)), o.ChaincodePort))
	}
	return as
}

// GatewayListenAddresses lists what every organisation's gateway binds.
func (l Layout) GatewayListenAddresses() []string {
	var as []string
	for _, o := range l.Orgs {
		as = append(as, l.GatewayListen(o))
	}
	return as
}

// PeerEndpointHost is the name or address an organisation's peer is reached
// at (its anchor peer host).
func (l Layout) PeerEndpointHost(o Org) string {
	if l.NodeNames {
		return o.PeerHost
	}
	return o.Host
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
