package fabnet

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"testing"
)

// TestPackageIDDeterministic: the same connection.json gives the same
// package bytes and ID (what each organisation computes on its own machine
// before approving), and every header in the package is fixed: no time,
// owner or host leaks in.
func TestPackageIDDeterministic(t *testing.T) {
	conn := []byte(`{"address":"chaincode.bankb.tierchain.local:7253"}`)
	pkg1, id1, err := ccaasPackage(conn)
	if err != nil {
		t.Fatal(err)
	}
	pkg2, id2, err := ccaasPackage(conn)
	if err != nil {
		t.Fatal(err)
	}
	if id1 != id2 || !bytes.Equal(pkg1, pkg2) {
		t.Fatalf("two packages of one connection differ: %s %s", id1, id2)
	}
	if _, id3, _ := ccaasPackage([]byte(`{"address":"chaincode.banka.tierchain.local:7252"}`)); id3 == id1 {
		t.Fatal("another connection, the same package ID")
	}
	checkFixedHeaders(t, pkg1, true)
}

func checkFixedHeaders(t *testing.T, b []byte, outer bool) {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if gz.Name != "" || gz.Comment != "" || gz.ModTime.Unix() > 0 || gz.OS != 255 {
		t.Errorf("gzip header %+v", gz.Header)
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if !h.ModTime.Equal(packageEpoch) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || h.Mode != 0o644 {
			t.Errorf("%s: header %+v", h.Name, h)
		}
		if outer && h.Name == "code.tar.gz" {
			inner, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			checkFixedHeaders(t, inner, false)
		}
	}
}
