package channelconfig

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/hyperledger/fabric-gateway/pkg/identity"
	cb "github.com/hyperledger/fabric-protos-go-apiv2/common"
	mspb "github.com/hyperledger/fabric-protos-go-apiv2/msp"
	"google.golang.org/protobuf/proto"

	"github.com/tierchain/tierchain/internal/fabricclient"
)

// Signer is one identity that signs: an organisation's admin for a config
// update, any member identity for a submission or a block request.
type Signer struct {
	MSPID   string
	CertPEM []byte
	sign    identity.Sign
}

// NewSigner returns a signer from an identity's certificate and private
// key (PEM files, as an MSP's signcerts and keystore hold them).
func NewSigner(mspID, certPath, keyPath string) (*Signer, error) {
	cert, err := os.ReadFile(certPath)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	sign, err := fabricclient.NewSign(keyPEM)
	if err != nil {
		return nil, err
	}
	return &Signer{MSPID: mspID, CertPEM: cert, sign: sign}, nil
}

// signatureHeader is a fresh SignatureHeader for the signer (its
// serialized identity and a 24-byte nonce).
func (s *Signer) signatureHeader() ([]byte, error) {
	creator, err := proto.Marshal(&mspb.SerializedIdentity{Mspid: s.MSPID, IdBytes: s.CertPEM})
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, 24)
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return proto.Marshal(&cb.SignatureHeader{Creator: creator, Nonce: nonce})
}

func (s *Signer) signBytes(parts ...[]byte) ([]byte, error) {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return s.sign(h.Sum(nil))
}

// NewUpdateEnvelope wraps a CONFIG_UPDATE in the unsigned envelope that
// travels between the members' hosts (the form `peer channel
// signconfigtx` and `peer channel update -f` read too).
func NewUpdateEnvelope(update *cb.ConfigUpdate) ([]byte, error) {
	u, err := proto.Marshal(update)
	if err != nil {
		return nil, err
	}
	return envelope(cb.HeaderType_CONFIG_UPDATE, update.ChannelId, &cb.ConfigUpdateEnvelope{ConfigUpdate: u}, nil)
}

// envelope wraps msg in an envelope of the given type, signed by s if s is
// not nil.
func envelope(typ cb.HeaderType, channel string, msg proto.Message, s *Signer) ([]byte, error) {
	data, err := proto.Marshal(msg)
	if err != nil {
		return nil, err
	}
	chdr, err := proto.Marshal(&cb.ChannelHeader{Type: int32(typ), ChannelId: channel,
		Timestamp: timestamp(time.Now())})
	if err != nil {
		return nil, err
	}
	hdr := &cb.Header{ChannelHeader: chdr}
	if s != nil {
		if hdr.SignatureHeader, err = s.signatureHeader(); err != nil {
			return nil, err
		}
	}
	payload, err := proto.Marshal(&cb.Payload{Header: hdr, Data: data})
	if err != nil {
		return nil, err
	}
	env := &cb.Envelope{Payload: payload}
	if s != nil {
		if env.Signature, err = s.signBytes(payload); err != nil {
			return nil, err
		}
	}
	return proto.Marshal(env)
}

// Update is a decoded config update envelope.
type Update struct {
	Channel    string
	Update     *cb.ConfigUpdate
	raw        []byte // the ConfigUpdate bytes the signatures cover
	Signatures []*cb.ConfigSignature
}

// MaxUpdateSize bounds an update file (certificates and signatures of a
// few dozen members fit many times).
const MaxUpdateSize = 4 << 20

// ParseUpdate decodes a config update envelope file.
func ParseUpdate(env []byte) (*Update, error) {
	if len(env) > MaxUpdateSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrNotUpdate, MaxUpdateSize)
	}
	payload, chdr, err := openEnvelope(env)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotUpdate, err)
	}
	if chdr.Type != int32(cb.HeaderType_CONFIG_UPDATE) {
		return nil, fmt.Errorf("%w: envelope of type %d", ErrNotUpdate, chdr.Type)
	}
	var cue cb.ConfigUpdateEnvelope
	if err := proto.Unmarshal(payload.Data, &cue); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotUpdate, err)
	}
	var cu cb.ConfigUpdate
	if err := proto.Unmarshal(cue.ConfigUpdate, &cu); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotUpdate, err)
	}
	if cu.ChannelId != chdr.ChannelId || cu.WriteSet == nil {
		return nil, fmt.Errorf("%w: channel %q in the header, %q in the update", ErrNotUpdate, chdr.ChannelId, cu.ChannelId)
	}
	return &Update{Channel: cu.ChannelId, Update: &cu, raw: cue.ConfigUpdate, Signatures: cue.Signatures}, nil
}

// Marshal encodes the update, with its signatures, as an unsigned
// CONFIG_UPDATE envelope.
func (u *Update) Marshal() ([]byte, error) {
	return envelope(cb.HeaderType_CONFIG_UPDATE, u.Channel, &cb.ConfigUpdateEnvelope{ConfigUpdate: u.raw, Signatures: u.Signatures}, nil)
}

// Sign adds s's signature to the update. Signing twice with the same
// certificate replaces the first signature.
func (u *Update) Sign(s *Signer) error {
	hdr, err := s.signatureHeader()
	if err != nil {
		return err
	}
	sig, err := s.signBytes(hdr, u.raw)
	if err != nil {
		return err
	}
	u.Signatures = slices.DeleteFunc(u.Signatures, func(cs *cb.ConfigSignature) bool {
		id, err := signer(cs)
		return err == nil && id.Mspid == s.MSPID && bytes.Equal(id.IdBytes, s.CertPEM)
	})
	u.Signatures = append(u.Signatures, &cb.ConfigSignature{SignatureHeader: hdr, Signature: sig})
	return nil
}

func signer(cs *cb.ConfigSignature) (*mspb.SerializedIdentity, error) {
	var sh cb.SignatureHeader
	if err := proto.Unmarshal(cs.SignatureHeader, &sh); err != nil {
		return nil, err
	}
	var id mspb.SerializedIdentity
	if err := proto.Unmarshal(sh.Creator, &id); err != nil {
		return nil, err
	}
	return &id, nil
}

// SignatureCheck is what Check found about one signature.
type SignatureCheck struct {
	MSPID string
	// Admin reports a valid signature of an admin of an application
	// organisation of the channel: one that counts towards the majority.
	Admin bool
	// Problem says why it does not count ("" when Admin).
	Problem string
}

// Check verifies every signature of the update against the channel's
// config cfg, as the orderer's MAJORITY Admins policy would count them,
// and returns the application organisations whose admins signed (each
// once) and a verdict for each signature. It is a courtesy to the members
// (the orderer decides): an update a minority signed is ErrTooFew here
// before any orderer sees it.
func (u *Update) Check(cfg *cb.Config) (signed []string, checks []SignatureCheck) {
	app := cfg.GetChannelGroup().GetGroups()[applicationGroup]
	for _, cs := range u.Signatures {
		c := SignatureCheck{}
		c.Problem = func() string {
			id, err := signer(cs)
			if err != nil {
				return "undecodable signature header"
			}
			c.MSPID = id.Mspid
			org, ok := app.GetGroups()[id.Mspid]
			if !ok {
				return "not an application organisation of the channel"
			}
			cert, err := parseCert(id.IdBytes)
			if err != nil {
				return "undecodable certificate"
			}
			roots, err := rootCerts(org)
			if err != nil {
				return "the organisation's MSP is undecodable"
			}
			if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
				return "certificate not issued by the organisation's CA"
			}
			if !slices.Contains(cert.Subject.OrganizationalUnit, "admin") {
				return "not an admin"
			}
			pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
			if !ok {
				return "not an ECDSA key"
			}
			digest := sha256.Sum256(append(slices.Clone(cs.SignatureHeader), u.raw...))
			if !ecdsa.VerifyASN1(pub, digest[:], cs.Signature) {
				return "signature does not verify"
			}
			return ""
		}()
		c.Admin = c.Problem == ""
		if c.Admin && !slices.Contains(signed, c.MSPID) {
			signed = append(signed, c.MSPID)
		}
		checks = append(checks, c)
	}
	slices.Sort(signed)
	return signed, checks
}

func parseCert(p []byte) (*x509.Certificate, error) {
	blk, _ := pem.Decode(p)
	if blk == nil {
		return nil, fmt.Errorf("no PEM block")
	}
	return x509.ParseCertificate(blk.Bytes)
}

func rootCerts(org *cb.ConfigGroup) (*x509.CertPool, error) {
	var mc mspb.MSPConfig
	if err := proto.Unmarshal(org.GetValues()[mspKey].GetValue(), &mc); err != nil {
		return nil, err
	}
	var fc mspb.FabricMSPConfig
	if err := proto.Unmarshal(mc.Config, &fc); err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	for _, r := range fc.RootCerts {
		c, err := parseCert(r)
		if err != nil {
			return nil, err
		}
		pool.AddCert(c)
	}
	return pool, nil
}
