package layout_test

import (
	"errors"
	"go/build"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/hindsight-retro/hindsight"

// room is a top-level folder and what it may import: other rooms (its own
// subpackages always), and whether it may import modules outside this one.
type room struct {
	imports    []string
	thirdParty bool
}

// rooms is README's Development table. A new top-level folder with Go code
// fails the test until it is added here and there.
var rooms = map[string]room{
	"cmd":         {imports: []string{"*"}, thirdParty: true},
	"api":         {imports: []string{"app", "domain", "eventstore", "projections", "collab", "documents", "web", "internal"}, thirdParty: true},
	"app":         {imports: []string{"domain", "eventstore", "projections", "collab", "documents", "internal"}, thirdParty: true},
	"projections": {imports: []string{"domain", "eventstore", "internal"}, thirdParty: true},
	"collab":      {imports: []string{"eventstore", "domain", "internal"}, thirdParty: true},
	"documents":   {imports: []string{"domain", "internal"}, thirdParty: true},
	"eventstore":  {imports: []string{"internal"}, thirdParty: true},
	"web":         {},
	"internal":    {},
	// The domain is the pure core: the standard library only.
	"domain": {},
}

// testOnly are outside modules a room may use in its tests alone.
var testOnly = map[string][]string{
	"domain": {"pgregory.net/rapid"},
	// The dashboards' browser test opens the SQLite file a page downloads.
	"web": {"modernc.org/sqlite"},
}

// testOnlyPackages are this module's packages outside its rooms' imports
// that a room may use in its tests alone.
var testOnlyPackages = map[string][]string{
	// The mail pages' browser test reads its mails from the loopback SMTP
	// server the API's mail tests use.
	"web": {module + "/app/mail/mailtest"},
}

func TestEveryImportBetweenRoomsIsOneTheLayoutAllows(t *testing.T) {
	pkgs := packages(t)
	seen := map[string]bool{}
	for _, p := range pkgs {
		from := roomOf(p.ImportPath)
		seen[from] = true
		r, ok := rooms[from]
		if !ok {
			t.Errorf("%s is in folder %s, which is no room of the layout: add it to README's Development table and to rooms here", p.ImportPath, from)
			continue
		}
		check := func(imp string, test bool) {
			switch {
			case test && slices.Contains(testOnlyPackages[from], imp):
			case imp == module || strings.HasPrefix(imp, module+"/"):
				to := roomOf(imp)
				if to != from && !slices.Contains(r.imports, "*") && !slices.Contains(r.imports, to) {
					t.Errorf("%s imports %s, but %s may import only: %s", p.ImportPath, imp, from, list(r.imports))
				}
			case standard(imp):
			case r.thirdParty:
			case test && slices.Contains(testOnly[from], imp):
			default:
				t.Errorf("%s imports %s, but %s may import only the standard library and: %s", p.ImportPath, imp, from, list(r.imports))
			}
		}
		for _, imp := range p.Imports {
			check(imp, false)
		}
		for _, imp := range append(slices.Clone(p.TestImports), p.XTestImports...) {
			check(imp, true)
		}
	}
	// A walk that found nothing would pass; these rooms must have been read.
	for _, must := range []string{"cmd", "api", "app", "domain", "eventstore", "projections", "collab"} {
		if !seen[must] {
			t.Errorf("read no package of %s: the walk of the repository missed it", must)
		}
	}
}

// packages reads every Go package of the module, tests included.
func packages(t *testing.T) []*build.Package {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "go.mod")); err != nil || !strings.Contains(string(b), "module "+module+"\n") {
		t.Fatalf("%s is not the module's root: %v", root, err)
	}
	var out []*build.Package
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
			return filepath.SkipDir
		}
		p, err := build.ImportDir(path, 0)
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return nil
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		p.ImportPath = module + "/" + filepath.ToSlash(rel)
		if rel == "." {
			p.ImportPath = module
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// roomOf is the top-level folder a package of the module lives in.
func roomOf(importPath string) string {
	rel := strings.TrimPrefix(strings.TrimPrefix(importPath, module), "/")
	room, _, _ := strings.Cut(rel, "/")
	return room
}

// standard reports whether imp is in the standard library: its first
// element has no dot (what the go command itself relies on).
func standard(imp string) bool {
	first, _, _ := strings.Cut(imp, "/")
	return !strings.Contains(first, ".")
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "(no other room)"
	}
	s := slices.Clone(xs)
	sort.Strings(s)
	return strings.Join(s, ", ")
}
