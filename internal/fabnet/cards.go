package fabnet

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/internal/orgconfig"
)

// EnterpriseDir is the folder in org's own material that holds its
// founding enterprise's private keys (enterprisecard.EncryptionKeyFile,
// and the regulator's enterprisecard.AuditKeyFile).
func (n *Network) EnterpriseDir(org string) string { return n.p.EnterpriseDir(org) }

// CardsDir is the public bundle's folder of enterprise cards, which the
// operator's gateway registers on the ledger.
func (n *Network) CardsDir() string { return n.p.Cards() }

func (p paths) EnterpriseDir(org string) string { return filepath.Join(p.OrgDir(org), "enterprise") }
func (p paths) Cards() string                   { return filepath.Join(p.Public(), "enterprises") }

// writeEnterpriseCard is an organisation's part of the key step for its
// founding enterprise: it makes (or keeps) the enterprise's HPKE key, and
// the regulator's audit key, in the organisation's own folder, and
// publishes the enterprise's card (its identity certificate and public
// keys) in the bundle.
func writeEnterpriseCard(p paths, o Org) error {
	keys, err := enterprisecard.EnsureKeys(p.EnterpriseDir(o.Name), model.Role(o.Role), nil)
	if err != nil {
		return err
	}
	certs, err := filepath.Glob(filepath.Join(p.User(o, o.Enterprise.Identity), "msp", "signcerts", "*.pem"))
	if err != nil || len(certs) != 1 {
		return fmt.Errorf("fabnet: no certificate for %s of %s (the identity of enterprise %s)", o.Enterprise.Identity, o.Name, o.Enterprise.ID)
	}
	certPEM, err := os.ReadFile(certs[0])
	if err != nil {
		return err
	}
	e := o.Enterprise
	card, err := enterprisecard.New(e.ID, e.Name, e.LegalID, model.Role(o.Role), o.MSPID, certPEM, keys)
	if err != nil {
		return err
	}
	return enterprisecard.Write(p.Cards(), card)
}

// operatorGatewayURL is where the other organisations' gateways reach the
// operator's (its OPRF, for invoice confirmation): its GatewayAddress
// (natively the operator's address, port 8080 from the default base).
func (n *Network) operatorGatewayURL() string {
	for _, o := range n.Layout.Orgs {
		if o.Role == RoleOperator {
			return "http://" + n.Layout.GatewayAddress(o)
		}
	}
	return ""
}

// oprfService is the operator's OPRF as the other organisations'
// descriptions name it: its gateway and its card in the bundle.
func (n *Network) oprfService() *orgconfig.OPRFService {
	for _, o := range n.Layout.Orgs {
		if o.Role == RoleOperator {
			return &orgconfig.OPRFService{URL: n.operatorGatewayURL(), OperatorCardPath: enterprisecard.File(n.p.Cards(), o.Enterprise.ID)}
		}
	}
	return nil
}
