package chain

import (
	"fmt"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
)

// memberSpec is a member the world joins with one of cryptogen's
// identities of the network.
type memberSpec struct {
	id        string
	role      model.Role
	org, user string
	// founder: the identity is the org's founding enterprise's (the
	// layout's Enterprise), so the member takes that enterprise's ID and
	// the HPKE key its organisation made.
	founder bool
}

// members are the world's members but its core. One tierload run can
// drive the chain workloads and the REST gateways (bench/load/rest) on one
// network, and the gateways register the layout's founding enterprises
// with the keys their organisations made; a world member that signs as a
// founder is that same enterprise (same ID, same key), whichever side
// registers it first. The core is not among them: the world's is an
// identity of its own (Setup), since the founding core is the REST story's.
func members(l fabnet.Layout) []memberSpec {
	specs := []memberSpec{
		{"operator", model.RoleOperator, "Operator", "User1", false},
		{"tier1", model.RoleSupplier, "Operator", "User2", false},
		{"tier2", model.RoleSupplier, "Operator", "User3", false},
		{"bankA", model.RoleBank, "BankA", "User1", false},
		{"regulator", model.RoleRegulator, "Regulator", "User1", false},
	}
	for i, s := range specs {
		if o, ok := l.Org(s.org); ok && o.Enterprise.ID != "" && o.Enterprise.Identity == s.user {
			specs[i].id, specs[i].founder = o.Enterprise.ID, true
		}
	}
	return specs
}

// founderKey is the HPKE private key org made for its founding enterprise.
func (w *World) founderKey(org string) (*envelope.PrivateKey, error) {
	d, err := w.net.OrgConfig(org)
	if err != nil {
		return nil, err
	}
	k, err := enterprisecard.ReadEncryptionKey(d.Org.Enterprise.EncryptionKeyPath)
	if err != nil {
		return nil, fmt.Errorf("chain: the encryption key of %s's founding enterprise: %w", org, err)
	}
	return k, nil
}

// auditKey is the regulator's audit key: the one its organisation made
// when the regulator is a founder (its gateway holds the same), else a new
// one.
func (w *World) auditKey() (*elgamal.PrivateKey, error) {
	for _, s := range members(w.net.Layout) {
		if s.role != model.RoleRegulator || !s.founder {
			continue
		}
		d, err := w.net.OrgConfig(s.org)
		if err != nil {
			return nil, err
		}
		k, err := enterprisecard.ReadAuditKey(d.Org.Enterprise.AuditKeyPath)
		if err != nil {
			return nil, fmt.Errorf("chain: the regulator's audit key: %w", err)
		}
		return k, nil
	}
	return elgamal.GenerateKey(nil)
}
