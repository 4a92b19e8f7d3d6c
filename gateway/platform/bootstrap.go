package platform

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/orgconfig"
	"github.com/tierchain/tierchain/services/directory"
	"github.com/tierchain/tierchain/zk/audit"
	"github.com/tierchain/tierchain/zk/oprf"
)

// founder is an enterprise of the dev network that uses one of its
// organisation's cryptogen user identities.
type founder struct {
	id, name, org, user, legalID string
	role                         model.Role
}

const (
	founderOperator  = "operator"
	founderRegulator = "regulator"
)

// founders: the platform operator, a core enterprise, two banks and the
// regulator. Suppliers are onboarded by the operator through the API.
// Every enterprise has a legal ID (here Norwegian organisation numbers,
// valid under their mod-11 check).
var founders = []founder{
	{id: founderOperator, name: "TierChain Operations AS", org: "Operator", user: "User1", role: model.RoleOperator, legalID: "0192:981000005"},
	{id: "carmaker", name: "Helios Motors ASA", org: "Core", user: "User1", role: model.RoleCore, legalID: "0192:987123451"},
	{id: "bankA", name: "Fjord Bank ASA", org: "BankA", user: "User1", role: model.RoleBank, legalID: "0192:982000009"},
	{id: "bankB", name: "Nordlys Bank ASA", org: "BankB", user: "User1", role: model.RoleBank, legalID: "0192:983000002"},
	{id: founderRegulator, name: "Financial Supervisory Authority", org: "Regulator", user: "User1", role: model.RoleRegulator, legalID: "0192:984000006"},
}

// secret names in the directory
const (
	secretAudit = "audit" // the regulator's audit private key
	secretOPRF  = "oprf"  // the operator's OPRF key
)

// bootstrap makes sure every founder is in the directory with a wallet key
// and registered on the ledger (the operator by its organisation's admin,
// the others by the operator).
func (p *Platform) bootstrap(ctx context.Context, c consortium) error {
	for _, f := range founders {
		if _, err := p.Directory.Get(ctx, f.id); errors.Is(err, directory.ErrNotFound) {
			certPEM, keyPEM, err := identity(c, f.org, f.user)
			if err != nil {
				return err
			}
			if _, err := p.Directory.Add(ctx, directory.Member{ID: f.id, Name: f.name, Role: f.role, Org: f.org,
				LegalID: f.legalID, CertPEM: certPEM}, keyPEM); err != nil {
				return err
			}
		} else if err != nil {
			return err
		}
		if _, err := p.Wallet.PublicKey(ctx, f.id); err != nil {
			if _, err := p.Wallet.GenerateKey(ctx, f.id); err != nil {
				return err
			}
		}
	}
	if _, err := p.Directory.Secret(ctx, founderRegulator, secretAudit); errors.Is(err, directory.ErrNotFound) {
		k, err := audit.GenerateKey(nil)
		if err != nil {
			return err
		}
		if err := p.Directory.SetSecret(ctx, founderRegulator, secretAudit, k.Bytes()); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}

	operator, err := p.Directory.Client(ctx, founderOperator)
	if err != nil {
		return err
	}
	if _, err := operator.Evaluate(ctx, "tierchain", "Whoami"); err != nil {
		if !unknownCaller(err) {
			return err
		}
		admin, err := adminClient(c)
		if err != nil {
			return err
		}
		defer admin.Close()
		if err := p.register(ctx, admin, founders[0]); err != nil {
			return fmt.Errorf("register the operator: %w", err)
		}
	}
	for _, f := range founders[1:] {
		_, err := operator.Evaluate(ctx, "tierchain", "GetEnterprise", f.id)
		if err == nil {
			continue
		}
		if !unknownCaller(err) {
			return err
		}
		if err := p.register(ctx, operator, f); err != nil {
			return fmt.Errorf("register %s: %w", f.id, err)
		}
	}
	return nil
}

// unknownCaller: the ledger does not know the enterprise (yet).
func unknownCaller(err error) bool {
	var cc *fabricclient.ChaincodeError
	return errors.As(err, &cc) && (cc.Code == string(model.CodeNotFound) || cc.Code == string(model.CodeUnauthorized))
}

func (p *Platform) register(ctx context.Context, by *fabricclient.Client, f founder) error {
	m, err := p.Directory.Get(ctx, f.id)
	if err != nil {
		return err
	}
	key, err := p.Wallet.PublicKey(ctx, f.id)
	if err != nil {
		return err
	}
	block, _ := pem.Decode(m.CertPEM)
	req := model.RegisterEnterpriseRequest{ID: f.id, Name: f.name, Role: f.role, MSPID: m.MSPID,
		Certificate: block.Bytes, EncryptionKey: key.Bytes()}
	if f.role == model.RoleRegulator {
		s, err := p.Directory.Secret(ctx, f.id, secretAudit)
		if err != nil {
			return err
		}
		k, err := audit.DecodePrivateKey(s)
		if err != nil {
			return err
		}
		req.AuditKey = k.Public().Bytes()
	}
	b, err := json.Marshal(&req)
	if err != nil {
		return err
	}
	_, err = by.Submit(ctx, "tierchain", "RegisterEnterprise", string(b))
	return err
}

// described returns the files of an organisation's identity.
func described(c consortium, org, user string) (orgconfig.Identity, error) {
	o, ok := c.Org(org)
	if !ok {
		return orgconfig.Identity{}, fmt.Errorf("%w: organisation %s", ErrNotDescribed, org)
	}
	id, err := o.Identity(user)
	if err != nil {
		return orgconfig.Identity{}, fmt.Errorf("%w: %w", ErrNotDescribed, err)
	}
	return id, nil
}

// identity reads the certificate and key of an organisation's identity.
func identity(c consortium, org, user string) (certPEM, keyPEM []byte, err error) {
	id, err := described(c, org, user)
	if err != nil {
		return nil, nil, err
	}
	return id.Read()
}

// adminClient connects as the operator organisation's Admin, which
// registers the operator enterprise on a fresh ledger.
func adminClient(c consortium) (*fabricclient.Client, error) {
	org := founders[0].org
	certPEM, keyPEM, err := identity(c, org, "Admin")
	if err != nil {
		return nil, err
	}
	o, _ := c.Org(org)
	tlsCA, err := o.Peer.TLSCACert()
	if err != nil {
		return nil, err
	}
	return fabricclient.Dial(fabricclient.Config{PeerEndpoint: o.Peer.Address, TLSCACertPEM: tlsCA,
		CertPEM: certPEM, KeyPEM: keyPEM, MSPID: o.MSPID,
		Options: fabricclient.Options{Channel: c.Channel, Chaincode: c.Chaincode}})
}

// oprfKey returns the operator's OPRF key, creating it on first use.
func (p *Platform) oprfKey(ctx context.Context) (*oprf.ServerKey, error) {
	b, err := p.Directory.Secret(ctx, founderOperator, secretOPRF)
	if errors.Is(err, directory.ErrNotFound) {
		k, err := oprf.GenerateServerKey(nil)
		if err != nil {
			return nil, err
		}
		return k, p.Directory.SetSecret(ctx, founderOperator, secretOPRF, k.Bytes())
	}
	if err != nil {
		return nil, err
	}
	return oprf.DecodeServerKey(b)
}

// AuditKey returns the regulator's audit private key.
func (p *Platform) AuditKey(ctx context.Context) (*audit.PrivateKey, error) {
	s, err := p.Directory.Secret(ctx, founderRegulator, secretAudit)
	if err != nil {
		return nil, err
	}
	return audit.DecodePrivateKey(s)
}
