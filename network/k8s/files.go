package k8s

import (
	"fmt"
	"path"
	"regexp"
	"strings"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// Mount is where every container sees the prepared folder, as in
// docker-compose.yml: an organisation's own files under
// /tierchain/orgs/<Org>/ and the public bundle under /tierchain/public/,
// so the relative paths in the gateway's description hold in and out of
// the cluster.
const Mount = "/tierchain"

// File is one file of the prepared folder as a Secret or ConfigMap carries
// it: Key is its key there (Kubernetes keys are flat), Path its path below
// the organisation's folder (orgs/<Org>/) or the public bundle (public/),
// where the volume's items put it back.
type File struct {
	Key  string
	Path string
}

// A Set is what one Secret (or the public ConfigMap) carries.
type Set struct {
	// Name is the Secret's (ConfigMap's) name before kustomize's hash suffix.
	Name  string
	Files []File
}

// keyChars are the characters a Secret or ConfigMap key may hold.
var notKeyChar = regexp.MustCompile(`[^-._a-zA-Z0-9]`)

// keyOf is the flat key of a relative path: the organisation's crypto root
// dropped, every other character outside [-._a-zA-Z0-9] an underscore.
func keyOf(o fabnet.Org, rel string) string {
	rel = strings.TrimPrefix(rel, cryptoRoot(o)+"/")
	return notKeyChar.ReplaceAllString(rel, "_")
}

// cryptoRoot is where cryptogen writes an organisation's keys in its folder.
func cryptoRoot(o fabnet.Org) string { return "crypto/peerOrganizations/" + o.Domain }

func files(o fabnet.Org, rels ...string) []File {
	fs := make([]File, 0, len(rels))
	for _, r := range rels {
		fs = append(fs, File{Key: keyOf(o, r), Path: r})
	}
	return fs
}

// mspFiles are a node's or user's MSP folder as cryptogen writes it
// (dir: peers/<host>, orderers/<host> or users/<name>@<domain>).
func mspFiles(o fabnet.Org, dir, signer string) []string {
	d := cryptoRoot(o) + "/" + dir + "/msp/"
	return []string{
		d + "cacerts/ca." + o.Domain + "-cert.pem",
		d + "config.yaml",
		d + "keystore/priv_sk",
		d + "signcerts/" + signer + "-cert.pem",
		d + "tlscacerts/tlsca." + o.Domain + "-cert.pem",
	}
}

func serverTLS(o fabnet.Org, dir string) []string {
	d := cryptoRoot(o) + "/" + dir + "/tls/"
	return []string{d + "ca.crt", d + "server.crt", d + "server.key"}
}

// PeerDir, OrdererDir, ChaincodeDir and UserDir are the folders of an
// organisation's nodes and users below its own folder.
func PeerDir(o fabnet.Org) string { return cryptoRoot(o) + "/peers/" + o.PeerHost }
func OrdererDir(o fabnet.Org, ord fabnet.Orderer) string {
	return cryptoRoot(o) + "/orderers/" + ord.Host
}
func ChaincodeDir(o fabnet.Org) string { return cryptoRoot(o) + "/peers/chaincode." + o.Domain }
func UserDir(o fabnet.Org, user string) string {
	return cryptoRoot(o) + "/users/" + user + "@" + o.Domain
}

// PeerKeys is what the peer holds: its MSP and its TLS server identity.
func PeerKeys(o fabnet.Org) Set {
	rels := append(mspFiles(o, "peers/"+o.PeerHost, o.PeerHost), serverTLS(o, "peers/"+o.PeerHost)...)
	return Set{Name: "peer-keys", Files: files(o, rels...)}
}

// OrdererKeys is what one of the organisation's orderers holds.
func OrdererKeys(o fabnet.Org, ord fabnet.Orderer) Set {
	rels := append(mspFiles(o, "orderers/"+ord.Host, ord.Host), serverTLS(o, "orderers/"+ord.Host)...)
	return Set{Name: ord.Name + "-keys", Files: files(o, rels...)}
}

// ChaincodeKeys is the chaincode server's TLS identity (its peer's client
// CA included).
func ChaincodeKeys(o fabnet.Org) Set {
	return Set{Name: "chaincode-keys", Files: files(o, serverTLS(o, "peers/chaincode."+o.Domain)...)}
}

// ChaincodePackage is the organisation's own chaincode package (its
// connection.json names its own chaincode server), installed by its admin.
const ChaincodePackage = fabnet.ChaincodeLabel + ".tar.gz"

// AdminKeys is what the organisation's admin Jobs hold: the Admin's MSP and
// TLS client identity, and the organisation's chaincode package.
func AdminKeys(o fabnet.Org) Set {
	u := "users/Admin@" + o.Domain
	d := cryptoRoot(o) + "/" + u + "/tls/"
	rels := append(mspFiles(o, u, "Admin@"+o.Domain), d+"ca.crt", d+"client.crt", d+"client.key", ChaincodePackage)
	fs := files(o, rels...)
	fs[len(fs)-1].Key = "chaincode-package.tar.gz"
	return Set{Name: "admin-keys", Files: fs}
}

// OrgConfig is the gateway's description in the organisation's folder.
const OrgConfig = "gateway/org.json"

// GatewayKeys is what the gateway holds: its description, the signing
// identities it names (Admin and the users), the enterprise's keys, and for
// the operator its CA (it issues hosted suppliers' identities).
func GatewayKeys(o fabnet.Org) Set {
	rels := []string{OrgConfig}
	users := []string{"Admin"}
	for i := 1; i <= o.Users; i++ {
		users = append(users, fmt.Sprintf("User%d", i))
	}
	for _, u := range users {
		d := cryptoRoot(o) + "/users/" + u + "@" + o.Domain + "/msp/"
		rels = append(rels, d+"signcerts/"+u+"@"+o.Domain+"-cert.pem", d+"keystore/priv_sk")
	}
	rels = append(rels, "enterprise/encryption.key")
	switch o.Role {
	case fabnet.RoleOperator:
		rels = append(rels, "enterprise/oprf.key",
			cryptoRoot(o)+"/ca/ca."+o.Domain+"-cert.pem", cryptoRoot(o)+"/ca/priv_sk")
	case fabnet.RoleRegulator:
		rels = append(rels, "enterprise/audit.key")
	}
	fs := files(o, rels...)
	fs[0].Key = "org.json"
	return Set{Name: "gateway-keys", Files: fs}
}

// ChaincodeEnv is the file in the organisation's folder that names its
// chaincode package ID (CHAINCODE_ID=…), which its chaincode server needs.
const ChaincodeEnv = "chaincode.env"

// Public is the public bundle as every organisation's namespace carries it
// (a ConfigMap): every organisation's TLS CA certificate, the channel's
// genesis block, the endpoints, and the founding enterprises' cards.
func Public(l fabnet.Layout) Set {
	s := Set{Name: "public"}
	add := func(rel string) {
		s.Files = append(s.Files, File{Key: notKeyChar.ReplaceAllString(strings.ReplaceAll(rel, "/", "_"), "_"), Path: rel})
	}
	for _, o := range l.Orgs {
		add(o.Name + "/tlsca.pem")
	}
	add(GenesisBlock)
	add("endpoints.json")
	for _, o := range l.Orgs {
		add("enterprises/" + o.Enterprise.ID + ".json")
	}
	return s
}

// GenesisBlock is the channel's genesis block in the public bundle.
const GenesisBlock = fabnet.ChannelName + ".block"

// OrgPath and PublicPath are where a container sees a file of the
// organisation's folder and of the public bundle.
func OrgPath(o fabnet.Org, rel string) string { return path.Join(Mount, "orgs", o.Name, rel) }
func PublicPath(rel string) string            { return path.Join(Mount, "public", rel) }

// TLSCA is where a container sees an organisation's TLS CA certificate.
func TLSCA(org string) string { return PublicPath(org + "/tlsca.pem") }
