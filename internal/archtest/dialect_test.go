package archtest

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dialectAllowed lists the files besides services/store/ddl.go that may
// spell a dialect's types themselves. Keep it empty.
var dialectAllowed = []string{}

// dialectTypes are the types the two dialects spell differently.
var dialectTypes = regexp.MustCompile(`\b(BYTEA|AUTOINCREMENT|GENERATED ALWAYS AS IDENTITY)\b`)

// TestOneDialectHelper: migrations write {{blob}} and {{seq}} and pass
// through store.Dialect.DDL; no other product file spells a dialect's
// types, so the dialects differ in one place.
func TestOneDialectHelper(t *testing.T) {
	root := filepath.Join("..", "..")
	var found []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if dialectTypes.Match(b) && rel != "services/store/ddl.go" {
			found = append(found, rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		if !slices.Contains(dialectAllowed, f) {
			t.Errorf("%s spells a dialect's SQL types: write {{blob}} / {{seq}} and use store.Dialect.DDL", f)
		}
	}
	for _, f := range dialectAllowed {
		if !slices.Contains(found, f) {
			t.Errorf("%s no longer spells a dialect's types: remove it from dialectAllowed", f)
		}
	}
}
