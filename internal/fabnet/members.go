package fabnet

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
)

// Membership records how a network's organisations changed since its
// genesis (members.json beside network.json): the organisations admitted
// (with their whole layout entry: a restart starts their nodes too), the
// ones removed (their nodes are no longer started) and the ones suspended
// (they still read, nobody of theirs writes).
type Membership struct {
	Admitted  []Org    `json:"admitted,omitempty"`
	Removed   []string `json:"removed,omitempty"`
	Suspended []string `json:"suspended,omitempty"`
	// Orderers are the Raft consenters added since genesis (AddOrderer).
	Orderers []Orderer `json:"orderers,omitempty"`
}

func (p paths) Members() string { return filepath.Join(p.root, "members.json") }

// readMembership reads members.json; none recorded is an empty Membership.
func readMembership(p paths) (Membership, error) {
	m, err := readJSON[Membership](p.Members())
	if errors.Is(err, os.ErrNotExist) {
		return Membership{}, nil
	}
	return m, err
}

func writeMembership(p paths, m Membership) error { return writeJSON(p.Members(), m) }

// withMembers applies the network's recorded membership changes to a
// layout rebuilt from its record: admitted organisations are appended,
// removed ones dropped.
func withMembers(l Layout, p paths) (Layout, error) {
	m, err := readMembership(p)
	if err != nil {
		return l, fmt.Errorf("fabnet: %s: %w", p.Members(), err)
	}
	orgs := append(append([]Org(nil), l.Orgs...), m.Admitted...)
	l.Orgs = slices.DeleteFunc(orgs, func(o Org) bool { return slices.Contains(m.Removed, o.Name) })
	l.Orderers = append(slices.Clone(l.Orderers), m.Orderers...)
	return l, nil
}

// newcomerIndex is the port slot of the i-th admitted organisation: after
// the five founders (peer base+100+10k, chaincode base+200+k, gateway
// base+1030+k), so slot 5 is peer base+150, chaincode base+205, gateway
// base+1035 (8085 from DefaultBase).
func newcomerIndex(i int) int { return len(orgOrder) + i }

// maxNewcomers bounds the admitted organisations of one network: their
// port slots stay below the orderers' admin and the gateway ranges of
// other networks (peer base+100+10k < base+200 needs k < 10).
const maxNewcomers = 4

// NewcomerOrg returns the layout entry of the i-th organisation admitted
// to a native network whose founders were laid out from base: its own
// loopback address (127.0.0.(6+i) where aliases can be bound, else
// 127.0.0.1) and the next free port slot.
func NewcomerOrg(base, i int, name string, role Role, e Enterprise) (Org, error) {
	if i < 0 || i >= maxNewcomers {
		return Org{}, fmt.Errorf("fabnet: at most %d organisations can be admitted to a native network", maxNewcomers)
	}
	k := newcomerIndex(i)
	host := loopback
	if loopbackAliases() {
		host = net.IPv4(127, 0, 0, byte(k+1)).String()
	}
	domain := orgDomain(name)
	if e.Identity == "" {
		e.Identity = "User1"
	}
	return Org{
		Name: name, MSPID: name + "MSP", Domain: domain, Host: host, Role: role,
		Endorser: role == RoleBank || role == RoleCore, Users: 2,
		PeerHost:      "peer0." + domain,
		Peer:          Ports{Listen: base + 100 + 10*k, Chaincode: base + 101 + 10*k, Operations: base + 102 + 10*k},
		ChaincodePort: base + 200 + k,
		GatewayPort:   base + gatewayOffset + k,
		Enterprise:    e,
	}, nil
}
