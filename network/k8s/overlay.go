package k8s

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/tierchain/tierchain/internal/fabnet"
)

// Layout is the network the overlays install: the one docker-compose.yml
// runs (three orderers, run by Operator, Core and BankA), every node
// reached at its own DNS name and binding 0.0.0.0.
func Layout() fabnet.Layout {
	return fabnet.NewLayout(fabnet.DefaultBase, 3).WithNodeNames("0.0.0.0")
}

// Namespace is the namespace an organisation installs into. With the
// cluster DNS rule of docs/OPERATIONS.md (DNSRewrite), a node name of the
// layout, <service>.<org>.tierchain.local, is the Service <service> in
// the namespace tierchain-<org>.
func Namespace(o fabnet.Org) string { return "tierchain-" + strings.ToLower(o.Name) }

// DNSRewrite is the CoreDNS rule that makes the layout's node names
// resolve to the Services of the organisations' namespaces, and rewrites
// the answer back to the name asked (clients check that they match).
const DNSRewrite = `rewrite stop name regex ^([a-z0-9-]+)\.([a-z0-9-]+)\.tierchain\.local\.$ {1}.tierchain-{2}.svc.cluster.local. ` +
	`answer name ^([a-z0-9-]+)\.tierchain-([a-z0-9-]+)\.svc\.cluster\.local\.$ {1}.{2}.tierchain.local.`

// Images are the images the base names (docker-compose.yml's defaults,
// built by network/docker/build.sh); an overlay or a kustomization on top
// overrides them with its images field.
var Images = map[string]string{
	"peer":      "tierchain/fabric-peer:dev",
	"orderer":   "tierchain/fabric-orderer:dev",
	"chaincode": "tierchain/chaincode:dev",
	"gateway":   "tierchain/gateway:dev",
}

// Errors of the generator.
var (
	// ErrUnsupportedLayout: the layout has something the base cannot
	// express (e.g. an organisation running two orderers).
	ErrUnsupportedLayout = errors.New("k8s: layout not supported by the base")
	// ErrNoOrg: no organisation of that name in the layout.
	ErrNoOrg = errors.New("k8s: no such organisation")
)

//go:embed templates/*.tmpl
var templatesFS embed.FS

var tmpl = template.Must(template.New("").Funcs(template.FuncMap{
	"quote": strconv.Quote,
	"lower": strings.ToLower,
}).ParseFS(templatesFS, "templates/*.tmpl"))

// overlayData is what the templates of one organisation's overlay read.
type overlayData struct {
	Org       fabnet.Org
	Namespace string
	Peer      peerData
	Chaincode chaincodeData
	Gateway   gatewayData
	Admin     adminData
	Orderer   *ordererData
	Commit    []string  // the commit Job's arguments (the Operator's overlay only)
	Lock      *lockData // the writers-lock Job (the Regulator's overlay only)
	Sets      []Set     // the Secrets, in order
	Public    Set
}

type env struct{ Name, Value string }

type peerData struct {
	Ports []port
	Env   []env
	Keys  Set
}

type port struct {
	Name string
	Port int
}

type chaincodeData struct {
	Port int
	Env  []env
	Keys Set
}

type gatewayData struct {
	Port int
	Args []string
	Keys Set
}

type adminData struct {
	Env         []env
	Keys        Set
	InstallArgs []string
	ApproveArgs []string
}

// lockData is the writers-lock Job: its init container waits for the
// organisation's approval on its own peer, its container locks the
// Writers (tierchain admin lock-writers).
type lockData struct {
	ApprovedArgs []string
	Args         []string
}

type ordererData struct {
	Name  string
	Ports []port
	Env   []env
	Keys  Set
	Join  []string
}

// definition is the chaincode definition every organisation approves.
func definition(l fabnet.Layout) []string {
	return []string{"--channelID", fabnet.ChannelName, "--name", fabnet.ChaincodeName, "--version", "1.0", "--sequence", "1",
		"--signature-policy", SignaturePolicy(l)}
}

// SignaturePolicy is the chaincode's endorsement policy as every
// organisation approves it: a majority of the endorsing organisations'
// peers (the Regulator is in none), as fabnet deploys it.
func SignaturePolicy(l fabnet.Layout) string {
	var members []string
	for _, o := range l.Orgs {
		if o.Endorser {
			members = append(members, fmt.Sprintf("'%s.peer'", o.MSPID))
		}
	}
	return fmt.Sprintf("OutOf(%d,%s)", len(members)/2+1, strings.Join(members, ","))
}

// ordererArgs reach the first orderer over TLS (its owner's TLS CA from the
// public bundle), as fabnet's and the compose deployment's admin steps do.
func ordererArgs(l fabnet.Layout) []string {
	o := l.Orderers[0]
	return []string{"-o", l.OrdererAddress(o), "--tls", "--cafile", TLSCA(o.Owner)}
}

func data(l fabnet.Layout, org string) (overlayData, error) {
	o, ok := l.Org(org)
	if !ok {
		return overlayData{}, fmt.Errorf("%w %q", ErrNoOrg, org)
	}
	if !l.NodeNames {
		return overlayData{}, fmt.Errorf("%w: nodes must be reached by their DNS names (WithNodeNames)", ErrUnsupportedLayout)
	}
	listen := func(port int) string { return "0.0.0.0:" + strconv.Itoa(port) }
	d := overlayData{Org: o, Namespace: Namespace(o), Public: Public(l)}

	peer := PeerDir(o)
	d.Peer = peerData{
		Ports: []port{{"grpc", o.Peer.Listen}, {"chaincode", o.Peer.Chaincode}, {"operations", o.Peer.Operations}},
		Env: []env{
			{"CORE_PEER_ID", o.PeerHost},
			{"CORE_PEER_LISTENADDRESS", listen(o.Peer.Listen)},
			{"CORE_PEER_ADDRESS", l.PeerAddress(o)},
			{"CORE_PEER_CHAINCODELISTENADDRESS", listen(o.Peer.Chaincode)},
			{"CORE_PEER_CHAINCODEADDRESS", fmt.Sprintf("%s:%d", o.PeerHost, o.Peer.Chaincode)},
			{"CORE_PEER_GOSSIP_BOOTSTRAP", l.PeerAddress(o)},
			{"CORE_PEER_GOSSIP_EXTERNALENDPOINT", l.PeerAddress(o)},
			{"CORE_PEER_LOCALMSPID", o.MSPID},
			{"CORE_PEER_MSPCONFIGPATH", OrgPath(o, peer+"/msp")},
			{"CORE_PEER_TLS_CERT_FILE", OrgPath(o, peer+"/tls/server.crt")},
			{"CORE_PEER_TLS_KEY_FILE", OrgPath(o, peer+"/tls/server.key")},
			{"CORE_PEER_TLS_ROOTCERT_FILE", OrgPath(o, peer+"/tls/ca.crt")},
			{"CORE_OPERATIONS_LISTENADDRESS", listen(o.Peer.Operations)},
		},
		Keys: PeerKeys(o),
	}

	cc := ChaincodeDir(o)
	d.Chaincode = chaincodeData{
		Port: o.ChaincodePort,
		Env: []env{
			{"CHAINCODE_SERVER_ADDRESS", listen(o.ChaincodePort)},
			{"CHAINCODE_TLS_CERT", OrgPath(o, cc+"/tls/server.crt")},
			{"CHAINCODE_TLS_KEY", OrgPath(o, cc+"/tls/server.key")},
			{"CHAINCODE_TLS_CLIENT_CA", OrgPath(o, cc+"/tls/ca.crt")},
		},
		Keys: ChaincodeKeys(o),
	}

	d.Gateway = gatewayData{
		Port: o.GatewayPort,
		Args: []string{"serve", "--org-config", OrgPath(o, OrgConfig), "--data", GatewayData, "--addr", listen(o.GatewayPort)},
		Keys: GatewayKeys(o),
	}

	admin := UserDir(o, "Admin")
	d.Admin = adminData{
		Env: []env{
			{"CORE_PEER_LOCALMSPID", o.MSPID},
			{"CORE_PEER_MSPCONFIGPATH", OrgPath(o, admin+"/msp")},
			{"CORE_PEER_ADDRESS", l.PeerAddress(o)},
			{"CORE_PEER_TLS_ENABLED", "true"},
			{"CORE_PEER_TLS_ROOTCERT_FILE", TLSCA(o.Name)},
			{"FABRIC_LOGGING_SPEC", "info"},
		},
		Keys:        AdminKeys(o),
		InstallArgs: []string{"lifecycle", "chaincode", "install", OrgPath(o, ChaincodePackage)},
		ApproveArgs: slices.Concat([]string{"lifecycle", "chaincode", "approveformyorg", "--package-id", "$(CHAINCODE_ID)"},
			definition(l), ordererArgs(l)),
	}
	d.Sets = []Set{d.Peer.Keys, d.Chaincode.Keys, d.Gateway.Keys, d.Admin.Keys}

	switch ords := l.OrderersOf(o.Name); len(ords) {
	case 0:
	case 1:
		ord := ords[0]
		dir := OrdererDir(o, ord)
		var roots []string
		for _, x := range l.Orderers {
			roots = append(roots, TLSCA(x.Owner))
		}
		tls := func(f string) string { return OrgPath(o, dir+"/tls/"+f) }
		od := &ordererData{
			Name:  ord.Name,
			Ports: []port{{"grpc", ord.Ports.Listen}, {"admin", ord.Ports.Admin}, {"operations", ord.Ports.Operations}},
			Env: []env{
				{"ORDERER_GENERAL_LISTENPORT", strconv.Itoa(ord.Ports.Listen)},
				{"ORDERER_GENERAL_LOCALMSPID", o.MSPID},
				{"ORDERER_GENERAL_LOCALMSPDIR", OrgPath(o, dir+"/msp")},
				{"ORDERER_GENERAL_TLS_PRIVATEKEY", tls("server.key")},
				{"ORDERER_GENERAL_TLS_CERTIFICATE", tls("server.crt")},
				{"ORDERER_GENERAL_TLS_ROOTCAS", "[" + tls("ca.crt") + "]"},
				{"ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE", tls("server.crt")},
				{"ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY", tls("server.key")},
				{"ORDERER_GENERAL_CLUSTER_ROOTCAS", "[" + strings.Join(roots, ",") + "]"},
				{"ORDERER_ADMIN_LISTENADDRESS", listen(ord.Ports.Admin)},
				{"ORDERER_ADMIN_TLS_PRIVATEKEY", tls("server.key")},
				{"ORDERER_ADMIN_TLS_CERTIFICATE", tls("server.crt")},
				{"ORDERER_ADMIN_TLS_ROOTCAS", "[" + tls("ca.crt") + "]"},
				{"ORDERER_ADMIN_TLS_CLIENTROOTCAS", "[" + tls("ca.crt") + "]"},
				{"ORDERER_OPERATIONS_LISTENADDRESS", listen(ord.Ports.Operations)},
			},
			Keys: OrdererKeys(o, ord),
			Join: []string{"channel", "join", "--channelID", fabnet.ChannelName, "--config-block", PublicPath(GenesisBlock),
				"-o", l.OrdererAdminAddress(ord), "--ca-file", TLSCA(o.Name),
				"--client-cert", OrgPath(o, admin+"/tls/client.crt"), "--client-key", OrgPath(o, admin+"/tls/client.key")},
		}
		d.Orderer = od
		d.Sets = append(d.Sets, od.Keys)
	default:
		return overlayData{}, fmt.Errorf("%w: %s runs %d orderers; the base has one orderer component", ErrUnsupportedLayout, o.Name, len(ords))
	}

	if o.Role == fabnet.RoleRegulator {
		ord := l.Orderers[0]
		d.Lock = &lockData{
			ApprovedArgs: []string{"lifecycle", "chaincode", "queryapproved", "--channelID", fabnet.ChannelName,
				"--name", fabnet.ChaincodeName, "--sequence", "1"},
			Args: []string{"admin", "lock-writers", "--channel", fabnet.ChannelName, "--msp", o.MSPID,
				"--cert", OrgPath(o, admin+"/msp/signcerts/Admin@"+o.Domain+"-cert.pem"),
				"--key", OrgPath(o, admin+"/msp/keystore/priv_sk"),
				"--orderer", l.OrdererAddress(ord), "--orderer-ca", TLSCA(ord.Owner)},
		}
	}
	if o.Role == fabnet.RoleOperator {
		d.Commit = slices.Concat([]string{"lifecycle", "chaincode", "commit"}, definition(l), ordererArgs(l))
		for _, x := range l.Orgs {
			d.Commit = append(d.Commit, "--peerAddresses", l.PeerAddress(x), "--tlsRootCertFiles", TLSCA(x.Name))
		}
	}
	return d, nil
}

// GatewayData is where the gateway keeps its state (its persistent volume).
const GatewayData = "/var/lib/tierchain/gateway"

// Overlay returns the files of an organisation's overlay (file name →
// content): its kustomization, its namespace and its patches.
func Overlay(l fabnet.Layout, org string) (map[string][]byte, error) {
	d, err := data(l, org)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	names := []string{"kustomization.yaml", "namespace.yaml", "peer.yaml", "chaincode.yaml", "gateway.yaml", "jobs.yaml"}
	if d.Orderer != nil {
		names = append(names, "orderer.yaml")
	}
	if d.Commit != nil {
		names = append(names, "commit.yaml")
	}
	if d.Lock != nil {
		names = append(names, "lock.yaml")
	}
	for _, n := range names {
		var b bytes.Buffer
		if err := tmpl.ExecuteTemplate(&b, n+".tmpl", d); err != nil {
			return nil, fmt.Errorf("k8s: %s of %s: %w", n, org, err)
		}
		out[n] = b.Bytes()
	}
	return out, nil
}

// OverlayDir is an organisation's overlay below network/k8s.
func OverlayDir(o fabnet.Org) string { return filepath.Join("overlays", strings.ToLower(o.Name)) }

// WriteOverlays writes every organisation's overlay below root
// (network/k8s), replacing the generated files and leaving secrets/ alone.
func WriteOverlays(root string, l fabnet.Layout) error {
	for _, o := range l.Orgs {
		files, err := Overlay(l, o.Name)
		if err != nil {
			return err
		}
		dir := filepath.Join(root, OverlayDir(o))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		for _, n := range slices.Sorted(maps.Keys(files)) {
			if err := os.WriteFile(filepath.Join(dir, n), files[n], 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}
