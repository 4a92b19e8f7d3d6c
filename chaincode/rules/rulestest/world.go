package rulestest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/chaincode/rules"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
)

// Party is an enterprise of the fixture world with its identity and keys.
type Party struct {
	ID       string
	Role     model.Role
	Identity rules.Identity
	Key      *envelope.PrivateKey
}

// Recipient is the party as an envelope recipient.
func (p *Party) Recipient() protocol.Recipient {
	return protocol.Recipient{ID: p.ID, Key: p.Key.Public()}
}

// World is a state with every party registered: operator, core, three
// suppliers, two banks and the regulator (the platform auditor), with the
// network's MSP IDs.
type World struct {
	State *Memory
	Rules *rules.Rules
	Now   time.Time // timestamp of the next transaction

	Admin                   rules.Identity // an admin of OperatorMSP (bootstrap)
	Operator, Core          *Party
	S1, S2, S3              *Party // tier-1, tier-2, tier-3 suppliers
	BankA, BankB, Regulator *Party
	Stranger                rules.Identity // a certificate nobody registered
	AuditKey                *elgamal.PrivateKey
	txn                     int
}

// Start is the fixture's first transaction time.
var Start = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// NewIdentity returns an identity of msp with a fresh self-signed
// certificate whose subject has the given NodeOU ("client", "admin").
func NewIdentity(msp, cn, ou string) rules.Identity {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: cn, OrganizationalUnit: []string{ou}, Organization: []string{msp}},
		NotBefore:    Start.Add(-time.Hour), NotAfter: Start.AddDate(5, 0, 0),
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return rules.Identity{MSPID: msp, Cert: der}
}

func newParty(id string, role model.Role, msp string) *Party {
	k, err := envelope.GenerateKey(nil)
	if err != nil {
		panic(err)
	}
	return &Party{ID: id, Role: role, Identity: NewIdentity(msp, id, "client"), Key: k}
}

// NewWorld registers every party, starting with the operator's bootstrap
// by an OperatorMSP admin. It panics on failure (fixture code).
func NewWorld() *World {
	ak, err := elgamal.GenerateKey(nil)
	if err != nil {
		panic(err)
	}
	w := &World{
		State: NewMemory(), Rules: rules.New(rules.Config{}), Now: Start,
		Admin:     NewIdentity("OperatorMSP", "Admin@operator", "admin"),
		Operator:  newParty("operator", model.RoleOperator, "OperatorMSP"),
		Core:      newParty("core", model.RoleCore, "CoreMSP"),
		S1:        newParty("supplier1", model.RoleSupplier, "OperatorMSP"),
		S2:        newParty("supplier2", model.RoleSupplier, "OperatorMSP"),
		S3:        newParty("supplier3", model.RoleSupplier, "OperatorMSP"),
		BankA:     newParty("bankA", model.RoleBank, "BankAMSP"),
		BankB:     newParty("bankB", model.RoleBank, "BankBMSP"),
		Regulator: newParty("regulator", model.RoleRegulator, "RegulatorMSP"),
		Stranger:  NewIdentity("CoreMSP", "stranger", "client"),
		AuditKey:  ak,
	}
	if _, err := w.Rules.RegisterEnterprise(w.Begin(w.Admin), w.RegistrationOf(w.Operator)); err != nil {
		panic(fmt.Sprintf("bootstrap: %v", err))
	}
	for _, p := range []*Party{w.Core, w.S1, w.S2, w.S3, w.BankA, w.BankB, w.Regulator} {
		if _, err := w.Rules.RegisterEnterprise(w.As(w.Operator), w.RegistrationOf(p)); err != nil {
			panic(fmt.Sprintf("register %s: %v", p.ID, err))
		}
	}
	return w
}

// RegistrationOf is the request that registers p (with the audit key for
// the regulator).
func (w *World) RegistrationOf(p *Party) *model.RegisterEnterpriseRequest {
	req := &model.RegisterEnterpriseRequest{ID: p.ID, Name: p.ID + " Ltd", Role: p.Role, MSPID: p.Identity.MSPID,
		Certificate: p.Identity.Cert, EncryptionKey: p.Key.Public().Bytes()}
	if p.Role == model.RoleRegulator {
		req.AuditKey = w.AuditKey.Public().Bytes()
	}
	return req
}

// Begin starts the next transaction as id, one minute after the last, and
// returns the state to run it on.
func (w *World) Begin(id rules.Identity) *Memory {
	w.txn++
	w.State.Begin(id, fmt.Sprintf("tx%04d", w.txn), w.Now)
	w.Now = w.Now.Add(time.Minute)
	return w.State
}

// As is Begin for a party.
func (w *World) As(p *Party) *Memory { return w.Begin(p.Identity) }

// NextTxID is the ID the next Begin will use (to predict token IDs).
func (w *World) NextTxID() string { return fmt.Sprintf("tx%04d", w.txn+1) }

// Ctx is where the world's proofs are valid.
func (w *World) Ctx() protocol.Context {
	return protocol.Context{Channel: w.State.Channel, Chaincode: w.State.Chaincode}
}

// Auditor is the regulator as provers see it.
func (w *World) Auditor() protocol.Auditor {
	return protocol.Auditor{AuditKey: w.AuditKey.Public(), EncryptionKey: w.Regulator.Key.Public()}
}

// Clone returns an independent copy of the world (same parties and keys).
func (w *World) Clone() *World {
	c := *w
	c.State = w.State.Clone()
	return &c
}
