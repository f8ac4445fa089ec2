package spec

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hashicorp/hcl/v2"
)

// loadCase loads a testdata case: a directory is a project root; a single
// .hcl file becomes experiments/<name> of an otherwise empty project.
func loadCase(t *testing.T, path string) (fs.FS, *Project, hcl.Diagnostics) {
	t.Helper()
	fsys := caseFS(t, path)
	p, diags := Load(fsys, LoadOptions{})
	return fsys, p, diags
}

func caseFS(t *testing.T, path string) fs.FS {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.IsDir() {
		r, err := os.OpenRoot(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		return r.FS()
	}
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fstest.MapFS{"experiments/" + filepath.Base(path): {Data: src}}
}

// caseEntries lists the cases under dir: .hcl files and directories.
func caseEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".hcl") {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	return out
}

// TestValid loads every valid case and every example project: no
// diagnostics at all, and every experiment expands.
func TestValid(t *testing.T) {
	cases := caseEntries(t, "testdata/valid")
	examples, _ := filepath.Glob("../examples/*/assay.hcl")
	for _, e := range examples {
		cases = append(cases, filepath.Dir(e))
	}
	if len(examples) == 0 {
		t.Fatal("no example projects found under examples/")
	}
	for _, path := range cases {
		t.Run(path, func(t *testing.T) {
			_, p, diags := loadCase(t, path)
			for _, d := range diags {
				t.Errorf("unexpected diagnostic: %s", d)
			}
			if len(p.Experiments) == 0 {
				t.Fatal("no experiments decoded")
			}
			for _, e := range p.Experiments {
				trials, diags := e.Trials("")
				for _, d := range diags {
					t.Errorf("%s: expanding: %s", e.Name, d)
				}
				if len(trials) == 0 {
					t.Errorf("%s: no trials", e.Name)
				}
			}
		})
	}
}

var expectRE = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*(.+?)\s*$`)

type expectation struct {
	file     string
	line     int
	severity string
	summary  string
}

func (e expectation) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", e.file, e.line, strings.ToLower(e.severity), e.summary)
}

// expectations reads the "# ERROR: summary" comments of every file in fsys.
func expectations(t *testing.T, fsys fs.FS) []expectation {
	t.Helper()
	var out []expectation
	err := fs.WalkDir(fsys, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".hcl") {
			return err
		}
		src, err := fs.ReadFile(fsys, path)
		if err != nil {
			return err
		}
		sc := bufio.NewScanner(bytes.NewReader(src))
		for line := 1; sc.Scan(); line++ {
			if m := expectRE.FindStringSubmatch(sc.Text()); m != nil {
				out = append(out, expectation{file: path, line: line, severity: m[1], summary: m[2]})
			}
		}
		return sc.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestInvalid checks that each invalid case yields exactly the diagnostics
// written on its lines, at those lines, and nothing else.
func TestInvalid(t *testing.T) {
	cases := caseEntries(t, "testdata/invalid")
	if len(cases) < 25 {
		t.Fatalf("only %d invalid cases; keep at least 25", len(cases))
	}
	for _, path := range cases {
		t.Run(filepath.Base(path), func(t *testing.T) {
			fsys, p, diags := loadCase(t, path)
			if !diags.HasErrors() {
				for _, e := range p.Experiments {
					_, d := e.Trials("")
					diags = append(diags, d...)
				}
			}
			want := expectations(t, fsys)
			if len(want) == 0 {
				t.Fatal("case has no # ERROR: or # WARNING: comment")
			}
			var got []expectation
			for _, d := range diags {
				sev := "ERROR"
				if d.Severity == hcl.DiagWarning {
					sev = "WARNING"
				}
				e := expectation{severity: sev, summary: d.Summary}
				if d.Subject != nil {
					e.file, e.line = d.Subject.Filename, d.Subject.Start.Line
				}
				got = append(got, e)
			}
			sortExp(want)
			sortExp(got)
			if fmt.Sprint(want) != fmt.Sprint(got) {
				t.Errorf("diagnostics differ\nwant:\n  %s\ngot:\n  %s", joinExp(want), joinExp(got))
				for _, d := range diags {
					t.Logf("  %s", d)
				}
			}
		})
	}
}

func sortExp(es []expectation) {
	sort.Slice(es, func(i, j int) bool { return es[i].String() < es[j].String() })
}

func joinExp(es []expectation) string {
	var s []string
	for _, e := range es {
		s = append(s, e.String())
	}
	return strings.Join(s, "\n  ")
}
