// Package fabricca issues Fabric client identities from an organisation's
// certificate authority material (the CA certificate and key cryptogen or
// a Fabric CA keeps), so the operator can onboard an enterprise that has no
// peer of its own: its certificate belongs to the operator's MSP, carries
// the NodeOU "client" and is told apart from other hosted enterprises by
// its certificate, as the chaincode's registry does. It also issues node
// identities (IssueNode, IssueTLS): internal/fabnet gives the orderers an
// organisation runs their identities from the organisation's own CAs.
package fabricca

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"regexp"
	"time"
)

// ErrCA reports unusable CA material or an invalid request.
var ErrCA = errors.New("fabricca")

// CA signs certificates with an organisation's CA key.
type CA struct {
	cert *x509.Certificate
	key  crypto.Signer
}

// Load parses a PEM CA certificate and its PEM private key (PKCS#8, as
// cryptogen writes it, or SEC 1). The key must match the certificate.
func Load(certPEM, keyPEM []byte) (*CA, error) {
	cert, err := ParseCertificatePEM(certPEM)
	if err != nil {
		return nil, err
	}
	if !cert.IsCA {
		return nil, fmt.Errorf("%w: %s is not a CA certificate", ErrCA, cert.Subject.CommonName)
	}
	key, err := ParsePrivateKeyPEM(keyPEM)
	if err != nil {
		return nil, err
	}
	pub, ok := key.Public().(*ecdsa.PublicKey)
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, fmt.Errorf("%w: the key does not match the CA certificate", ErrCA)
	}
	return &CA{cert: cert, key: key}, nil
}

// Certificate returns the CA certificate.
func (ca *CA) Certificate() *x509.Certificate { return ca.cert }

var commonNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$`)

// Identity is an issued client identity, PEM encoded.
type Identity struct {
	CertPEM []byte
	KeyPEM  []byte // PKCS#8; a secret
}

// String redacts the key.
func (id Identity) String() string { return "fabricca.Identity{key: REDACTED}" }

// IssueClient creates a P-256 key and a client certificate for commonName,
// valid from now until notAfter (capped at the CA's own expiry), with the
// NodeOU "client" that Fabric's MSP requires of a transaction submitter.
func (ca *CA) IssueClient(commonName string, now, notAfter time.Time, random io.Reader) (Identity, error) {
	return ca.issue(commonName, []string{"client"}, nil, now, notAfter, random)
}

// IssueNode creates a P-256 key and a signing certificate for a node of the
// organisation, with the NodeOU ou ("orderer", "peer"), as IssueClient does.
func (ca *CA) IssueNode(commonName, ou string, now, notAfter time.Time, random io.Reader) (Identity, error) {
	return ca.issue(commonName, []string{ou}, nil, now, notAfter, random)
}

// IssueTLS creates a P-256 key and a TLS server and client certificate for
// the hosts (DNS names or IP addresses), from a TLS CA.
func (ca *CA) IssueTLS(commonName string, hosts []string, now, notAfter time.Time, random io.Reader) (Identity, error) {
	if len(hosts) == 0 {
		return Identity{}, fmt.Errorf("%w: a TLS certificate for no host", ErrCA)
	}
	return ca.issue(commonName, nil, hosts, now, notAfter, random)
}

// issue signs a certificate for a fresh key: with hosts, a TLS certificate
// for them; without, a signing certificate with the OUs.
func (ca *CA) issue(commonName string, ous, hosts []string, now, notAfter time.Time, random io.Reader) (Identity, error) {
	if !commonNameRE.MatchString(commonName) {
		return Identity{}, fmt.Errorf("%w: invalid common name %q", ErrCA, commonName)
	}
	if random == nil {
		random = rand.Reader
	}
	if notAfter.After(ca.cert.NotAfter) {
		notAfter = ca.cert.NotAfter
	}
	if !notAfter.After(now) {
		return Identity{}, fmt.Errorf("%w: the certificate would be expired at issue", ErrCA)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), random)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrCA, err)
	}
	der, err := ca.sign(commonName, ous, hosts, &key.PublicKey, now, notAfter, random)
	if err != nil {
		return Identity{}, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrCA, err)
	}
	return Identity{
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}),
	}, nil
}

// IssueClientFor signs a client certificate (NodeOU "client") for a P-256
// public key whose private key the CA never sees: a self-custody
// enterprise's, made on its own device. It returns the certificate's PEM.
func (ca *CA) IssueClientFor(commonName string, pub *ecdsa.PublicKey, now, notAfter time.Time, random io.Reader) ([]byte, error) {
	if !commonNameRE.MatchString(commonName) {
		return nil, fmt.Errorf("%w: invalid common name %q", ErrCA, commonName)
	}
	if pub == nil || pub.Curve != elliptic.P256() {
		return nil, fmt.Errorf("%w: not a P-256 public key", ErrCA)
	}
	if random == nil {
		random = rand.Reader
	}
	if notAfter.After(ca.cert.NotAfter) {
		notAfter = ca.cert.NotAfter
	}
	if !notAfter.After(now) {
		return nil, fmt.Errorf("%w: the certificate would be expired at issue", ErrCA)
	}
	der, err := ca.sign(commonName, []string{"client"}, nil, pub, now, notAfter, random)
	if err != nil {
		return nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// sign makes the certificate of pub (DER).
func (ca *CA) sign(commonName string, ous, hosts []string, pub *ecdsa.PublicKey, now, notAfter time.Time, random io.Reader) ([]byte, error) {
	serial, err := rand.Int(random, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCA, err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCA, err)
	}
	ski := sha256.Sum256(pubDER)
	// Allow for clock skew between hosts, but never start before the CA:
	// Fabric's MSP checks the chain at the certificate's NotBefore, when
	// the CA must already be valid.
	notBefore := now.Add(-5 * time.Minute)
	if notBefore.Before(ca.cert.NotBefore) {
		notBefore = ca.cert.NotBefore
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName:         commonName,
			OrganizationalUnit: ous,
			Country:            ca.cert.Subject.Country,
			Province:           ca.cert.Subject.Province,
			Locality:           ca.cert.Subject.Locality,
		},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		SubjectKeyId:          ski[:],
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}
	if len(hosts) > 0 {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
	}
	// Fabric's MSP refuses a certificate whose ECDSA signature is not in
	// low-S form ("not in canonical form"); signing is randomised, so sign
	// again until it is (half the signatures are).
	for try := 0; ; try++ {
		der, err := x509.CreateCertificate(random, tmpl, ca.cert, pub, ca.key)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrCA, err)
		}
		low, err := lowS(der, ca.cert)
		if err != nil {
			return nil, err
		}
		if low {
			return der, nil
		}
		if try == 64 {
			return nil, fmt.Errorf("%w: no low-S signature after 64 tries", ErrCA)
		}
	}
}

// lowS reports whether the ECDSA signature of certificate der has s ≤ n/2
// for the curve of the signer's key.
func lowS(der []byte, signer *x509.Certificate) (bool, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return false, fmt.Errorf("%w: %v", ErrCA, err)
	}
	pub, ok := signer.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return true, nil
	}
	var sig struct{ R, S *big.Int }
	if rest, err := asn1.Unmarshal(cert.Signature, &sig); err != nil || len(rest) != 0 {
		return false, fmt.Errorf("%w: malformed ECDSA signature", ErrCA)
	}
	half := new(big.Int).Rsh(pub.Curve.Params().N, 1)
	return sig.S.Cmp(half) <= 0, nil
}

// ParseCertificatePEM parses exactly one PEM certificate.
func ParseCertificatePEM(b []byte) (*x509.Certificate, error) {
	block, rest := pem.Decode(b)
	if block == nil || block.Type != "CERTIFICATE" || len(bytes.TrimSpace(rest)) != 0 {
		return nil, fmt.Errorf("%w: want exactly one PEM certificate", ErrCA)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCA, err)
	}
	return cert, nil
}

// ParsePrivateKeyPEM parses one PEM ECDSA private key (PKCS#8 or SEC 1).
func ParsePrivateKeyPEM(b []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("%w: no PEM private key", ErrCA)
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		if s, ok := k.(*ecdsa.PrivateKey); ok {
			return s, nil
		}
		return nil, fmt.Errorf("%w: not an ECDSA key", ErrCA)
	}
	k, err := x509.ParseECPrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%w: unreadable private key", ErrCA)
	}
	return k, nil
}
