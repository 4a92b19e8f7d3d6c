package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/enterprisecard"
	"github.com/tierchain/tierchain/internal/fabricclient"
	"github.com/tierchain/tierchain/internal/orgconfig"
	"github.com/tierchain/tierchain/services/directory"
	"github.com/tierchain/tierchain/services/invoice"
	"github.com/tierchain/tierchain/services/wallet"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/oprf"
)

// ErrFounderKey reports a wallet that holds another key for the founding
// enterprise than the one its organisation made: the gateway's database
// belongs to another network or another key.
var ErrFounderKey = errors.New("platform: the wallet holds another key for the founding enterprise")

// setUpFounder puts the founding enterprise in the directory (its
// identity from the description's files) and its HPKE key, made by its
// organisation, in the wallet. Nothing is generated here.
func (p *Platform) setUpFounder(ctx context.Context, o orgconfig.Org) error {
	e := o.Enterprise
	if _, err := p.Directory.Get(ctx, e.ID); errors.Is(err, directory.ErrNotFound) {
		id, err := o.Identity(e.Identity)
		if err != nil {
			return err
		}
		certPEM, keyPEM, err := id.Read()
		if err != nil {
			return err
		}
		if _, err := p.Directory.Add(ctx, directory.Member{ID: e.ID, Name: e.Name, Role: model.Role(o.Role), Org: o.Name,
			LegalID: e.LegalID, CertPEM: certPEM}, keyPEM); err != nil {
			return err
		}
	} else if err != nil {
		return err
	}
	k, err := enterprisecard.ReadEncryptionKey(e.EncryptionKeyPath)
	if err != nil {
		return fmt.Errorf("the encryption key of %s: %w", e.ID, err)
	}
	if err := p.Wallet.ImportKey(ctx, e.ID, k); errors.Is(err, wallet.ErrKeyExists) {
		return fmt.Errorf("%w (%s)", ErrFounderKey, e.ID)
	} else if err != nil {
		return err
	}
	return nil
}

// unknownCaller: the ledger does not know the enterprise (yet).
func unknownCaller(err error) bool {
	var cc *fabricclient.ChaincodeError
	return errors.As(err, &cc) && (cc.Code == string(model.CodeNotFound) || cc.Code == string(model.CodeUnauthorized))
}

// registerSelf registers the operator's enterprise with its organisation's
// Admin on a fresh ledger (nobody else can: registration is the
// operator's).
func (p *Platform) registerSelf(ctx context.Context, o orgconfig.Org) error {
	if _, err := p.client.Evaluate(ctx, "tierchain", "Whoami"); err == nil || !unknownCaller(err) {
		if err == nil {
			p.registered.Store(true)
		}
		return err
	}
	admin, err := p.adminClient(ctx, o)
	if err != nil {
		return err
	}
	defer admin.Close()
	m, err := p.Directory.Get(ctx, o.Enterprise.ID)
	if err != nil {
		return err
	}
	key, err := p.Wallet.PublicKey(ctx, o.Enterprise.ID)
	if err != nil {
		return err
	}
	card := enterprisecard.Card{Version: enterprisecard.Version, ID: m.ID, Name: m.Name, LegalID: m.LegalID, Role: m.Role,
		MSPID: m.MSPID, Certificate: string(m.CertPEM), EncryptionKey: key.Bytes()}
	if err := register(ctx, admin, card); err != nil {
		return err
	}
	p.registered.Store(true)
	return nil
}

// register submits a card's RegisterEnterprise as by, with the card's
// legal ID in the canonical form invoices are matched in (a legal ID that
// is not a checkable identifier goes as the card writes it; the ledger
// refuses one that is not printable).
func register(ctx context.Context, by *fabricclient.Client, c enterprisecard.Card) error {
	req, err := c.RegisterRequest()
	if err != nil {
		return err
	}
	if legal, err := invoice.CanonicalPartyID(req.LegalID); err == nil {
		req.LegalID = legal
	}
	b, err := json.Marshal(&req)
	if err != nil {
		return err
	}
	_, err = by.Submit(ctx, "tierchain", "RegisterEnterprise", string(b))
	return err
}

// adminClient connects as the operator organisation's Admin, which
// registers the operator enterprise on a fresh ledger.
func (p *Platform) adminClient(ctx context.Context, o orgconfig.Org) (*fabricclient.Client, error) {
	id, err := o.Identity("Admin")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotDescribed, err)
	}
	certPEM, keyPEM, err := id.Read()
	if err != nil {
		return nil, err
	}
	tlsCA, err := o.Peer.TLSCACert()
	if err != nil {
		return nil, err
	}
	return fabricclient.Dial(fabricclient.Config{PeerEndpoint: o.Peer.Address, TLSCACertPEM: tlsCA,
		CertPEM: certPEM, KeyPEM: keyPEM, MSPID: o.MSPID, Options: p.opts})
}

// ErrNotDescribed reports a description that lacks an identity the
// gateway needs (the operator's Admin, which registers the operator).
var ErrNotDescribed = errors.New("platform: not in the organisation's description")

// ErrNotRegistered is the readiness failure of a gateway whose enterprise
// the operator has not registered on the ledger yet.
var ErrNotRegistered = errors.New("platform: the founding enterprise is not registered on the ledger yet")

// checkRegistered is the "registered" readiness check.
func (p *Platform) checkRegistered(ctx context.Context) error {
	if p.registered.Load() {
		return nil
	}
	if _, err := p.client.Evaluate(ctx, "tierchain", "Whoami"); err != nil {
		if unknownCaller(err) {
			return ErrNotRegistered
		}
		return err
	}
	p.registered.Store(true)
	return nil
}

// watchRegistration runs the operator's card registration on a timer;
// elsewhere it notes when the enterprise is registered, and then stops.
func (p *Platform) watchRegistration(ctx context.Context) {
	t := time.NewTicker(p.every)
	defer t.Stop()
	for {
		if p.cards != nil {
			p.cards.run(ctx)
		} else if p.checkRegistered(ctx) == nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Registered reports whether the founding enterprise is known to be on the
// ledger.
func (p *Platform) Registered(ctx context.Context) bool { return p.checkRegistered(ctx) == nil }

// OPRFPublicKey is the operator's OPRF public key, which the other
// gateways check evaluations against; nil on another gateway.
func (p *Platform) OPRFPublicKey() *oprf.ServerPublicKey { return p.oprfPublic }

// ErrNoAuditKey: only the regulator's gateway holds the audit key.
var ErrNoAuditKey = errors.New("platform: no audit key in this gateway (the regulator's gateway holds it)")

// AuditKey returns the regulator's audit private key, on the regulator's
// gateway only.
func (p *Platform) AuditKey(context.Context) (*elgamal.PrivateKey, error) {
	if p.auditKey == nil {
		return nil, ErrNoAuditKey
	}
	return p.auditKey, nil
}
