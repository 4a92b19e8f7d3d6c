package channelconfig

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"github.com/tierchain/tierchain/internal/orgconfig"
	"github.com/tierchain/tierchain/internal/strictjson"
)

// DefinitionVersion is the version of Definition this package reads and
// writes.
const DefinitionVersion = 1

// Definition is what a newcomer hands the members: public material only.
// Its JSON form (strict: internal/strictjson) is the file `tierchain org
// add` passes between hosts.
type Definition struct {
	Version int            `json:"version"`
	Name    string         `json:"name"`  // e.g. "BankC"
	MSPID   string         `json:"mspId"` // e.g. "BankCMSP"
	Role    orgconfig.Role `json:"role"`  // bank or core: an endorsing member
	// CACerts and TLSCACerts are the PEMs of its root CA and TLS root CA
	// certificates. Its identities' roles come from NodeOUs (admin, peer,
	// client, orderer) under CACerts[0], as cryptogen and Fabric CA issue
	// them.
	CACerts    []string `json:"caCerts"`
	TLSCACerts []string `json:"tlsCACerts"`
	// AnchorPeers are where the other organisations' peers reach its peer
	// for gossip.
	AnchorPeers []AnchorPeer `json:"anchorPeers"`
	// PeerAddress and GatewayAddress are its endpoints (host:port) for
	// the other members' clients.
	PeerAddress    string `json:"peerAddress"`
	GatewayAddress string `json:"gatewayAddress,omitempty"`
}

// AnchorPeer is one anchor peer of an organisation.
type AnchorPeer struct {
	Host string `json:"host"`
	Port int    `json:"port"`
}

// MaxDefinitionSize bounds a definition file: a few certificates fit many
// times.
const MaxDefinitionSize = 256 << 10

var mspIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ParseDefinition decodes and validates a definition.
func ParseDefinition(data []byte) (Definition, error) {
	if len(data) > MaxDefinitionSize {
		return Definition{}, fmt.Errorf("%w: larger than %d bytes", ErrDefinition, MaxDefinitionSize)
	}
	var d Definition
	if err := strictjson.Decode(data, &d); err != nil {
		return Definition{}, fmt.Errorf("%w: %w", ErrDefinition, err)
	}
	if err := d.Validate(); err != nil {
		return Definition{}, err
	}
	return d, nil
}

// Marshal encodes a valid definition (indented, newline-terminated).
func (d Definition) Marshal() ([]byte, error) { return strictjson.MarshalDocument(d) }

func defErr(field, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %s", ErrDefinition, field, fmt.Sprintf(format, args...))
}

// Validate checks every field; the error names the first wrong one.
func (d Definition) Validate() error {
	if d.Version != DefinitionVersion {
		return defErr("version", "unsupported version %d (want %d)", d.Version, DefinitionVersion)
	}
	if !mspIDPattern.MatchString(d.Name) {
		return defErr("name", "want 1 to 64 letters, digits, '.', '_' or '-'")
	}
	if !mspIDPattern.MatchString(d.MSPID) {
		return defErr("mspId", "want 1 to 64 letters, digits, '.', '_' or '-'")
	}
	if d.Role != orgconfig.RoleBank && d.Role != orgconfig.RoleCore {
		return defErr("role", "%q (a newcomer is a bank or a core enterprise)", d.Role)
	}
	if err := caCerts("caCerts", d.CACerts); err != nil {
		return err
	}
	if err := caCerts("tlsCACerts", d.TLSCACerts); err != nil {
		return err
	}
	if len(d.AnchorPeers) == 0 || len(d.AnchorPeers) > 8 {
		return defErr("anchorPeers", "want 1 to 8")
	}
	for i, a := range d.AnchorPeers {
		if a.Host == "" || len(a.Host) > 253 || a.Port < 1 || a.Port > 65535 {
			return defErr(fmt.Sprintf("anchorPeers[%d]", i), "want a host and a port 1…65535")
		}
	}
	if err := address("peerAddress", d.PeerAddress, true); err != nil {
		return err
	}
	return address("gatewayAddress", d.GatewayAddress, false)
}

func address(field, a string, required bool) error {
	if a == "" && !required {
		return nil
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil || host == "" {
		return defErr(field, "want host:port")
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return defErr(field, "want a port 1…65535")
	}
	return nil
}

// caCerts checks a list of CA certificates: 1 to 4, each one PEM
// CERTIFICATE block of a CA, and no private key anywhere.
func caCerts(field string, pems []string) error {
	if len(pems) == 0 || len(pems) > 4 {
		return defErr(field, "want 1 to 4 certificates")
	}
	for i, p := range pems {
		f := fmt.Sprintf("%s[%d]", field, i)
		if bytes.Contains([]byte(p), []byte("PRIVATE KEY")) {
			return defErr(f, "a private key")
		}
		blk, rest := pem.Decode([]byte(p))
		if blk == nil || blk.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
			return defErr(f, "want exactly one PEM CERTIFICATE block")
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return defErr(f, "%v", err)
		}
		if !c.IsCA {
			return defErr(f, "not a CA certificate")
		}
	}
	return nil
}

// DefinitionFromMSPDir builds a definition from an organisation's public
// MSP folder (cacerts/*.pem, tlscacerts/*.pem, as cryptogen writes it),
// with its anchor peer and endpoints.
func DefinitionFromMSPDir(name, mspID string, role orgconfig.Role, mspDir string, anchor AnchorPeer, peerAddress, gatewayAddress string) (Definition, error) {
	read := func(sub string) ([]string, error) {
		files, err := filepath.Glob(filepath.Join(mspDir, sub, "*.pem"))
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("%w: no certificate in %s", ErrDefinition, filepath.Join(mspDir, sub))
		}
		var out []string
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, string(b))
		}
		return out, nil
	}
	d := Definition{Version: DefinitionVersion, Name: name, MSPID: mspID, Role: role,
		AnchorPeers: []AnchorPeer{anchor}, PeerAddress: peerAddress, GatewayAddress: gatewayAddress}
	var err error
	if d.CACerts, err = read("cacerts"); err != nil {
		return Definition{}, err
	}
	if d.TLSCACerts, err = read("tlscacerts"); err != nil {
		return Definition{}, err
	}
	return d, d.Validate()
}
