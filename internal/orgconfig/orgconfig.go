// Package orgconfig is the plain description of ONE organisation of the
// consortium as its own gateway needs it (version 2): its MSP ID and role,
// its own peer (endpoint and TLS CA), the files of its own identities, its
// founding enterprise (ID, name, legal ID, the identity it signs with, and
// the files of its HPKE key and, for the regulator, the audit key), the
// signing CA and the folder of enterprise cards (the operator only), and
// the other organisations' peers it endorses on (public material only);
// plus the channel and chaincode the consortium shares.
//
// Each organisation runs its own gateway (gateway/platform) with its own
// description and knows nothing of how the network was started:
// internal/fabnet writes one per organisation for the network `tierchain
// up` starts (<dir>/orgs/<Org>/gateway/org.json), and a docker-compose or
// Kubernetes deployment writes its own. Relative paths are relative to the
// description's file, so the same file works natively and mounted into a
// container. The JSON form is versioned (Version; version 1, one
// description for every organisation, is refused with ErrVersion) and
// strict: unknown or duplicated fields, a second JSON value and missing or
// malformed fields are errors that name the field (FieldError).
package orgconfig

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/tierchain/tierchain/internal/strictjson"
)

// Version is the version of the description this package reads and writes.
// Version 1 described every organisation in one file, for a gateway that
// hosted them all; it is no longer accepted.
const Version = 2

// Role says what an organisation does on the channel.
type Role string

// The roles of the TierChain consortium's organisations.
const (
	RoleOperator  Role = "operator"
	RoleCore      Role = "core"
	RoleBank      Role = "bank"
	RoleRegulator Role = "regulator"
)

func (r Role) valid() bool {
	switch r {
	case RoleOperator, RoleCore, RoleBank, RoleRegulator:
		return true
	}
	return false
}

// Description is what one organisation's gateway is configured with: the
// organisation it hosts (Org), the channel and chaincode the consortium
// shares, and (the operator only) the folder of enterprise cards it
// registers on the ledger.
type Description struct {
	Version   int    `json:"version"`
	Channel   string `json:"channel"`
	Chaincode string `json:"chaincode"`
	Org       Org    `json:"org"`
	// CardsDir holds the enterprise cards (internal/enterprisecard) of the
	// consortium's members; the operator's gateway registers on the
	// ledger every one not registered yet. Operator only.
	CardsDir string `json:"cardsDir,omitempty"`
	// Operator is the operator's gateway, for a gateway other than the
	// operator's; optional.
	Operator *OperatorService `json:"operator,omitempty"`
	// TimeZone is the platform's IANA time zone, in which the consoles
	// take and show dates (a maturity entered as a date is the end of that
	// day there); every member's gateway names the same one. Empty: the
	// gateway's default (Asia/Shanghai).
	TimeZone string `json:"timeZone,omitempty"`
}

// Org is the organisation a gateway hosts.
type Org struct {
	Name  string `json:"name"`  // e.g. "Operator"
	MSPID string `json:"mspId"` // e.g. "OperatorMSP"
	Role  Role   `json:"role"`
	// Peer is the organisation's own peer, which its gateway connects to
	// (and reads its ledger feed from).
	Peer Peer `json:"peer"`
	// Identities are the organisation's client identities by name
	// ("Admin", "User1", …): secret material of this organisation only.
	Identities map[string]Identity `json:"identities"`
	// CA is the signing CA the operator issues the identities of the
	// enterprises it hosts (suppliers without a node) with. Operator only,
	// and required there.
	CA *KeyPair `json:"ca,omitempty"`
	// Enterprise is the organisation's founding enterprise: the business
	// party its gateway acts for.
	Enterprise Enterprise `json:"enterprise"`
	// Endorsers are the other organisations' peers that endorse with this
	// one: endpoints and TLS CAs, nothing secret.
	Endorsers []RemotePeer `json:"endorsers,omitempty"`
}

// Enterprise is an organisation's founding enterprise and where its
// organisation keeps its keys.
type Enterprise struct {
	ID      string `json:"id"`      // e.g. "bankB"
	Name    string `json:"name"`    // e.g. "Nordlys Bank ASA"
	LegalID string `json:"legalId"` // e.g. "0192:983000002"
	// Identity names the entry of Org.Identities the enterprise signs
	// with (e.g. "User1").
	Identity string `json:"identity"`
	// EncryptionKeyPath is the enterprise's HPKE private key (hex), made
	// by its organisation (internal/enterprisecard).
	EncryptionKeyPath string `json:"encryptionKeyPath"`
	// AuditKeyPath is the regulator's audit private key (hex). Regulator
	// only, and required there.
	AuditKeyPath string `json:"auditKeyPath,omitempty"`
	// OPRFKeyPath is the operator's OPRF server key (hex), which
	// fingerprints invoices. Operator only, and required there.
	OPRFKeyPath string `json:"oprfKeyPath,omitempty"`
}

// OperatorService is how a gateway other than the operator's reaches the
// services only the operator's gateway offers, with requests signed by its
// enterprise's ledger identity: the OPRF (a core's gateway fingerprints the
// invoices it confirms) and the intake's record of refused uploads (the
// regulator's gateway reports them). CardPath is the operator's enterprise
// card, whose OPRF public key every evaluation is checked against.
type OperatorService struct {
	URL      string `json:"url"`      // the operator's gateway, e.g. "http://127.0.0.1:8080"
	CardPath string `json:"cardPath"` // e.g. "../../../public/enterprises/operator.json"
}

// Peer is a peer's gRPC endpoint and the CA its TLS certificate chains to,
// given inline (TLSCACertPEM) or as a file (TLSCACertPath), exactly one.
type Peer struct {
	Address       string `json:"address"` // host:port
	TLSCACertPEM  string `json:"tlsCACertPEM,omitempty"`
	TLSCACertPath string `json:"tlsCACertPath,omitempty"`
}

// RemotePeer is another organisation's peer.
type RemotePeer struct {
	MSPID string `json:"mspId"`
	Peer
}

// Identity is a client identity: certificate and private key files (PEM).
type Identity = KeyPair

// KeyPair locates a certificate and its private key (PEM files).
type KeyPair struct {
	CertPath string `json:"certPath"`
	KeyPath  string `json:"keyPath"`
}

// Errors of a description, wrapped in a FieldError.
var (
	ErrMissing   = errors.New("missing")
	ErrInvalid   = errors.New("invalid")
	ErrDuplicate = errors.New("duplicate")
	ErrVersion   = errors.New("unsupported version")
)

// FieldError says which field of a description is wrong and why.
type FieldError struct {
	Field string // e.g. "orgs[2].identities.Admin.keyPath"
	Err   error  // ErrMissing, ErrInvalid, ErrDuplicate, ErrVersion, or a cause
}

func (e *FieldError) Error() string { return "orgconfig: " + e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

func fieldErr(field string, err error) error { return &FieldError{Field: field, Err: err} }

// Load reads a description from a file; relative paths in it are taken
// relative to the file's directory.
func Load(path string) (Description, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Description{}, fmt.Errorf("orgconfig: %w", err)
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return Description{}, fmt.Errorf("orgconfig: %w", err)
	}
	d, err := Parse(b, abs)
	if err != nil {
		return Description{}, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// Parse decodes and validates a description. Relative file paths are made
// relative to baseDir (unchanged when baseDir is empty). A description of
// another version is ErrVersion before any other field is looked at, so
// that a version 1 file says what is wrong with it.
func Parse(data []byte, baseDir string) (Description, error) {
	var v struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(data, &v); err == nil && v.Version != Version {
		return Description{}, versionErr(v.Version)
	}
	var d Description
	if err := strictjson.Decode(data, &d); err != nil {
		return Description{}, fmt.Errorf("orgconfig: %w", err)
	}
	if err := d.Validate(); err != nil {
		return Description{}, err
	}
	if len(d.Org.Endorsers) == 0 {
		d.Org.Endorsers = nil // "endorsers": [] reads as none
	}
	if baseDir != "" {
		d.resolve(baseDir)
	}
	return d, nil
}

func versionErr(v int) error {
	if v == 1 {
		return fieldErr("version", fmt.Errorf("%w 1: a version 1 description (every organisation in one gateway) is no longer accepted; "+
			"write one version %d description per organisation", ErrVersion, Version))
	}
	return fieldErr("version", fmt.Errorf("%w %d (want %d)", ErrVersion, v, Version))
}

// Marshal encodes a valid description (indented, newline-terminated).
func (d Description) Marshal() ([]byte, error) { return strictjson.MarshalDocument(d) }

// Validate checks every field; the error names the first wrong one.
func (d Description) Validate() error {
	if d.Version != Version {
		return versionErr(d.Version)
	}
	if err := name("channel", d.Channel); err != nil {
		return err
	}
	if err := name("chaincode", d.Chaincode); err != nil {
		return err
	}
	if err := d.Org.validate("org"); err != nil {
		return err
	}
	if d.TimeZone != "" {
		if _, err := time.LoadLocation(d.TimeZone); err != nil || d.TimeZone == "Local" {
			return fieldErr("timeZone", fmt.Errorf("%w: want an IANA time zone such as Asia/Shanghai", ErrInvalid))
		}
	}
	if d.CardsDir != "" && d.Org.Role != RoleOperator {
		return fieldErr("cardsDir", fmt.Errorf("%w: only the operator registers enterprise cards", ErrInvalid))
	}
	if d.Operator != nil {
		if d.Org.Role == RoleOperator {
			return fieldErr("operator", fmt.Errorf("%w: the operator's own gateway", ErrInvalid))
		}
		if u, err := url.Parse(d.Operator.URL); d.Operator.URL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fieldErr("operator.url", fmt.Errorf("%w: want the operator gateway's http(s) URL", ErrInvalid))
		}
		if d.Operator.CardPath == "" {
			return fieldErr("operator.cardPath", ErrMissing)
		}
	}
	return nil
}

func (o Org) validate(f string) error {
	if err := name(f+".name", o.Name); err != nil {
		return err
	}
	if err := name(f+".mspId", o.MSPID); err != nil {
		return err
	}
	if o.Role == "" {
		return fieldErr(f+".role", ErrMissing)
	}
	if !o.Role.valid() {
		return fieldErr(f+".role", fmt.Errorf("%w %q (want operator, core, bank or regulator)", ErrInvalid, o.Role))
	}
	if err := o.Peer.validate(f + ".peer"); err != nil {
		return err
	}
	if len(o.Identities) == 0 {
		return fieldErr(f+".identities", ErrMissing)
	}
	for _, n := range slices.Sorted(maps.Keys(o.Identities)) { // the same error every time
		if err := name(f+".identities", n); err != nil {
			return err
		}
		if err := o.Identities[n].validate(f + ".identities." + n); err != nil {
			return err
		}
	}
	switch {
	case o.Role == RoleOperator && o.CA == nil:
		return fieldErr(f+".ca", fmt.Errorf("%w: the operator issues its hosted enterprises' identities", ErrMissing))
	case o.Role != RoleOperator && o.CA != nil:
		return fieldErr(f+".ca", fmt.Errorf("%w: only the operator issues identities", ErrInvalid))
	case o.CA != nil:
		if err := o.CA.validate(f + ".ca"); err != nil {
			return err
		}
	}
	if err := o.Enterprise.validate(f+".enterprise", o); err != nil {
		return err
	}
	msps := map[string]bool{}
	for i, e := range o.Endorsers {
		ef := f + ".endorsers[" + strconv.Itoa(i) + "]"
		if err := name(ef+".mspId", e.MSPID); err != nil {
			return err
		}
		if e.MSPID == o.MSPID {
			return fieldErr(ef+".mspId", fmt.Errorf("%w: the organisation's own MSP", ErrInvalid))
		}
		if msps[e.MSPID] {
			return fieldErr(ef+".mspId", fmt.Errorf("%w %q", ErrDuplicate, e.MSPID))
		}
		msps[e.MSPID] = true
		if err := e.Peer.validate(ef); err != nil {
			return err
		}
	}
	return nil
}

func (e Enterprise) validate(f string, o Org) error {
	if err := name(f+".id", e.ID); err != nil {
		return err
	}
	if e.Name == "" {
		return fieldErr(f+".name", ErrMissing)
	}
	if len(e.Name) > 256 {
		return fieldErr(f+".name", fmt.Errorf("%w: longer than 256 bytes", ErrInvalid))
	}
	if err := name(f+".legalId", e.LegalID); err != nil {
		return err
	}
	if err := name(f+".identity", e.Identity); err != nil {
		return err
	}
	if _, ok := o.Identities[e.Identity]; !ok {
		return fieldErr(f+".identity", fmt.Errorf("%w: %q is not in identities", ErrInvalid, e.Identity))
	}
	if e.EncryptionKeyPath == "" {
		return fieldErr(f+".encryptionKeyPath", ErrMissing)
	}
	switch {
	case o.Role == RoleRegulator && e.AuditKeyPath == "":
		return fieldErr(f+".auditKeyPath", fmt.Errorf("%w: the regulator holds the audit key", ErrMissing))
	case o.Role != RoleRegulator && e.AuditKeyPath != "":
		return fieldErr(f+".auditKeyPath", fmt.Errorf("%w: only the regulator holds the audit key", ErrInvalid))
	}
	switch {
	case o.Role == RoleOperator && e.OPRFKeyPath == "":
		return fieldErr(f+".oprfKeyPath", fmt.Errorf("%w: the operator holds the OPRF key", ErrMissing))
	case o.Role != RoleOperator && e.OPRFKeyPath != "":
		return fieldErr(f+".oprfKeyPath", fmt.Errorf("%w: only the operator holds the OPRF key", ErrInvalid))
	}
	return nil
}

func (p Peer) validate(f string) error {
	if p.Address == "" {
		return fieldErr(f+".address", ErrMissing)
	}
	if host, port, err := net.SplitHostPort(p.Address); err != nil || host == "" {
		return fieldErr(f+".address", fmt.Errorf("%w %q (want host:port)", ErrInvalid, p.Address))
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return fieldErr(f+".address", fmt.Errorf("%w port in %q", ErrInvalid, p.Address))
	}
	switch {
	case p.TLSCACertPEM == "" && p.TLSCACertPath == "":
		return fieldErr(f+".tlsCACertPEM", fmt.Errorf("%w (or tlsCACertPath)", ErrMissing))
	case p.TLSCACertPEM != "" && p.TLSCACertPath != "":
		return fieldErr(f+".tlsCACertPath", fmt.Errorf("%w: give tlsCACertPEM or tlsCACertPath, not both", ErrInvalid))
	case p.TLSCACertPEM != "":
		if err := certPEM([]byte(p.TLSCACertPEM)); err != nil {
			return fieldErr(f+".tlsCACertPEM", err)
		}
	}
	return nil
}

func (k KeyPair) validate(f string) error {
	if k.CertPath == "" {
		return fieldErr(f+".certPath", ErrMissing)
	}
	if k.KeyPath == "" {
		return fieldErr(f+".keyPath", ErrMissing)
	}
	return nil
}

// name checks an identifier: non-empty, printable ASCII without spaces or
// path separators (names become parts of file paths and field names).
func name(field, s string) error {
	if s == "" {
		return fieldErr(field, ErrMissing)
	}
	if len(s) > 128 {
		return fieldErr(field, fmt.Errorf("%w: longer than 128 bytes", ErrInvalid))
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c <= ' ' || c >= 0x7f || c == '/' || c == '\\' {
			return fieldErr(field, fmt.Errorf("%w name %q", ErrInvalid, s))
		}
	}
	return nil
}

// certPEM checks that b holds at least one PEM CERTIFICATE block and
// nothing else.
func certPEM(b []byte) error {
	n := 0
	for rest := bytes.TrimSpace(b); len(rest) > 0; rest = bytes.TrimSpace(rest) {
		var blk *pem.Block
		blk, rest = pem.Decode(rest)
		if blk == nil || blk.Type != "CERTIFICATE" {
			return fmt.Errorf("%w: want PEM CERTIFICATE blocks only", ErrInvalid)
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%w: no PEM certificate", ErrInvalid)
	}
	return nil
}

// eachPath calls f on every file path of the description, after copying
// the maps and slices that hold them (so the caller's copy is unchanged).
func (d *Description) eachPath(f func(*string)) {
	f(&d.CardsDir)
	o := &d.Org
	f(&o.Peer.TLSCACertPath)
	ids := make(map[string]Identity, len(o.Identities))
	for n, id := range o.Identities {
		f(&id.CertPath)
		f(&id.KeyPath)
		ids[n] = id
	}
	o.Identities = ids
	if o.CA != nil {
		ca := *o.CA
		f(&ca.CertPath)
		f(&ca.KeyPath)
		o.CA = &ca
	}
	f(&o.Enterprise.EncryptionKeyPath)
	f(&o.Enterprise.AuditKeyPath)
	f(&o.Enterprise.OPRFKeyPath)
	if d.Operator != nil {
		s := *d.Operator
		f(&s.CardPath)
		d.Operator = &s
	}
	if o.Endorsers != nil {
		o.Endorsers = slices.Clone(o.Endorsers)
		for j := range o.Endorsers {
			f(&o.Endorsers[j].TLSCACertPath)
		}
	}
}

func (d *Description) resolve(dir string) {
	d.eachPath(func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	})
}

// RelativeTo returns the description with every absolute path made
// relative to dir, the folder its file will be written to: the form that
// keeps working when the organisation's folder and the public bundle are
// moved or mounted elsewhere together.
func (d Description) RelativeTo(dir string) (Description, error) {
	var errs []error
	d.eachPath(func(p *string) {
		if *p == "" || !filepath.IsAbs(*p) {
			return
		}
		rel, err := filepath.Rel(dir, *p)
		if err != nil {
			errs = append(errs, fmt.Errorf("orgconfig: %w", err))
			return
		}
		*p = filepath.ToSlash(rel)
	})
	return d, errors.Join(errs...)
}

// TLSCACert returns the PEM of the peer's TLS CA, reading the file when
// the description gives a path.
func (p Peer) TLSCACert() ([]byte, error) {
	if p.TLSCACertPEM != "" {
		return []byte(p.TLSCACertPEM), nil
	}
	b, err := os.ReadFile(p.TLSCACertPath)
	if err != nil {
		return nil, fmt.Errorf("orgconfig: the TLS CA of %s: %w", p.Address, err)
	}
	if err := certPEM(b); err != nil {
		return nil, fmt.Errorf("orgconfig: %s: %w", p.TLSCACertPath, err)
	}
	return b, nil
}

// Read returns the certificate and private key PEM.
func (k KeyPair) Read() (certPEM, keyPEM []byte, err error) {
	if certPEM, err = os.ReadFile(k.CertPath); err != nil {
		return nil, nil, fmt.Errorf("orgconfig: %w", err)
	}
	if keyPEM, err = os.ReadFile(k.KeyPath); err != nil {
		return nil, nil, fmt.Errorf("orgconfig: %w", err)
	}
	return certPEM, keyPEM, nil
}

// Identity returns the files of the organisation's identity name.
func (o Org) Identity(name string) (Identity, error) {
	id, ok := o.Identities[name]
	if !ok {
		return Identity{}, fieldErr(o.Name+".identities."+name, ErrMissing)
	}
	return id, nil
}
