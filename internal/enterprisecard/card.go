// Package enterprisecard is how an organisation makes its founding
// enterprise known to the consortium without handing over a secret.
//
// Each organisation creates its enterprise's HPKE key (the regulator also
// its audit key, the operator its OPRF key) in its own folder
// (<dir>/orgs/<Org>/enterprise/, encryption.key, audit.key, oprf.key, hex,
// mode 0600: Keys, EnsureKeys) and
// publishes a card, public material only, in the consortium's bundle
// (<dir>/public/enterprises/<id>.json): the enterprise's ID, name, legal
// ID, role, MSP, identity certificate and public keys. The operator's
// gateway registers every card of its cards folder on the ledger
// (RegisterEnterprise); the other gateways wait until their enterprise is
// there. The JSON form is versioned and strict (internal/strictjson):
// unknown or duplicated fields, trailing data, a key that does not decode
// and a private key anywhere in the card are errors.
package enterprisecard

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tierchain/tierchain/chaincode/model"
	"github.com/tierchain/tierchain/internal/strictjson"
	"github.com/tierchain/tierchain/zk/elgamal"
	"github.com/tierchain/tierchain/zk/envelope"
	"github.com/tierchain/tierchain/zk/oprf"
)

// Version is the version of the card this package reads and writes.
const Version = 1

// Card is the public description of an organisation's founding enterprise.
type Card struct {
	Version int        `json:"version"`
	ID      string     `json:"id"`      // e.g. "bankB"
	Name    string     `json:"name"`    // e.g. "Nordlys Bank ASA"
	LegalID string     `json:"legalId"` // e.g. "0192:983000002"
	Role    model.Role `json:"role"`    // operator, core, bank or regulator
	MSPID   string     `json:"mspId"`
	// Certificate is the PEM of the enterprise's identity certificate,
	// issued by its organisation's CA.
	Certificate string `json:"certificate"`
	// EncryptionKey is the enterprise's HPKE public key (base64 in JSON).
	EncryptionKey []byte `json:"encryptionKey"`
	// AuditKey is the regulator's audit public key; regulator only.
	AuditKey []byte `json:"auditKey,omitempty"`
	// OPRFKey is the operator's OPRF public key, which every gateway that
	// fingerprints invoices checks the operator's evaluations against;
	// operator only.
	OPRFKey []byte `json:"oprfKey,omitempty"`
}

// Errors of a card, wrapped in a *FieldError.
var (
	ErrMissing = errors.New("missing")
	ErrInvalid = errors.New("invalid")
	ErrVersion = errors.New("unsupported version")
)

// FieldError names the field of a card that is wrong.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return "enterprisecard: " + e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field string, err error) error { return &FieldError{Field: field, Err: err} }

// MaxSize bounds a card file: a certificate and two keys fit many times.
const MaxSize = 64 << 10

// Parse decodes and validates a card.
func Parse(data []byte) (Card, error) {
	if len(data) > MaxSize {
		return Card{}, fmt.Errorf("enterprisecard: %w: larger than %d bytes", ErrInvalid, MaxSize)
	}
	var c Card
	if err := strictjson.Decode(data, &c); err != nil {
		return Card{}, fmt.Errorf("enterprisecard: %w", err)
	}
	if err := c.Validate(); err != nil {
		return Card{}, err
	}
	return c, nil
}

// Marshal encodes a valid card (indented, newline-terminated).
func (c Card) Marshal() ([]byte, error) { return strictjson.MarshalDocument(c) }

// Validate checks every field; the error names the first wrong one.
func (c Card) Validate() error {
	if c.Version != Version {
		return fieldErr("version", fmt.Errorf("%w %d (want %d)", ErrVersion, c.Version, Version))
	}
	if err := model.ValidateID("id", c.ID); err != nil {
		return fieldErr("id", fmt.Errorf("%w: %w", ErrInvalid, err))
	}
	if err := text("name", c.Name, 256); err != nil {
		return err
	}
	if err := text("legalId", c.LegalID, 64); err != nil {
		return err
	}
	switch c.Role {
	case "":
		return fieldErr("role", ErrMissing)
	case model.RoleOperator, model.RoleCore, model.RoleBank, model.RoleRegulator:
	default:
		return fieldErr("role", fmt.Errorf("%w %q (want operator, core, bank or regulator)", ErrInvalid, c.Role))
	}
	if err := text("mspId", c.MSPID, 128); err != nil {
		return err
	}
	if _, err := c.CertificateDER(); err != nil {
		return err
	}
	if len(c.EncryptionKey) == 0 {
		return fieldErr("encryptionKey", ErrMissing)
	}
	if _, err := envelope.DecodePublicKey(c.EncryptionKey); err != nil {
		return fieldErr("encryptionKey", fmt.Errorf("%w: %w", ErrInvalid, err))
	}
	switch {
	case c.Role == model.RoleRegulator && len(c.AuditKey) == 0:
		return fieldErr("auditKey", fmt.Errorf("%w: the regulator publishes its audit key", ErrMissing))
	case c.Role != model.RoleRegulator && len(c.AuditKey) != 0:
		return fieldErr("auditKey", fmt.Errorf("%w: only the regulator has an audit key", ErrInvalid))
	case len(c.AuditKey) != 0:
		if _, err := elgamal.DecodePublicKey(c.AuditKey); err != nil {
			return fieldErr("auditKey", fmt.Errorf("%w: %w", ErrInvalid, err))
		}
	}
	switch {
	case c.Role == model.RoleOperator && len(c.OPRFKey) == 0:
		return fieldErr("oprfKey", fmt.Errorf("%w: the operator publishes its OPRF key", ErrMissing))
	case c.Role != model.RoleOperator && len(c.OPRFKey) != 0:
		return fieldErr("oprfKey", fmt.Errorf("%w: only the operator has an OPRF key", ErrInvalid))
	case len(c.OPRFKey) != 0:
		if _, err := oprf.DecodeServerPublicKey(c.OPRFKey); err != nil {
			return fieldErr("oprfKey", fmt.Errorf("%w: %w", ErrInvalid, err))
		}
	}
	return nil
}

// CertificateDER returns the DER of the card's one certificate.
func (c Card) CertificateDER() ([]byte, error) {
	if c.Certificate == "" {
		return nil, fieldErr("certificate", ErrMissing)
	}
	blk, rest := pem.Decode([]byte(c.Certificate))
	if blk == nil || blk.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		return nil, fieldErr("certificate", fmt.Errorf("%w: want exactly one PEM CERTIFICATE block", ErrInvalid))
	}
	if _, err := x509.ParseCertificate(blk.Bytes); err != nil {
		return nil, fieldErr("certificate", fmt.Errorf("%w: %w", ErrInvalid, err))
	}
	return blk.Bytes, nil
}

// RegisterRequest is the ledger request that registers the card's
// enterprise, its legal ID as the card writes it (the gateway that submits
// it puts it in canonical form first).
func (c Card) RegisterRequest() (model.RegisterEnterpriseRequest, error) {
	der, err := c.CertificateDER()
	if err != nil {
		return model.RegisterEnterpriseRequest{}, err
	}
	return model.RegisterEnterpriseRequest{ID: c.ID, Name: c.Name, Role: c.Role, LegalID: c.LegalID, MSPID: c.MSPID,
		Certificate: der, EncryptionKey: slices.Clone(c.EncryptionKey), AuditKey: slices.Clone(c.AuditKey)}, nil
}

func text(field, s string, max int) error {
	if s == "" {
		return fieldErr(field, ErrMissing)
	}
	if len(s) > max {
		return fieldErr(field, fmt.Errorf("%w: longer than %d bytes", ErrInvalid, max))
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return fieldErr(field, fmt.Errorf("%w: control character", ErrInvalid))
		}
	}
	return nil
}

// File is where a card of the given enterprise lives in a cards folder.
func File(dir, id string) string { return filepath.Join(dir, id+".json") }

// Write writes a valid card to File(dir, c.ID), replacing it whole.
func Write(dir string, c Card) error {
	b, err := c.Marshal()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeAtomic(File(dir, c.ID), b, 0o644)
}

// Load reads one card file.
func Load(path string) (Card, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Card{}, fmt.Errorf("enterprisecard: %w", err)
	}
	c, err := Parse(b)
	if err != nil {
		return Card{}, fmt.Errorf("%s: %w", path, err)
	}
	if want := File(filepath.Dir(path), c.ID); filepath.Clean(path) != want {
		return Card{}, fmt.Errorf("%s: %w", path, fieldErr("id", fmt.Errorf("%w: the card of %q must be %s", ErrInvalid, c.ID, filepath.Base(want))))
	}
	return c, nil
}

// LoadDir reads every card (*.json, not hidden) of a folder, sorted by
// ID. A folder that does not exist holds no card. Every bad card is
// reported (errors.Join) beside the good ones, so that one member's broken
// card does not keep the others off the ledger.
func LoadDir(dir string) ([]Card, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("enterprisecard: %w", err)
	}
	var cards []Card
	var errs []error
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || !strings.HasSuffix(n, ".json") {
			continue
		}
		c, err := Load(filepath.Join(dir, n))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		cards = append(cards, c)
	}
	slices.SortFunc(cards, func(a, b Card) int { return strings.Compare(a.ID, b.ID) })
	return cards, errors.Join(errs...)
}

// writeAtomic writes data to path through a temporary file in the same
// folder, so that a reader never sees half a file.
func writeAtomic(path string, data []byte, mode os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
