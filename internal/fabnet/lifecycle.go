package fabnet

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"time"
)

// ccaasPackage builds a chaincode-as-a-service package: a tar.gz holding
// metadata.json ({"type":"ccaas"}) and code.tar.gz with connection.json.
// `peer lifecycle chaincode package` cannot make one. It returns the package
// bytes and its package ID (label:sha256). The bytes depend on connection
// alone (fixed tar and gzip headers: no time, owner or host), so the same
// connection.json gives the same package ID on every machine and run.
func ccaasPackage(connection []byte) ([]byte, string, error) {
	code, err := tarGz(map[string][]byte{"connection.json": connection})
	if err != nil {
		return nil, "", err
	}
	meta, _ := json.Marshal(map[string]string{"type": "ccaas", "label": ChaincodeLabel})
	pkg, err := tarGz(map[string][]byte{"metadata.json": meta, "code.tar.gz": code})
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(pkg)
	return pkg, ChaincodeLabel + ":" + hex.EncodeToString(sum[:]), nil
}

// packageEpoch is the modification time of every file in a chaincode package.
var packageEpoch = time.Unix(0, 0).UTC()

func tarGz(files map[string][]byte) ([]byte, error) {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.Header = gzip.Header{ModTime: packageEpoch, OS: 255} // no name, no time, "unknown" OS
	tw := tar.NewWriter(gz)
	// Sorted for a deterministic package ID.
	for _, name := range []string{"code.tar.gz", "connection.json", "metadata.json"} {
		data, ok := files[name]
		if !ok {
			continue
		}
		h := &tar.Header{Name: name, Mode: 0o644, Size: int64(len(data)), Typeflag: tar.TypeReg,
			ModTime: packageEpoch, Uid: 0, Gid: 0, Uname: "", Gname: "", Format: tar.FormatUSTAR}
		if err := tw.WriteHeader(h); err != nil {
			return nil, err
		}
		if _, err := tw.Write(data); err != nil {
			return nil, err
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := gz.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// connectionJSON tells an organisation's peer how to reach the
// organisation's own chaincode server over mutual TLS: the server's
// address, and the TLS identity the peer presents (the server's own, issued
// by the organisation's TLS CA, which is all the server accepts).
func connectionJSON(l Layout, p paths, o Org) ([]byte, error) {
	node := p.ChaincodeNode(o)
	read := func(name string) (string, error) {
		b, err := os.ReadFile(filepath.Join(node, "tls", name))
		return string(b), err
	}
	cert, err := read("server.crt")
	if err != nil {
		return nil, err
	}
	key, err := read("server.key")
	if err != nil {
		return nil, err
	}
	ca, err := read("ca.crt")
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{
		"address":              l.ChaincodeAddress(o),
		"dial_timeout":         "10s",
		"tls_required":         true,
		"client_auth_required": true,
		"client_key":           key,
		"client_cert":          cert,
		"root_cert":            ca,
	})
}
