// Package orgconfig is the plain description of a consortium as a TierChain
// gateway needs it: for each organisation its MSP ID, role, its own peer
// (endpoint and TLS CA), the files of its identities, the signing CA it
// issues hosted enterprises' identities with (the operator only), and the
// peers of the other organisations it endorses on (public material only);
// plus the channel and chaincode they share.
//
// The gateway (gateway/platform) is configured with a Consortium and knows
// nothing of how the network was started: internal/fabnet writes one for
// the network `tierchain up` starts, and a docker-compose or Kubernetes
// deployment writes its own. The JSON form is versioned (Version) and
// strict: unknown fields, a second JSON value and missing or malformed
// fields are errors that name the field (FieldError).
package orgconfig

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

// Version is the version of the description this package reads and writes.
const Version = 1

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

// Consortium describes the organisations a gateway hosts and the channel
// and chaincode they transact on.
type Consortium struct {
	Version   int    `json:"version"`
	Channel   string `json:"channel"`
	Chaincode string `json:"chaincode"`
	Orgs      []Org  `json:"orgs"`
}

// Org is one organisation as its gateway sees it.
type Org struct {
	Name  string `json:"name"`  // e.g. "Operator"
	MSPID string `json:"mspId"` // e.g. "OperatorMSP"
	Role  Role   `json:"role"`
	// Peer is the organisation's own peer, which its gateway connects to.
	Peer Peer `json:"peer"`
	// Identities are the organisation's client identities by name
	// ("Admin", "User1", …): secret material of this organisation only.
	Identities map[string]Identity `json:"identities"`
	// CA is the signing CA when the gateway issues identities of this
	// organisation (the operator, for the enterprises it hosts).
	CA *KeyPair `json:"ca,omitempty"`
	// Endorsers are the other organisations' peers that endorse with this
	// one: endpoints and TLS CAs, nothing secret. A gateway that hosts
	// every organisation (today's) does not need them (the peer's gateway
	// service finds endorsers by discovery); one organisation's own
	// description carries them for the deployments that pin endorsers.
	Endorsers []RemotePeer `json:"endorsers,omitempty"`
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
func Load(path string) (Consortium, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Consortium{}, fmt.Errorf("orgconfig: %w", err)
	}
	abs, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return Consortium{}, fmt.Errorf("orgconfig: %w", err)
	}
	c, err := Parse(b, abs)
	if err != nil {
		return Consortium{}, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Parse decodes and validates a description. Relative file paths are made
// relative to baseDir (unchanged when baseDir is empty).
func Parse(data []byte, baseDir string) (Consortium, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var c Consortium
	if err := dec.Decode(&c); err != nil {
		return Consortium{}, fmt.Errorf("orgconfig: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return Consortium{}, errors.New("orgconfig: data after the description")
	}
	if err := c.Validate(); err != nil {
		return Consortium{}, err
	}
	for i := range c.Orgs {
		if len(c.Orgs[i].Endorsers) == 0 {
			c.Orgs[i].Endorsers = nil // "endorsers": [] reads as none
		}
	}
	if baseDir != "" {
		c.resolve(baseDir)
	}
	return c, nil
}

// Marshal encodes a valid description (indented, newline-terminated).
func (c Consortium) Marshal() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Validate checks every field; the error names the first wrong one.
func (c Consortium) Validate() error {
	if c.Version != Version {
		return fieldErr("version", fmt.Errorf("%w %d (want %d)", ErrVersion, c.Version, Version))
	}
	if err := name("channel", c.Channel); err != nil {
		return err
	}
	if err := name("chaincode", c.Chaincode); err != nil {
		return err
	}
	if len(c.Orgs) == 0 {
		return fieldErr("orgs", ErrMissing)
	}
	names, msps := map[string]bool{}, map[string]bool{}
	for i, o := range c.Orgs {
		f := "orgs[" + strconv.Itoa(i) + "]"
		if err := o.validate(f); err != nil {
			return err
		}
		if names[o.Name] {
			return fieldErr(f+".name", fmt.Errorf("%w %q", ErrDuplicate, o.Name))
		}
		if msps[o.MSPID] {
			return fieldErr(f+".mspId", fmt.Errorf("%w %q", ErrDuplicate, o.MSPID))
		}
		names[o.Name], msps[o.MSPID] = true, true
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
	if o.CA != nil {
		if err := o.CA.validate(f + ".ca"); err != nil {
			return err
		}
	}
	for i, e := range o.Endorsers {
		ef := f + ".endorsers[" + strconv.Itoa(i) + "]"
		if err := name(ef+".mspId", e.MSPID); err != nil {
			return err
		}
		if e.MSPID == o.MSPID {
			return fieldErr(ef+".mspId", fmt.Errorf("%w: the organisation's own MSP", ErrInvalid))
		}
		if err := e.Peer.validate(ef); err != nil {
			return err
		}
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

func (c *Consortium) resolve(dir string) {
	abs := func(p *string) {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
	for i := range c.Orgs {
		o := &c.Orgs[i]
		abs(&o.Peer.TLSCACertPath)
		ids := make(map[string]Identity, len(o.Identities))
		for n, id := range o.Identities {
			abs(&id.CertPath)
			abs(&id.KeyPath)
			ids[n] = id
		}
		o.Identities = ids
		if o.CA != nil {
			ca := *o.CA
			abs(&ca.CertPath)
			abs(&ca.KeyPath)
			o.CA = &ca
		}
		for j := range o.Endorsers {
			abs(&o.Endorsers[j].TLSCACertPath)
		}
	}
}

// Org returns the organisation with the given name.
func (c Consortium) Org(name string) (Org, bool) {
	for _, o := range c.Orgs {
		if o.Name == name {
			return o, true
		}
	}
	return Org{}, false
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
