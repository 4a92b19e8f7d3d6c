package k8s_test

import (
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/network/k8s"
)

// TestOverlaysUpToDate: the committed overlays are what the generator
// writes from fabnet's layout (regenerate: go run
// ./network/k8s/cmd/tierchain-k8s overlays).
func TestOverlaysUpToDate(t *testing.T) {
	l := k8s.Layout()
	for _, o := range l.Orgs {
		want, err := k8s.Overlay(l, o.Name)
		if err != nil {
			t.Fatal(err)
		}
		dir := k8s.OverlayDir(o)
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir() {
				continue
			}
			if _, ok := want[e.Name()]; !ok {
				t.Errorf("%s/%s is not generated (stale?)", dir, e.Name())
			}
		}
		for name, b := range want {
			got, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil || !bytes.Equal(got, b) {
				t.Errorf("%s/%s differs from the generator's output (err %v): run go run ./network/k8s/cmd/tierchain-k8s overlays", dir, name, err)
			}
		}
	}
}

// rendered is one organisation's overlay rendered with its Secrets' files.
type rendered struct {
	org  fabnet.Org
	objs []object
}

// renderAll writes every organisation's Secrets' files from the prepared
// folder into a copy of the tree and renders the five overlays.
func renderAll(t *testing.T) (fabnet.Layout, string, map[string]rendered) {
	t.Helper()
	l := k8s.Layout()
	prep := prepared(t)
	tree := copyTree(t)
	out := map[string]rendered{}
	for _, o := range l.Orgs {
		overlay := filepath.Join(tree, k8s.OverlayDir(o))
		if err := k8s.WriteSecrets(prep, o.Name, l, filepath.Join(overlay, k8s.SecretsDir)); err != nil {
			t.Fatalf("WriteSecrets %s: %v", o.Name, err)
		}
		out[o.Name] = rendered{org: o, objs: decodeAll(t, render(t, overlay))}
	}
	return l, prep, out
}

// TestRenderEveryOrganisation renders the five overlays (kubectl
// kustomize) and checks what a cluster would get: every object valid for
// its kind (strictly decoded into k8s.io/api v0.32 types), everything in
// the organisation's own namespace and referring only to its own Secrets
// and ConfigMaps, which carry only its own keys, every file a node is told
// to read present in what it mounts, and the Services named and numbered
// as the layout's nodes (the names and ports of docker-compose.yml).
func TestRenderEveryOrganisation(t *testing.T) {
	l, prep, all := renderAll(t)
	for _, o := range l.Orgs {
		t.Run(o.Name, func(t *testing.T) {
			checkOrg(t, l, prep, all[o.Name])
		})
	}
	t.Run("addresses", func(t *testing.T) { checkAddresses(t, l, all) })
}

// pod is a workload's pod template with what it may mount besides volumes.
type pod struct {
	owner  string // Kind/name
	labels map[string]string
	spec   corev1.PodSpec
	claims []string // StatefulSet volumeClaimTemplates
}

func pods(objs []object) []pod {
	var ps []pod
	for _, x := range objs {
		switch v := x.Obj.(type) {
		case *appsv1.StatefulSet:
			var claims []string
			for _, c := range v.Spec.VolumeClaimTemplates {
				claims = append(claims, c.Name)
			}
			ps = append(ps, pod{"StatefulSet/" + v.Name, v.Spec.Template.Labels, v.Spec.Template.Spec, claims})
		case *appsv1.Deployment:
			ps = append(ps, pod{"Deployment/" + v.Name, v.Spec.Template.Labels, v.Spec.Template.Spec, nil})
		case *batchv1.Job:
			ps = append(ps, pod{"Job/" + v.Name, v.Spec.Template.Labels, v.Spec.Template.Spec, nil})
		}
	}
	return ps
}

func byKindList(objs []object, kind, name string) []object {
	var xs []object
	for _, x := range objs {
		if x.Kind == kind && x.Name == name {
			xs = append(xs, x)
		}
	}
	return xs
}

func byKind(objs []object, kind string) map[string]object {
	m := map[string]object{}
	for _, x := range objs {
		if x.Kind == kind {
			m[x.Name] = x
		}
	}
	return m
}

// names of the workloads and Jobs each organisation must have.
func wantWorkloads(l fabnet.Layout, o fabnet.Org) []string {
	w := []string{"StatefulSet/peer0", "Deployment/chaincode", "Deployment/gateway", "Job/channel-join", "Job/chaincode-approve"}
	for _, ord := range l.OrderersOf(o.Name) {
		w = append(w, "StatefulSet/"+ord.Name, "Job/"+ord.Name+"-join")
	}
	if o.Role == fabnet.RoleOperator {
		w = append(w, "Job/chaincode-commit")
	}
	if o.Role == fabnet.RoleRegulator {
		w = append(w, "Job/writers-lock")
	}
	slices.Sort(w)
	return w
}

// wantServices are the Services of an organisation: each node of the
// layout under the first label of its name, with the layout's ports.
func wantServices(l fabnet.Layout, o fabnet.Org) map[string]map[string]int {
	s := map[string]map[string]int{
		"peer0":     {"grpc": o.Peer.Listen, "chaincode": o.Peer.Chaincode, "operations": o.Peer.Operations},
		"chaincode": {"grpc": o.ChaincodePort},
		"gateway":   {"http": o.GatewayPort},
	}
	for _, ord := range l.OrderersOf(o.Name) {
		s[ord.Name] = map[string]int{"grpc": ord.Ports.Listen, "admin": ord.Ports.Admin, "operations": ord.Ports.Operations}
	}
	return s
}

func checkOrg(t *testing.T, l fabnet.Layout, prep string, r rendered) {
	o := r.org
	ns := k8s.Namespace(o)
	if errs := validation.IsDNS1123Label(ns); len(errs) > 0 {
		t.Errorf("namespace %q: %v", ns, errs)
	}

	// Everything in the organisation's own namespace.
	namespaces := byKind(r.objs, "Namespace")
	if len(namespaces) != 1 || namespaces[ns].Name != ns {
		t.Errorf("Namespaces %v, want exactly %s", slices.Collect(maps.Keys(namespaces)), ns)
	} else if l := namespaces[ns].Labels["pod-security.kubernetes.io/enforce"]; l != "baseline" {
		t.Errorf("namespace %s enforces pod security %q, want baseline", ns, l)
	}
	for _, x := range r.objs {
		if errs := validation.IsDNS1123Subdomain(x.Name); len(errs) > 0 {
			t.Errorf("%s %q: %v", x.Kind, x.Name, errs)
		}
		if x.Kind != "Namespace" && x.Namespace != ns {
			t.Errorf("%s/%s in namespace %q, want %q", x.Kind, x.Name, x.Namespace, ns)
		}
		if x.Labels["tierchain.org"] != strings.ToLower(o.Name) || x.Labels["app.kubernetes.io/part-of"] != "tierchain" {
			t.Errorf("%s/%s labels %v", x.Kind, x.Name, x.Labels)
		}
	}

	secrets, configMaps := byKind(r.objs, "Secret"), byKind(r.objs, "ConfigMap")
	claims := byKind(r.objs, "PersistentVolumeClaim")

	// The workloads.
	ps := pods(r.objs)
	var got []string
	for _, p := range ps {
		got = append(got, p.owner)
	}
	slices.Sort(got)
	if want := wantWorkloads(l, o); !slices.Equal(got, want) {
		t.Errorf("workloads %v, want %v", got, want)
	}
	for _, x := range r.objs {
		var sel map[string]string
		var tmpl map[string]string
		switch v := x.Obj.(type) {
		case *appsv1.StatefulSet:
			sel, tmpl = v.Spec.Selector.MatchLabels, v.Spec.Template.Labels
			if _, ok := byKind(r.objs, "Service")[v.Spec.ServiceName]; !ok {
				t.Errorf("StatefulSet/%s: serviceName %q is no Service", v.Name, v.Spec.ServiceName)
			}
			if len(v.Spec.VolumeClaimTemplates) == 0 {
				t.Errorf("StatefulSet/%s keeps its ledger on no persistent volume", v.Name)
			}
		case *appsv1.Deployment:
			sel, tmpl = v.Spec.Selector.MatchLabels, v.Spec.Template.Labels
		default:
			continue
		}
		if len(sel) == 0 || !subset(sel, tmpl) {
			t.Errorf("%s/%s: selector %v does not select its template %v", x.Kind, x.Name, sel, tmpl)
		}
	}

	for _, p := range ps {
		checkPod(t, o, p, secrets, configMaps, claims)
	}
	checkAdminSteps(t, l, o, ps)

	// Services: named and numbered as the layout's nodes, each selecting
	// one workload whose container listens on the same port.
	services := byKind(r.objs, "Service")
	want := wantServices(l, o)
	if !slices.Equal(slices.Sorted(maps.Keys(services)), slices.Sorted(maps.Keys(want))) {
		t.Errorf("Services %v, want %v", slices.Sorted(maps.Keys(services)), slices.Sorted(maps.Keys(want)))
	}
	for name, ports := range want {
		svc, ok := services[name]
		if !ok {
			continue
		}
		s := svc.Obj.(*corev1.Service)
		if errs := validation.IsDNS1035Label(name); len(errs) > 0 {
			t.Errorf("Service %q: %v", name, errs)
		}
		gotPorts := map[string]int{}
		for _, sp := range s.Spec.Ports {
			gotPorts[sp.Name] = int(sp.Port)
		}
		if !maps.Equal(gotPorts, ports) {
			t.Errorf("Service %s ports %v, want %v", name, gotPorts, ports)
		}
		var selected []pod
		for _, p := range ps {
			if !strings.HasPrefix(p.owner, "Job/") && len(s.Spec.Selector) > 0 && subset(s.Spec.Selector, p.labels) {
				selected = append(selected, p)
			}
		}
		if len(selected) != 1 {
			t.Errorf("Service %s selects %d workloads", name, len(selected))
			continue
		}
		for _, sp := range s.Spec.Ports {
			if n := containerPort(selected[0].spec, sp.TargetPort.String()); n != int(sp.Port) {
				t.Errorf("Service %s port %s → %s's %q = %d, want the same port as the layout's (%d)", name, sp.Name, selected[0].owner, sp.TargetPort.String(), n, sp.Port)
			}
		}
	}

	// The chaincode server admits its own peer only.
	policies := byKind(r.objs, "NetworkPolicy")
	if len(policies) != 1 {
		t.Errorf("NetworkPolicies %v, want the chaincode server's", slices.Sorted(maps.Keys(policies)))
	}
	for _, x := range policies {
		np := x.Obj.(*networkingv1.NetworkPolicy)
		var to, from []string
		for _, p := range ps {
			if !strings.HasPrefix(p.owner, "Job/") && subset(np.Spec.PodSelector.MatchLabels, p.labels) {
				to = append(to, p.owner)
			}
		}
		if !slices.Equal(to, []string{"Deployment/chaincode"}) || !slices.Equal(np.Spec.PolicyTypes, []networkingv1.PolicyType{networkingv1.PolicyTypeIngress}) {
			t.Errorf("NetworkPolicy %s guards %v (%v), want the chaincode server's ingress", np.Name, to, np.Spec.PolicyTypes)
		}
		if len(np.Spec.Ingress) != 1 || len(np.Spec.Ingress[0].From) != 1 || np.Spec.Ingress[0].From[0].PodSelector == nil ||
			np.Spec.Ingress[0].From[0].NamespaceSelector != nil || len(np.Spec.Ingress[0].Ports) != 1 {
			t.Fatalf("NetworkPolicy %s: ingress %+v, want one rule from one pod selector of its namespace on one port", np.Name, np.Spec.Ingress)
		}
		for _, p := range ps {
			if subset(np.Spec.Ingress[0].From[0].PodSelector.MatchLabels, p.labels) {
				from = append(from, p.owner)
			}
		}
		if !slices.Equal(from, []string{"StatefulSet/peer0"}) {
			t.Errorf("NetworkPolicy %s admits %v, want the peer only", np.Name, from)
		}
		if cc := pods(byKindList(r.objs, "Deployment", "chaincode")); len(cc) != 1 ||
			containerPort(cc[0].spec, np.Spec.Ingress[0].Ports[0].Port.String()) != o.ChaincodePort {
			t.Errorf("NetworkPolicy %s opens port %v, not the chaincode server's %d", np.Name, np.Spec.Ingress[0].Ports[0].Port, o.ChaincodePort)
		}
	}

	// Secrets carry this organisation's keys only: no value of another
	// organisation's folder, every certificate issued by its own CAs.
	foreign := foreignFiles(t, prep, o.Name)
	if len(secrets) == 0 {
		t.Fatal("no Secret")
	}
	for _, x := range slices.Concat(slices.Collect(maps.Values(secrets)), slices.Collect(maps.Values(configMaps))) {
		size := 0
		switch v := x.Obj.(type) {
		case *corev1.Secret:
			for _, b := range v.Data {
				size += len(b)
			}
		case *corev1.ConfigMap:
			for _, s := range v.Data {
				size += len(s)
			}
			for _, b := range v.BinaryData {
				size += len(b)
			}
		}
		if size == 0 || size > 1<<20-64<<10 { // the API server stores at most 1 MiB an object
			t.Errorf("%s %s holds %d bytes", x.Kind, x.Name, size)
		}
	}
	for name, x := range secrets {
		s := x.Obj.(*corev1.Secret)
		for key, v := range s.Data {
			if other, ok := foreign[sha256.Sum256(v)]; ok {
				t.Errorf("Secret %s key %s is %s, another organisation's file", name, key, other)
			}
			for rest := v; ; {
				var b *pem.Block
				if b, rest = pem.Decode(rest); b == nil {
					break
				}
				if b.Type != "CERTIFICATE" {
					continue
				}
				c, err := x509.ParseCertificate(b.Bytes)
				if err != nil {
					t.Fatal(err)
				}
				if cn := c.Issuer.CommonName; cn != "ca."+o.Domain && cn != "tlsca."+o.Domain {
					t.Errorf("Secret %s key %s: a certificate issued by %q, not %s's CAs", name, key, cn, o.Name)
				}
			}
		}
	}
}

// checkPod: every reference of the pod resolves inside the organisation's
// render, and every file its containers are told to read is mounted.
func checkPod(t *testing.T, o fabnet.Org, p pod, secrets, configMaps, claims map[string]object) {
	t.Helper()
	// files: mount path of every file the pod's volumes put in place.
	vols := map[string]corev1.Volume{}
	for _, v := range p.spec.Volumes {
		vols[v.Name] = v
		switch {
		case v.Secret != nil:
			x, ok := secrets[v.Secret.SecretName]
			if !ok {
				t.Errorf("%s: volume %s: Secret %q is not this organisation's", p.owner, v.Name, v.Secret.SecretName)
				continue
			}
			for _, it := range v.Secret.Items {
				if _, ok := x.Obj.(*corev1.Secret).Data[it.Key]; !ok {
					t.Errorf("%s: volume %s: Secret %s has no key %q", p.owner, v.Name, x.Name, it.Key)
				}
			}
		case v.ConfigMap != nil:
			x, ok := configMaps[v.ConfigMap.Name]
			if !ok {
				t.Errorf("%s: volume %s: ConfigMap %q is not this organisation's", p.owner, v.Name, v.ConfigMap.Name)
				continue
			}
			cm := x.Obj.(*corev1.ConfigMap)
			for _, it := range v.ConfigMap.Items {
				_, a := cm.Data[it.Key]
				_, b := cm.BinaryData[it.Key]
				if !a && !b {
					t.Errorf("%s: volume %s: ConfigMap %s has no key %q", p.owner, v.Name, x.Name, it.Key)
				}
			}
		case v.PersistentVolumeClaim != nil:
			if _, ok := claims[v.PersistentVolumeClaim.ClaimName]; !ok {
				t.Errorf("%s: volume %s: no PersistentVolumeClaim %q", p.owner, v.Name, v.PersistentVolumeClaim.ClaimName)
			}
		case v.EmptyDir != nil:
		default:
			t.Errorf("%s: volume %s of an unexpected type", p.owner, v.Name)
		}
	}
	containers := slices.Concat(p.spec.InitContainers, p.spec.Containers)
	for _, c := range containers {
		if !slices.Contains(slices.Collect(maps.Values(k8s.Images)), c.Image) {
			t.Errorf("%s/%s: image %q is none of the base's images", p.owner, c.Name, c.Image)
		}
		if sc := c.SecurityContext; sc == nil || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
			sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			t.Errorf("%s/%s: writable root filesystem or privilege escalation", p.owner, c.Name)
		}
		mounted := map[string]bool{} // files
		var dirs []string            // whole volumes (emptyDir, claims)
		for _, m := range c.VolumeMounts {
			if strings.HasPrefix(m.MountPath, k8s.Mount+"/orgs/") && m.MountPath != k8s.Mount+"/orgs/"+o.Name {
				t.Errorf("%s/%s mounts %s: another organisation's place", p.owner, c.Name, m.MountPath)
			}
			v, ok := vols[m.Name]
			switch {
			case ok && v.Secret != nil:
				for _, it := range v.Secret.Items {
					mounted[path.Join(m.MountPath, it.Path)] = true
				}
			case ok && v.ConfigMap != nil:
				for _, it := range v.ConfigMap.Items {
					mounted[path.Join(m.MountPath, it.Path)] = true
				}
			case ok || slices.Contains(p.claims, m.Name):
				dirs = append(dirs, m.MountPath)
			default:
				t.Errorf("%s/%s mounts %q, no volume of the pod", p.owner, c.Name, m.Name)
			}
		}
		env := map[string]bool{}
		var strs []string
		for _, e := range c.Env {
			env[e.Name] = true
			strs = append(strs, e.Value)
			if r := e.ValueFrom; r != nil {
				if r.ConfigMapKeyRef == nil {
					t.Errorf("%s/%s: env %s from something else than a ConfigMap", p.owner, c.Name, e.Name)
					continue
				}
				x, ok := configMaps[r.ConfigMapKeyRef.Name]
				if !ok {
					t.Errorf("%s/%s: env %s: ConfigMap %q is not this organisation's", p.owner, c.Name, e.Name, r.ConfigMapKeyRef.Name)
				} else if _, ok := x.Obj.(*corev1.ConfigMap).Data[r.ConfigMapKeyRef.Key]; !ok {
					t.Errorf("%s/%s: env %s: ConfigMap %s has no key %s", p.owner, c.Name, e.Name, x.Name, r.ConfigMapKeyRef.Key)
				}
			}
		}
		strs = append(slices.Concat(strs, c.Command), c.Args...)
		for _, a := range c.Args {
			for _, m := range varRef.FindAllStringSubmatch(a, -1) {
				if !env[m[1]] {
					t.Errorf("%s/%s: argument %q names $(%s), not in its environment", p.owner, c.Name, a, m[1])
				}
			}
		}
		// Every file under /tierchain a container is told to read is one
		// its mounts put there, or a folder (an MSP) they fill.
		for _, s := range strs {
			for _, m := range filePath.FindAllStringSubmatch(s, -1) {
				f := m[1]
				if !mounted[f] && !isDir(f, mounted) && !under(f, dirs) {
					t.Errorf("%s/%s reads %s, which none of its mounts has", p.owner, c.Name, f)
				}
			}
		}
		for _, pr := range []*corev1.Probe{c.ReadinessProbe, c.LivenessProbe} {
			if pr == nil {
				continue
			}
			var port string
			switch {
			case pr.HTTPGet != nil:
				port = pr.HTTPGet.Port.String()
			case pr.TCPSocket != nil:
				port = pr.TCPSocket.Port.String()
			}
			if containerPort(corev1.PodSpec{Containers: []corev1.Container{c}}, port) == 0 {
				t.Errorf("%s/%s: probe on port %q, which it does not declare", p.owner, c.Name, port)
			}
		}
	}
}

var (
	varRef   = regexp.MustCompile(`\$\(([A-Z_][A-Z0-9_]*)\)`)
	filePath = regexp.MustCompile(`(?:^|[\s,\[=])(/tierchain/[^,\]\s"]+)`)
	address  = regexp.MustCompile(`([a-z0-9.-]+\.tierchain\.local):(\d+)`)
)

func isDir(p string, files map[string]bool) bool {
	for f := range files {
		if strings.HasPrefix(f, p+"/") {
			return true
		}
	}
	return false
}

func under(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

func subset(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// containerPort is the number of a port by name or number in a pod spec
// (0: none).
func containerPort(spec corev1.PodSpec, port string) int {
	for _, c := range spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == port || strconv.Itoa(int(cp.ContainerPort)) == port {
				return int(cp.ContainerPort)
			}
		}
	}
	return 0
}

// foreignFiles hashes every file of the other organisations' folders.
func foreignFiles(t *testing.T, prep, org string) map[[32]byte]string {
	t.Helper()
	m := map[[32]byte]string{}
	orgs, err := os.ReadDir(filepath.Join(prep, "orgs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range orgs {
		if e.Name() == org {
			continue
		}
		root := filepath.Join(prep, "orgs", e.Name())
		err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(prep, p)
			m[sha256.Sum256(b)] = rel
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return m
}

// checkAddresses: every node address a container dials (peers, orderers,
// chaincode servers, gateways: the layout's names) is, through the
// cluster DNS rule of docs/OPERATIONS.md, a Service of the owning
// organisation's namespace with that port.
func checkAddresses(t *testing.T, l fabnet.Layout, all map[string]rendered) {
	services := map[string]*corev1.Service{} // name.namespace
	for _, r := range all {
		for _, x := range r.objs {
			if s, ok := x.Obj.(*corev1.Service); ok {
				services[s.Name+"."+s.Namespace] = s
			}
		}
	}
	n := 0
	for _, r := range all {
		for _, p := range pods(r.objs) {
			for _, c := range slices.Concat(p.spec.InitContainers, p.spec.Containers) {
				var strs []string
				for _, e := range c.Env {
					strs = append(strs, e.Value)
				}
				for _, s := range slices.Concat(strs, c.Args) {
					for _, m := range address.FindAllStringSubmatch(s, -1) {
						n++
						svc, err := resolve(m[1])
						if err != nil {
							t.Errorf("%s %s/%s: %v", r.org.Name, p.owner, c.Name, err)
							continue
						}
						s, ok := services[svc]
						if !ok {
							t.Errorf("%s %s/%s dials %s: no Service %s", r.org.Name, p.owner, c.Name, m[0], svc)
							continue
						}
						port, _ := strconv.Atoi(m[2])
						if !slices.ContainsFunc(s.Spec.Ports, func(sp corev1.ServicePort) bool { return int(sp.Port) == port }) {
							t.Errorf("%s %s/%s dials %s: Service %s has no port %d", r.org.Name, p.owner, c.Name, m[0], svc, port)
						}
					}
				}
			}
		}
	}
	// The layout's own addresses, the ones in certificates and the channel.
	for _, o := range l.Orgs {
		for _, a := range []string{l.PeerAddress(o), l.ChaincodeAddress(o), l.GatewayAddress(o)} {
			host, _, _ := strings.Cut(a, ":")
			if svc, err := resolve(host); err != nil || services[svc] == nil {
				t.Errorf("layout address %s: %s %v", a, svc, err)
			}
		}
	}
	for _, ord := range l.Orderers {
		if svc, err := resolve(ord.Host); err != nil || services[svc] == nil {
			t.Errorf("orderer %s: %s %v", ord.Host, svc, err)
		}
	}
	if n < 10 {
		t.Errorf("only %d node addresses found in the containers' settings", n)
	}
}

// resolve applies the cluster DNS rule (k8s.DNSRewrite, a CoreDNS rewrite
// with Go regexp semantics) to a layout name: it returns
// service.namespace, and checks the answer is rewritten back to the name.
func resolve(name string) (string, error) {
	f := strings.Fields(k8s.DNSRewrite)
	if len(f) != 10 || strings.Join([]string{f[0], f[1], f[2], f[3], f[6], f[7]}, " ") != "rewrite stop name regex answer name" {
		return "", fmt.Errorf("unexpected rule %q", k8s.DNSRewrite)
	}
	apply := func(from, to, q string) (string, bool) {
		re := regexp.MustCompile(from)
		m := re.FindStringSubmatchIndex(q)
		if m == nil {
			return "", false
		}
		// CoreDNS writes groups as {1}; Go's Expand as ${1}.
		tmpl := strings.NewReplacer("{1}", "${1}", "{2}", "${2}").Replace(to)
		return string(re.ExpandString(nil, tmpl, q, m)), true
	}
	q := name + "."
	out, ok := apply(f[4], f[5], q)
	if !ok {
		return "", fmt.Errorf("%s does not match the DNS rule", name)
	}
	if back, ok := apply(f[8], f[9], out); !ok || back != q {
		return "", fmt.Errorf("%s: the answer for %s is rewritten to %q", name, out, back)
	}
	svc, ok := strings.CutSuffix(out, ".svc.cluster.local.")
	if !ok {
		return "", fmt.Errorf("%s rewrites to %s, not a Service name", name, out)
	}
	return svc, nil
}

// TestDNSRewriteDocumented: docs/OPERATIONS.md gives the rule the tests
// resolve with.
func TestDNSRewriteDocumented(t *testing.T) {
	b, err := os.ReadFile("../../docs/OPERATIONS.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(k8s.DNSRewrite)) {
		t.Errorf("docs/OPERATIONS.md does not give the cluster DNS rule %s", k8s.DNSRewrite)
	}
	if got, err := resolve("peer0.bankb.tierchain.local"); err != nil || got != "peer0.tierchain-bankb" {
		t.Errorf("resolve = %q, %v", got, err)
	}
	if _, err := resolve("peer0.bankb.example.com"); err == nil {
		t.Error("a name outside tierchain.local resolves through the rule")
	}
}

// TestImagesOverridable: a kustomization on top of an overlay replaces
// every image by its images field (a registry of the organisation's own).
func TestImagesOverridable(t *testing.T) {
	l := k8s.Layout()
	prep := prepared(t)
	tree := copyTree(t)
	o, _ := l.Org("Operator") // runs every kind of workload
	overlay := filepath.Join(tree, k8s.OverlayDir(o))
	if err := k8s.WriteSecrets(prep, o.Name, l, filepath.Join(overlay, k8s.SecretsDir)); err != nil {
		t.Fatal(err)
	}
	top := filepath.Join(tree, "site")
	var kz strings.Builder
	kz.WriteString("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- ../" + filepath.ToSlash(k8s.OverlayDir(o)) + "\nimages:\n")
	want := map[string]string{}
	for _, img := range slices.Sorted(maps.Values(k8s.Images)) {
		name, _, _ := strings.Cut(img, ":")
		newName := "registry.example.org/operator/" + path.Base(name)
		fmt.Fprintf(&kz, "- name: %s\n  newName: %s\n  newTag: \"2.5.1\"\n", name, newName)
		want[newName+":2.5.1"] = img
	}
	if err := os.MkdirAll(top, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(top, "kustomization.yaml"), []byte(kz.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, p := range pods(decodeAll(t, render(t, top))) {
		for _, c := range slices.Concat(p.spec.InitContainers, p.spec.Containers) {
			if _, ok := want[c.Image]; !ok {
				t.Errorf("%s/%s: image %q not overridden", p.owner, c.Name, c.Image)
			}
			seen[c.Image] = true
		}
	}
	if len(seen) != len(k8s.Images) {
		t.Errorf("images used %v, want all four overridden", slices.Sorted(maps.Keys(seen)))
	}
}

// TestWriteSecretsOwnFolderOnly: an organisation makes its Secrets with
// only its own folder and the public bundle on its host; the files are
// its owner's only.
func TestWriteSecretsOwnFolderOnly(t *testing.T) {
	l := k8s.Layout()
	prep := prepared(t)
	for _, org := range []string{"BankB", "Operator"} {
		host := filepath.Join(t.TempDir(), "host")
		copyDir(t, filepath.Join(prep, "orgs", org), filepath.Join(host, "orgs", org), "")
		copyDir(t, filepath.Join(prep, "public"), filepath.Join(host, "public"), "")
		out := filepath.Join(t.TempDir(), "secrets")
		if err := k8s.WriteSecrets(host, org, l, out); err != nil {
			t.Fatalf("%s with only its own folder: %v", org, err)
		}
		err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			if fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s: mode %v, want its owner's only", p, fi.Mode().Perm())
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestWriteSecretsRefuses: a folder missing a key, a description naming a
// file the overlay would not carry, and an unknown organisation are
// refused, and nothing is written.
func TestWriteSecretsRefuses(t *testing.T) {
	l := k8s.Layout()
	prep := prepared(t)
	o, _ := l.Org("BankB")
	fresh := func() string {
		host := filepath.Join(t.TempDir(), "host")
		copyDir(t, filepath.Join(prep, "orgs", o.Name), filepath.Join(host, "orgs", o.Name), "")
		copyDir(t, filepath.Join(prep, "public"), filepath.Join(host, "public"), "")
		return host
	}
	cases := []struct {
		name  string
		edit  func(host string)
		org   string
		want  error
		wrote bool
	}{
		{"peer key missing", func(host string) {
			os.Remove(filepath.Join(host, "orgs", o.Name, k8s.PeerDir(o), "msp", "keystore", "priv_sk"))
		}, o.Name, k8s.ErrMissingFile, false},
		{"description missing", func(host string) {
			os.Remove(filepath.Join(host, "orgs", o.Name, k8s.OrgConfig))
		}, o.Name, k8s.ErrMissingFile, false},
		{"description names an uncarried file", func(host string) {
			p := filepath.Join(host, "orgs", o.Name, k8s.OrgConfig)
			b, _ := os.ReadFile(p)
			b = bytes.Replace(b, []byte(`"../enterprise/encryption.key"`), []byte(`"../enterprise/elsewhere.key"`), 1)
			os.WriteFile(p, b, 0o600)
		}, o.Name, k8s.ErrUncovered, false},
		{"no such organisation", func(string) {}, "BankZ", k8s.ErrNoOrg, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			host := fresh()
			c.edit(host)
			out := filepath.Join(t.TempDir(), "secrets")
			err := k8s.WriteSecrets(host, c.org, l, out)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if _, err := os.Stat(out); !c.wrote && err == nil {
				t.Errorf("refused, yet %s was written", out)
			}
		})
	}
}

// copyDir copies a folder (files 0600), leaving out folders named skip.
func copyDir(t *testing.T, from, to, skip string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && skip != "" && d.Name() == skip {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestSecretsNeverCheckedIn: git ignores every overlay's secrets/ folder.
func TestSecretsNeverCheckedIn(t *testing.T) {
	for _, o := range k8s.Layout().Orgs {
		p := filepath.Join(k8s.OverlayDir(o), k8s.SecretsDir, "peer-keys", "priv_sk")
		out, err := exec.Command("git", "check-ignore", "--no-index", p).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != p {
			t.Errorf("git does not ignore %s: %v %s", p, err, out)
		}
	}
}

// checkAdminSteps: every admin Job's step is idempotent, so a Job that runs
// again completes. The peer and osnadmin steps (join, install, approve,
// commit) run through once (network/docker/once: done before is success);
// the Regulator's writers-lock waits for its own approval on its own peer
// and runs `tierchain admin lock-writers` for its own MSP with its own
// admin's keys, against the orderer with the TLS CA of the orderer's owner.
func checkAdminSteps(t *testing.T, l fabnet.Layout, o fabnet.Org, ps []pod) {
	t.Helper()
	steps := 0
	for _, p := range ps {
		if !strings.HasPrefix(p.owner, "Job/") {
			continue
		}
		for _, c := range slices.Concat(p.spec.InitContainers, p.spec.Containers) {
			line := slices.Concat(c.Command, c.Args)
			switch {
			case p.owner == "Job/writers-lock" && c.Name == "approved":
				if !slices.Equal(line[:min(4, len(line))], []string{"/usr/local/bin/peer", "lifecycle", "chaincode", "queryapproved"}) {
					t.Errorf("%s/%s runs %v, want peer lifecycle chaincode queryapproved (its own approval first)", p.owner, c.Name, line)
				}
			case p.owner == "Job/writers-lock":
				want := []string{"/usr/local/bin/tierchain", "admin", "lock-writers"}
				if !slices.Equal(line[:min(3, len(line))], want) || flagValue(line, "--msp") != o.MSPID ||
					!strings.HasPrefix(flagValue(line, "--key"), k8s.OrgPath(o, k8s.UserDir(o, "Admin"))) ||
					flagValue(line, "--orderer") != l.OrdererAddress(l.Orderers[0]) || flagValue(line, "--orderer-ca") != k8s.TLSCA(l.Orderers[0].Owner) {
					t.Errorf("%s/%s runs %v, want %v for %s with its admin's key", p.owner, c.Name, line, want, o.MSPID)
				}
				if !strings.HasPrefix(c.Image, "tierchain/gateway:") {
					t.Errorf("%s/%s: image %s, want the gateway's (it has tierchain)", p.owner, c.Name, c.Image)
				}
				steps++
			default:
				if len(line) < 2 || line[0] != "/usr/local/bin/once" || (line[1] != "peer" && line[1] != "osnadmin") {
					t.Errorf("%s/%s runs %v: an admin step must run through /usr/local/bin/once (done before is success)", p.owner, c.Name, line)
				}
				steps++
			}
		}
	}
	want := 3 + len(l.OrderersOf(o.Name)) // join, install, approve; an orderer's join
	if o.Role == fabnet.RoleOperator {
		want++ // commit
	}
	if o.Role == fabnet.RoleRegulator {
		want++ // lock
	}
	if steps != want {
		t.Errorf("%s: %d admin steps, want %d", o.Name, steps, want)
	}
}

// flagValue is the value after flag in a command line.
func flagValue(line []string, flag string) string {
	if i := slices.Index(line, flag); i >= 0 && i+1 < len(line) {
		return line[i+1]
	}
	return ""
}
