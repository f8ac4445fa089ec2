package spec

import (
	"fmt"
	"testing"
	"testing/fstest"
)

// TestExtraFiles: the files named besides the project's globs (`assay
// validate drafts/b.hcl`) are read with the ones the globs select, each
// once however it is spelt; assay.hcl is never read as an experiment
// file; a path outside the repository is refused with why.
func TestExtraFiles(t *testing.T) {
	fsys := fstest.MapFS{
		"assay.hcl":         {Data: []byte("project { experiments = [\"experiments/*.hcl\"] }\n")},
		"experiments/a.hcl": {Data: []byte("experiment \"a\" {\n  command = [\"t\"]\n}\n")},
		"drafts/b.hcl":      {Data: []byte("experiment \"b\" {\n  command = [\"t\"]\n}\n")},
	}
	const (
		both    = "[drafts/b.hcl experiments/a.hcl]"
		globbed = "[experiments/a.hcl]"
	)
	for _, c := range []struct {
		name        string
		extra       []string
		files, exps string
		errs        []string
	}{
		{"none", nil, globbed, "[a]", nil},
		{"a file no glob selects", []string{"drafts/b.hcl"}, both, "[a b]", nil},
		{"each file once however it is spelt", []string{"./experiments/a.hcl", "drafts//b.hcl", "drafts/b.hcl"}, both, "[a b]", nil},
		{"the project file", []string{"assay.hcl", "./assay.hcl"}, globbed, "[a]", nil},
		{"a path through ..", []string{"../b.hcl", "drafts/b.hcl"}, both, "[a b]",
			[]string{`Invalid path: "../b.hcl" leaves the repository; paths are relative to the repository root and may not use "..".`}},
		{"an absolute path", []string{"/b.hcl"}, globbed, "[a]",
			[]string{`Invalid path: "/b.hcl" is absolute; paths are relative to the repository root.`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, diags := Load(fsys, LoadOptions{ExtraFiles: c.extra})
			if got := fmt.Sprint(p.SpecFiles); got != c.files {
				t.Errorf("spec files %s, want %s", got, c.files)
			}
			var names []string
			for _, e := range p.Experiments {
				names = append(names, e.Name)
			}
			if got := fmt.Sprint(names); got != c.exps {
				t.Errorf("experiments %s, want %s", got, c.exps)
			}
			if got := errorsOf(diags); fmt.Sprintf("%q", got) != fmt.Sprintf("%q", c.errs) {
				t.Errorf("errors %q, want %q", got, c.errs)
			}
		})
	}
}
