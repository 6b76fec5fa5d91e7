package domain_test

import (
	"go/build"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The domain is the pure core: it may import the standard library and other
// domain packages, nothing else (no log, no transport, no third party).
func TestDomainImportsOnlyStandardLibrary(t *testing.T) {
	const module = "github.com/hindsight-retro/hindsight/"
	checked := 0
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() || strings.HasPrefix(d.Name(), "testdata") {
			return err
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		checked++
		for _, imp := range append(append(pkg.Imports, pkg.TestImports...), pkg.XTestImports...) {
			if strings.HasPrefix(imp, module+"domain") {
				continue
			}
			first := strings.SplitN(imp, "/", 2)[0]
			if strings.Contains(first, ".") {
				// Test-only property testing is the one allowed outside import.
				if imp == "pgregory.net/rapid" && !contains(pkg.Imports, imp) {
					continue
				}
				t.Errorf("domain/%s imports %s: the domain may import only the standard library", path, imp)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("found no domain packages to check")
	}
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}
