package model

import "time"

// Role is what an enterprise may do on the platform.
type Role string

// Roles.
const (
	RoleCore      Role = "core"      // issues receivables, pays at maturity
	RoleSupplier  Role = "supplier"  // registers invoices, holds, splits, finances tokens
	RoleBank      Role = "bank"      // grants credit lines, finances tokens
	RoleRegulator Role = "regulator" // reads everything, writes nothing
	RoleOperator  Role = "operator"  // registers enterprises, freezes tokens
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleCore, RoleSupplier, RoleBank, RoleRegulator, RoleOperator:
		return true
	}
	return false
}

// EnterpriseStatus is whether an enterprise may act.
type EnterpriseStatus string

// Enterprise statuses.
const (
	EnterpriseActive    EnterpriseStatus = "ACTIVE"
	EnterpriseSuspended EnterpriseStatus = "SUSPENDED"
)

// Enterprise is a registered participant. Its identity is one X.509
// certificate of one MSP, stored as the SHA-256 of the DER encoding.
type Enterprise struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role"`
	// LegalID is how invoices and registries name the enterprise
	// ("scheme:value", e.g. "0192:915600123"), unique across enterprises.
	// Records registered before it was kept have none.
	LegalID       string           `json:"legalId,omitempty"`
	MSPID         string           `json:"mspId"`
	CertHash      string           `json:"certHash"`           // hex SHA-256 of the certificate's DER
	EncryptionKey []byte           `json:"encryptionKey"`      // HPKE X25519 public key for envelopes
	AuditKey      []byte           `json:"auditKey,omitempty"` // regulator only: P = s·H
	Status        EnterpriseStatus `json:"status"`
	RegisteredBy  string           `json:"registeredBy"` // operator enterprise ID, or "bootstrap"
	RegisteredAt  time.Time        `json:"registeredAt"`
	UpdatedAt     time.Time        `json:"updatedAt"`
}

// Platform is the ledger-wide configuration written by transactions: the
// regulator whose audit key every commitment must carry a handle for.
type Platform struct {
	AuditorID string `json:"auditorId"`
	AuditKey  []byte `json:"auditKey"`
}
