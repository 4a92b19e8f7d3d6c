package rules

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"slices"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/chaincode/protocol"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
)

// bootstrapActor is the event actor of the first operator's registration.
const bootstrapActor = "bootstrap"

// RegisterEnterprise registers an enterprise (operator only). The very
// first operator enterprise is registered by an admin identity (OU
// "admin") of the operator MSP instead; after that, only operators
// register. A regulator registered with an audit key becomes the platform
// auditor: every commitment must then carry a handle for that key.
func (r *Rules) RegisterEnterprise(st State, req *model.RegisterEnterpriseRequest) (*model.Enterprise, error) {
	tx, err := r.begin(st, protocol.KindRegisterEnterprise)
	if err != nil {
		return nil, err
	}
	registeredBy, err := r.authorizeRegistration(tx, req)
	if err != nil {
		return nil, err
	}
	if err := req.Validate(); err != nil {
		return nil, err
	}
	if !validKeyAttr(req.MSPID) {
		return nil, model.Errorf(model.CodeInvalidArgument, "mspId: not a valid key attribute")
	}
	if _, err := x509.ParseCertificate(req.Certificate); err != nil {
		return nil, model.Errorf(model.CodeInvalidArgument, "certificate: not X.509 DER")
	}
	if _, err := envelope.DecodePublicKey(req.EncryptionKey); err != nil {
		return nil, model.Errorf(model.CodeInvalidArgument, "encryptionKey: not an X25519 public key")
	}
	sum := sha256.Sum256(req.Certificate)
	certHash := hex.EncodeToString(sum[:])
	if old, err := st.GetState(enterpriseKey(req.ID)); err != nil {
		return nil, internal("read enterprise: %v", err)
	} else if old != nil {
		return nil, model.Errorf(model.CodeConflict, "enterprise %s is already registered", req.ID)
	}
	if old, err := st.GetState(identityKey(req.MSPID, certHash)); err != nil {
		return nil, internal("read identity: %v", err)
	} else if old != nil {
		return nil, model.Errorf(model.CodeConflict, "this certificate already belongs to enterprise %s", old)
	}
	if req.LegalID != "" {
		if old, err := st.GetState(legalIDKey(req.LegalID)); err != nil {
			return nil, internal("read legal ID: %v", err)
		} else if old != nil {
			return nil, model.Errorf(model.CodeConflict, "this legal ID is already registered to another enterprise")
		}
	}
	var platform *model.Platform
	if len(req.AuditKey) != 0 {
		if _, err := elgamal.DecodePublicKey(req.AuditKey); err != nil {
			return nil, model.Errorf(model.CodeInvalidArgument, "auditKey: not an audit public key")
		}
		existing, err := getJSON[model.Platform](st, platformKey())
		if err != nil {
			return nil, err
		}
		if existing != nil {
			return nil, model.Errorf(model.CodeConflict, "the platform auditor is already %s", existing.AuditorID)
		}
		platform = &model.Platform{AuditorID: req.ID, AuditKey: req.AuditKey}
	}

	e := &model.Enterprise{
		ID: req.ID, Name: req.Name, Role: req.Role, LegalID: req.LegalID, MSPID: req.MSPID, CertHash: certHash,
		EncryptionKey: req.EncryptionKey, AuditKey: req.AuditKey, Status: model.EnterpriseActive,
		RegisteredBy: registeredBy, RegisteredAt: tx.now, UpdatedAt: tx.now,
	}
	if err := tx.put(enterpriseKey(e.ID), e); err != nil {
		return nil, err
	}
	tx.putRaw(identityKey(e.MSPID, certHash), []byte(e.ID))
	if e.LegalID != "" {
		tx.putRaw(legalIDKey(e.LegalID), []byte(e.ID))
	}
	tx.putIndex(objEnterpriseByRole, string(e.Role), e.ID)
	if platform != nil {
		if err := tx.put(platformKey(), platform); err != nil {
			return nil, err
		}
	}
	if registeredBy == bootstrapActor {
		tx.putRaw(bootstrapKey(), []byte(e.ID))
	}
	tx.event.Enterprises = append(tx.event.Enterprises, model.EnterpriseChange{ID: e.ID, Role: e.Role, Status: e.Status})
	return e, tx.commit()
}

// authorizeRegistration admits an operator, or the bootstrap: an admin of
// the operator MSP registering the first operator of that MSP.
func (r *Rules) authorizeRegistration(tx *txn, req *model.RegisterEnterpriseRequest) (string, error) {
	done, err := tx.st.GetState(bootstrapKey())
	if err != nil {
		return "", internal("read bootstrap marker: %v", err)
	}
	if done != nil {
		if err := tx.authorize(model.RoleOperator); err != nil {
			return "", err
		}
		return tx.caller.ID, nil
	}
	id, _, err := tx.callerIdentity()
	if err != nil {
		return "", err
	}
	if id.MSPID != r.cfg.OperatorMSP || !isAdmin(id.Cert) {
		return "", unauthorized("before the first operator is registered, only an admin of %s may register", r.cfg.OperatorMSP)
	}
	if req.Role != model.RoleOperator || req.MSPID != r.cfg.OperatorMSP {
		return "", model.Errorf(model.CodeInvalidArgument, "the first enterprise must be an operator of %s", r.cfg.OperatorMSP)
	}
	tx.event.Actor = bootstrapActor
	return bootstrapActor, nil
}

// isAdmin reports whether a certificate carries Fabric's NodeOU "admin".
func isAdmin(der []byte) bool {
	c, err := x509.ParseCertificate(der)
	return err == nil && slices.Contains(c.Subject.OrganizationalUnit, "admin")
}

// SuspendEnterprise stops an enterprise from acting (operator only).
func (r *Rules) SuspendEnterprise(st State, id string) (*model.Enterprise, error) {
	return r.setEnterpriseStatus(st, id, protocol.KindSuspendEnterprise, model.EnterpriseActive, model.EnterpriseSuspended)
}

// ReactivateEnterprise lets a suspended enterprise act again (operator only).
func (r *Rules) ReactivateEnterprise(st State, id string) (*model.Enterprise, error) {
	return r.setEnterpriseStatus(st, id, protocol.KindReactivate, model.EnterpriseSuspended, model.EnterpriseActive)
}

func (r *Rules) setEnterpriseStatus(st State, id, kind string, from, to model.EnterpriseStatus) (*model.Enterprise, error) {
	tx, err := r.beginWrite(st, kind, nil, model.RoleOperator)
	if err != nil {
		return nil, err
	}
	if err := model.ValidateID("id", id); err != nil {
		return nil, err
	}
	if id == tx.caller.ID {
		return nil, invalidState("an operator may not change its own status")
	}
	e, err := mustGet[model.Enterprise](st, enterpriseKey(id), "enterprise", id)
	if err != nil {
		return nil, err
	}
	if e.Status != from {
		return nil, invalidState("enterprise %s is %s", id, e.Status)
	}
	e.Status, e.UpdatedAt = to, tx.now
	if err := tx.put(enterpriseKey(id), e); err != nil {
		return nil, err
	}
	tx.event.Enterprises = append(tx.event.Enterprises, model.EnterpriseChange{ID: e.ID, Role: e.Role, Status: e.Status})
	return e, tx.commit()
}
