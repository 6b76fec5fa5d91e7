package projections_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The demo log above has no event of some types a read model reads
// (reassignments, imported scores, workspace renames...), so it cannot
// hold every list to its fold alone. The source can: every event type a
// read model's fold switches on or asserts is in its projections.Types
// list, and the list names nothing else.
func TestEveryTypeAReadModelsFoldReadsIsInItsDeclaredList(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, entry := range entries {
		if !entry.IsDir() {
			continue
		}
		dir := entry.Name()
		files := parseDir(t, dir)
		declared, foldName, byCategory := declaredTypes(files)
		if foldName == "" || byCategory {
			continue // not a read model, or one that reads whole categories
		}
		read := typesRead(files, foldName)
		if len(read) == 0 {
			t.Errorf("%s: found no event types in %s", dir, foldName)
		}
		for _, typ := range read {
			if !slices.Contains(declared, typ) {
				t.Errorf("%s: %s reads %s, which its projections.Types list leaves out", dir, foldName, typ)
			}
		}
		for _, typ := range declared {
			if !slices.Contains(read, typ) {
				t.Errorf("%s: its projections.Types list names %s, which %s does not read", dir, typ, foldName)
			}
		}
		checked++
	}
	if checked < 6 {
		t.Errorf("checked %d read models' lists, want the six that list types", checked)
	}
}

// parseDir parses the package's files in dir, its tests left out.
func parseDir(t *testing.T, dir string) []*ast.File {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

// declaredTypes finds the call projections.NewFold(name, state, fold, sel)
// and returns the types sel lists, fold's name, and whether sel selects
// whole categories instead.
func declaredTypes(files []*ast.File) (types []string, fold string, byCategory bool) {
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || selectorName(call.Fun) != "projections.NewFold" || len(call.Args) != 4 {
				return true
			}
			if id, ok := call.Args[2].(*ast.Ident); ok {
				fold = id.Name
			}
			sel, ok := call.Args[3].(*ast.CallExpr)
			if !ok {
				return true
			}
			switch selectorName(sel.Fun) {
			case "projections.Categories":
				byCategory = true
			case "projections.Types":
				for _, a := range sel.Args {
					if lit, ok := a.(*ast.CompositeLit); ok {
						types = append(types, selectorName(lit.Type))
					}
				}
			}
			return true
		})
	}
	return types, fold, byCategory
}

// typesRead lists the package-qualified types the function's type switches
// name in their cases and its type assertions assert.
func typesRead(files []*ast.File, name string) []string {
	var out []string
	add := func(e ast.Expr) {
		if s := selectorName(e); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, f := range files {
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Name.Name != name || fn.Recv != nil {
				continue
			}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.TypeSwitchStmt:
					for _, c := range n.Body.List {
						for _, e := range c.(*ast.CaseClause).List {
							add(e)
						}
					}
				case *ast.TypeAssertExpr:
					if n.Type != nil {
						add(n.Type)
					}
				}
				return true
			})
		}
	}
	return out
}

// selectorName is "pkg.Name" for a qualified identifier, "" otherwise.
func selectorName(e ast.Expr) string {
	s, ok := e.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	x, ok := s.X.(*ast.Ident)
	if !ok {
		return ""
	}
	return x.Name + "." + s.Sel.Name
}
