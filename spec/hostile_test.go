package spec

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// hostileLoad loads src as an experiment file and returns the summaries of
// its error diagnostics. It must never panic.
func hostileLoad(t *testing.T, src []byte) []string {
	t.Helper()
	p, diags := Load(fstest.MapFS{"experiments/x.hcl": {Data: src}}, LoadOptions{})
	if !diags.HasErrors() {
		for _, e := range p.Experiments {
			_, d := e.Trials("")
			diags = append(diags, d...)
		}
	}
	var out []string
	for _, d := range diags {
		out = append(out, d.Summary)
	}
	return out
}

func TestHostileInput(t *testing.T) {
	cases := map[string]struct {
		src  []byte
		want string
	}{
		"invalid UTF-8": {
			src:  []byte("experiment \"a\" {\n  description = \"\xff\xfe\"\n  command = [\"t\"]\n}\n"),
			want: "Invalid character encoding",
		},
		"10 MB file": {
			src:  bytes.Repeat([]byte("# padding padding padding padding padding padding\n"), 10<<20/50),
			want: "Spec file too large",
		},
		"deeply nested expression": {
			src:  []byte("experiment \"a\" {\n  command = [\"t\"]\n  description = " + strings.Repeat("(", 100000) + "1" + strings.Repeat(")", 100000) + "\n}\n"),
			want: "Expression nested too deeply",
		},
		"deeply nested template": {
			src:  []byte("experiment \"a\" {\n  command = [\"t\"]\n  description = \"" + strings.Repeat("${\"", 5000) + strings.Repeat("\"}", 5000) + "\"\n}\n"),
			want: "Expression nested too deeply",
		},
		// Stray closing brackets first buy no deeper nesting after, not
		// even one level: MaxNesting+1 parentheses after them are one too
		// many.
		"closers before deep nesting": {
			src:  []byte("experiment \"a\" {\n  command = [\"t\"]\n  description = " + strings.Repeat(")", 10) + strings.Repeat("(", MaxNesting+1) + "1" + strings.Repeat(")", MaxNesting+1) + "\n}\n"),
			want: "Expression nested too deeply",
		},
		"NUL bytes": {
			src:  []byte("experiment \"a\" {\x00\x00}"),
			want: "Invalid character",
		},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got := hostileLoad(t, c.src)
			found := false
			for _, s := range got {
				if strings.HasPrefix(s, c.want) {
					found = true
				}
			}
			if !found {
				t.Errorf("want a %q diagnostic, got %q", c.want, got)
			}
		})
	}
}

// TestFileFunctionsStayInRepository checks file() and fileset() against a
// real directory with a symlink that points outside it.
func TestFileFunctionsStayInRepository(t *testing.T) {
	outside := t.TempDir()
	os.WriteFile(filepath.Join(outside, "secret.txt"), []byte("s3cret"), 0o644)
	repo := t.TempDir()
	os.MkdirAll(filepath.Join(repo, "experiments"), 0o755)
	if err := os.Symlink(filepath.Join(outside, "secret.txt"), filepath.Join(repo, "link.txt")); err != nil {
		t.Skipf("this filesystem cannot make symlinks: %v", err)
	}
	os.Symlink(outside, filepath.Join(repo, "linkdir"))
	root, err := os.OpenRoot(repo)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	for _, c := range []struct {
		expr      string
		mustError bool
	}{
		{`file("link.txt")`, true},
		{`file("../secret.txt")`, true},
		{`file("/etc/hostname")`, true},
		{`join(",", fileset(".", "../*"))`, true},
		// A symlinked directory that leaves the repository lists nothing.
		{`join(",", fileset("linkdir", "*"))`, false},
	} {
		src := "experiment \"a\" {\n  command = [\"t\"]\n  description = " + c.expr + "\n}\n"
		os.WriteFile(filepath.Join(repo, "experiments", "a.hcl"), []byte(src), 0o644)
		p, diags := Load(root.FS(), LoadOptions{})
		if diags.HasErrors() {
			continue
		}
		if c.mustError {
			t.Errorf("%s: want an error", c.expr)
		}
		if e := p.Experiment("a"); e == nil || strings.Contains(e.Description, "s3cret") || strings.Contains(e.Description, "secret.txt") {
			t.Errorf("%s read outside the repository: %+v", c.expr, e)
		}
	}
}

func TestVariables(t *testing.T) {
	src := `
variable "lr" { default = 0.1 }
variable "name" { default = "base" }
variable "layers" {
  type    = list(number)
  default = [1]
}
experiment "e" {
  command = ["t", "--lr=${var.lr}", "--name=${var.name}", "--layers=${join(",", var.layers)}"]
}`
	run := func(flags map[string]string, env ...string) (string, []string) {
		p, diags := Load(fstest.MapFS{"experiments/x.hcl": {Data: []byte(src)}}, LoadOptions{Vars: VarValues{Flags: flags, Env: env}})
		var errs []string
		for _, d := range diags {
			errs = append(errs, d.Summary+": "+d.Detail)
		}
		if diags.HasErrors() {
			return "", errs
		}
		ts, _ := p.Experiments[0].Trials("")
		return strings.Join(ts[0].Command[1:], " "), errs
	}
	cases := []struct {
		name  string
		flags map[string]string
		env   []string
		want  string
		err   string
	}{
		{name: "defaults", want: "--lr=0.1 --name=base --layers=1"},
		{name: "env", env: []string{"ASSAY_VAR_lr=0.5", "ASSAY_VAR_name=x y", "OTHER=1"}, want: "--lr=0.5 --name=x y --layers=1"},
		{name: "flag wins over env", flags: map[string]string{"lr": "0.25"}, env: []string{"ASSAY_VAR_lr=0.5"}, want: "--lr=0.25 --name=base --layers=1"},
		{name: "typed list", flags: map[string]string{"layers": "[64, 32]"}, want: "--lr=0.1 --name=base --layers=64,32"},
		{name: "string taken literally", flags: map[string]string{"name": "[not, hcl"}, want: "--lr=0.1 --name=[not, hcl --layers=1"},
		{name: "bad number", flags: map[string]string{"lr": "fast"}, err: "Invalid value for variable"},
		{name: "undeclared flag", flags: map[string]string{"lrr": "1"}, err: `Undeclared variable: -var sets "lrr", but no variable block declares it (did you mean "lr"?)`},
		{name: "unknown env ignored", env: []string{"ASSAY_VAR_zzz=1"}, want: "--lr=0.1 --name=base --layers=1"},
	}
	for _, c := range cases {
		got, errs := run(c.flags, c.env...)
		if c.err != "" {
			if len(errs) == 0 || !strings.HasPrefix(errs[0], c.err) {
				t.Errorf("%s: want error %q, got %q", c.name, c.err, errs)
			}
			continue
		}
		if got != c.want || len(errs) > 0 {
			t.Errorf("%s: got %q %q, want %q", c.name, got, errs, c.want)
		}
	}
}

// TestNestingCountsEveryBracket: a short file of nothing but one kind of
// opening bracket, one past MaxNesting and never closed, is refused as
// nested too deeply at that bracket, not left to the parser. Each kind
// counts towards the limit, and so does every opener in a file that has
// few other characters.
func TestNestingCountsEveryBracket(t *testing.T) {
	const prefix = "description = "
	for _, open := range []string{"(", "[", "{"} {
		t.Run(open, func(t *testing.T) {
			src := prefix + strings.Repeat(open, MaxNesting+1) + "\n"
			_, diags := Load(fstest.MapFS{"experiments/x.hcl": {Data: []byte(src)}}, LoadOptions{})
			if len(diags) != 1 || diags[0].Summary != "Expression nested too deeply" {
				t.Fatalf("diagnostics %q, want one \"Expression nested too deeply\"", errorsOf(diags))
			}
			at := diags[0].Subject
			if want := len(prefix) + MaxNesting + 1; at == nil || at.Start.Line != 1 || at.Start.Column != want {
				t.Errorf("diagnostic at %v, want line 1, column %d (the bracket past the limit)", at, want)
			}
		})
	}
}
