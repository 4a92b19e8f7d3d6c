package k8s_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"

	"github.com/tierchain/tierchain/internal/fabnet"
	"github.com/tierchain/tierchain/network/k8s"
)

// kustomizeVersion is the kustomize the tests build from the Go module
// proxy where kubectl (which embeds kustomize) is not installed.
const kustomizeVersion = "sigs.k8s.io/kustomize/kustomize/v5@v5.5.0"

// render runs `kubectl kustomize dir` (or kustomize build).
func render(t *testing.T, dir string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	if kubectl, err := exec.LookPath("kubectl"); err == nil {
		cmd = exec.CommandContext(ctx, kubectl, "kustomize", dir)
	} else {
		cmd = exec.CommandContext(ctx, "go", "run", kustomizeVersion, "build", dir)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, stderr.String())
	}
	return out
}

// object is one rendered object, decoded strictly into its Kubernetes type.
type object struct {
	Kind, Name, Namespace string
	Labels                map[string]string
	Obj                   any
}

// decodeAll splits a rendered stream and decodes each object into the
// k8s.io/api type of its kind, refusing unknown fields and unknown kinds.
func decodeAll(t *testing.T, stream []byte) []object {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(stream))
	var objs []object
	for {
		var doc map[string]any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("rendered YAML: %v", err)
		}
		if doc == nil {
			continue
		}
		j, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		var meta struct {
			APIVersion string `json:"apiVersion"`
			Kind       string `json:"kind"`
		}
		if err := json.Unmarshal(j, &meta); err != nil {
			t.Fatal(err)
		}
		var obj any
		switch meta.APIVersion + " " + meta.Kind {
		case "v1 Namespace":
			obj = &corev1.Namespace{}
		case "v1 Secret":
			obj = &corev1.Secret{}
		case "v1 ConfigMap":
			obj = &corev1.ConfigMap{}
		case "v1 Service":
			obj = &corev1.Service{}
		case "v1 PersistentVolumeClaim":
			obj = &corev1.PersistentVolumeClaim{}
		case "apps/v1 StatefulSet":
			obj = &appsv1.StatefulSet{}
		case "apps/v1 Deployment":
			obj = &appsv1.Deployment{}
		case "batch/v1 Job":
			obj = &batchv1.Job{}
		case "networking.k8s.io/v1 NetworkPolicy":
			obj = &networkingv1.NetworkPolicy{}
		default:
			t.Fatalf("unexpected object %s %s", meta.APIVersion, meta.Kind)
		}
		d := json.NewDecoder(bytes.NewReader(j))
		d.DisallowUnknownFields()
		if err := d.Decode(obj); err != nil {
			t.Fatalf("%s: not a valid %s: %v\n%s", meta.Kind, meta.Kind, err, j)
		}
		var m struct {
			Metadata struct {
				Name      string            `json:"name"`
				Namespace string            `json:"namespace"`
				Labels    map[string]string `json:"labels"`
			} `json:"metadata"`
		}
		if err := json.Unmarshal(j, &m); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, object{Kind: meta.Kind, Name: m.Metadata.Name, Namespace: m.Metadata.Namespace, Labels: m.Metadata.Labels, Obj: obj})
	}
	return objs
}

var (
	prepOnce sync.Once
	prepDir  string
	prepErr  error
)

// prepared is a folder fabnet.Prepare wrote for the overlays' layout (each
// organisation's keys in its own folder, the public bundle), shared by the
// tests of this package.
func prepared(t *testing.T) string {
	t.Helper()
	prepOnce.Do(func() {
		repo, err := fabnet.RepoRoot(".")
		if err != nil {
			prepErr = err
			return
		}
		prepDir, prepErr = os.MkdirTemp("", "tierchain-k8s-")
		if prepErr != nil {
			return
		}
		l := k8s.Layout()
		_, prepErr = fabnet.Prepare(context.Background(), fabnet.Options{Dir: filepath.Join(prepDir, "net"), RepoRoot: repo, Layout: &l, Fresh: true})
	})
	if prepErr != nil {
		t.Fatalf("preparing the network's folders: %v", prepErr)
	}
	return filepath.Join(prepDir, "net")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if prepDir != "" {
		os.RemoveAll(prepDir)
	}
	os.Exit(code)
}

// copyTree copies the kustomize tree (base, components, overlays; no
// secrets/) to a temporary folder, where the tests write Secrets' files.
func copyTree(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "k8s")
	for _, sub := range []string{"base", "components", "overlays"} {
		copyDir(t, sub, filepath.Join(dst, sub), k8s.SecretsDir)
	}
	return dst
}
