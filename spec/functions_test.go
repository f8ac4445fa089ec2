package spec

import (
	"strings"
	"testing"
)

// TestFileFunctions: file() and fileset() read what the repository holds,
// as written relative to its root, and refuse what they cannot read with
// the reason, on the line of the call.
func TestFileFunctions(t *testing.T) {
	files := map[string]string{
		"a":               "one letter",
		"conf.txt":        "lr=0.1",
		"data/a.csv":      "1",
		"data/b.csv":      "2",
		"data/notes.md":   "n",
		"data/deep/c.csv": "3",
		"limit.txt":       strings.Repeat("x", MaxFileSize),
		"over.txt":        strings.Repeat("x", MaxFileSize+1),
		"latin1.txt":      "caf\xe9",
	}
	for _, c := range []struct {
		name, expr string
		want       string // the description, or with err the error's detail
		err        bool
	}{
		{name: "a file", expr: `file("conf.txt")`, want: "lr=0.1"},
		{name: "a one-letter path", expr: `file("a")`, want: "one letter"},
		{name: "a path through .", expr: `file("./data/a.csv")`, want: "1"},
		{name: "a file of exactly the size limit", expr: `strlen(file("limit.txt"))`, want: "1048576"},
		{name: "a file past the size limit", expr: `file("over.txt")`, err: true,
			want: `Invalid value for "path" parameter: "over.txt" is 1048577 bytes; file() reads at most 1048576.`},
		{name: "an absolute path", expr: `file("/conf.txt")`, err: true,
			want: `Invalid value for "path" parameter: "/conf.txt" is absolute; paths are relative to the repository root.`},
		{name: "a drive letter", expr: `file("C:conf.txt")`, err: true,
			want: `Invalid value for "path" parameter: "C:conf.txt" is absolute; paths are relative to the repository root.`},
		{name: "a path through ..", expr: `file("data/../conf.txt")`, err: true,
			want: `Invalid value for "path" parameter: "data/../conf.txt" leaves the repository; paths are relative to the repository root and may not use "..".`},
		{name: "a missing file", expr: `file("none.txt")`, err: true,
			want: `Invalid value for "path" parameter: cannot read "none.txt": open none.txt: file does not exist.`},
		{name: "a file that is not UTF-8", expr: `file("latin1.txt")`, err: true,
			want: `Invalid value for "path" parameter: "latin1.txt" is not valid UTF-8.`},
		{name: "fileset under a directory", expr: `join(",", fileset("data", "*.csv"))`, want: "a.csv,b.csv"},
		{name: "fileset at the root", expr: `join(",", fileset(".", "data/**/*.csv"))`, want: "data/a.csv,data/b.csv,data/deep/c.csv"},
		{name: "fileset that matches nothing", expr: `length(fileset("data", "*.json"))`, want: "0"},
		{name: "fileset of an absolute pattern", expr: `fileset("data", "/etc/*")`, err: true,
			want: `Invalid value for "pattern" parameter: pattern "/etc/*" leaves the directory.`},
		{name: "fileset of a pattern through ..", expr: `fileset("data", "deep/../../*")`, err: true,
			want: `Invalid value for "pattern" parameter: pattern "deep/../../*" leaves the directory.`},
		{name: "fileset of a bad pattern", expr: `fileset("data", "[")`, err: true,
			want: `Invalid value for "pattern" parameter: bad pattern "[": syntax error in pattern.`},
	} {
		t.Run(c.name, func(t *testing.T) {
			src := map[string]string{"experiments/x.hcl": "experiment \"e\" {\n  command     = [\"t\"]\n  description = " + c.expr + "\n}\n"}
			for k, v := range files {
				src[k] = v
			}
			p, diags := loadSrc(t, src)
			if c.err {
				if len(diags) != 1 || diags[0].Detail != c.want || diags[0].Subject == nil || diags[0].Subject.Start.Line != 3 {
					t.Errorf("diagnostics %q, want one on line 3: %q", errorsOf(diags), c.want)
				}
				return
			}
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			if got := p.Experiment("e").Description; got != c.want {
				t.Errorf("description %q, want %q", got, c.want)
			}
		})
	}
}
