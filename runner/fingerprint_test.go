package runner

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/bmatcuk/doublestar/v4"

	"github.com/assaylab/assay/runner/gitrepo"
	"github.com/assaylab/assay/runner/gitrepo/gittest"
	"github.com/assaylab/assay/spec"
)

// inputsAt fingerprints experiment name at rev ("" for the working tree).
func inputsAt(t *testing.T, dir, rev, name string) *Inputs {
	t.Helper()
	repo := openRepo(t, dir)
	var snap gitrepo.Snapshot
	var err error
	if rev == "" {
		snap, err = repo.Worktree()
	} else {
		h, rerr := repo.Resolve(rev)
		if rerr != nil {
			t.Fatal(rerr)
		}
		snap, err = repo.Commit(h)
	}
	if err != nil {
		t.Fatal(err)
	}
	p, diags := spec.Load(gitrepo.FS(snap), spec.LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	e := p.Experiment(name)
	ts, diags := e.Trials("")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	in, err := newInputsReader(snap, p).read(e, ts[0].Workdir)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

func paths(in *Inputs) string {
	var out []string
	for _, e := range in.Entries {
		p := e.Path
		if e.IsDir() {
			p += "/"
		}
		out = append(out, p)
	}
	return strings.Join(out, " ")
}

// A whole directory is one entry with git's own tree id: nothing below it
// is walked.
func TestInputsWholeDirectoryIsItsTreeID(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	in := inputsAt(t, r.Dir, "HEAD", "alpha")
	if got := paths(in); got != "models/alpha/" {
		t.Fatalf("entries %q", got)
	}
	if want := r.Git("rev-parse", "HEAD:models/alpha"); in.Entries[0].ID.String() != want {
		t.Errorf("models/alpha id %s, git says %s", in.Entries[0].ID, want)
	}
	if len(in.Fingerprint) != 64 {
		t.Errorf("fingerprint %q", in.Fingerprint)
	}
}

// With the repository root as workdir, the default inputs are everything
// except spec files and assay.hcl: editing another experiment, the
// project settings or the layout of its own spec changes nothing, editing
// a README does. (What in its own spec decides a result is in the key.)
func TestInputsDefaultSkipsOtherSpecs(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	r.Write("assay.hcl", "project {}\n")
	r.Write("train.py", "x\n")
	r.Write("README.md", "r\n")
	r.Write("experiments/notes.txt", "kept\n")
	r.Write("experiments/root.hcl", strings.Replace(experimentHCL("root", "0.1"), `workdir = "models/root"`, "", 1))
	r.Write("experiments/other.hcl", experimentHCL("other", "0.1"))
	r.Commit("one")
	in := inputsAt(t, r.Dir, "HEAD", "root")
	if got := paths(in); got != "README.md experiments/notes.txt train.py" {
		t.Errorf("entries %q", got)
	}
	r.Write("experiments/other.hcl", experimentHCL("other", "0.2"))
	r.Write("assay.hcl", "project {\n  results_branch = \"results\"\n}\n")
	r.Commit("other experiment and settings")
	if inputsAt(t, r.Dir, "HEAD", "root").Fingerprint != in.Fingerprint {
		t.Error("another experiment's spec or assay.hcl changed root's inputs")
	}
	r.Write("experiments/root.hcl", "# reformatted, with a comment\n\n"+strings.Replace(experimentHCL("root", "0.1"), `workdir = "models/root"`, "", 1))
	r.Commit("comment")
	if inputsAt(t, r.Dir, "HEAD", "root").Fingerprint != in.Fingerprint {
		t.Error("a comment in its own spec file changed root's inputs")
	}
	r.Write("README.md", "r2\n")
	r.Commit("readme")
	if inputsAt(t, r.Dir, "HEAD", "root").Fingerprint == in.Fingerprint {
		t.Error("a README edit must change inputs that cover the whole repository")
	}
}

// Explicit globs match what doublestar matches on disk, the independent
// reader; directories a glob covers whole collapse to one entry.
func TestInputsGlobsMatchDoublestar(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	files := []string{
		"src/a.py", "src/b.py", "src/c.txt", "src/deep/d.py", "src/deep/er/e.py",
		"data/a.lock", "data/b.lock", "data/c.lock", "conf/x.cfg", "conf/y/z.cfg", "top.cfg",
		"weird name.py", "braces/{x}.py",
	}
	for _, f := range files {
		r.Write(f, f+"\n")
	}
	globs := []string{"src/*.py", "src/**/*.py", "data/{a,b}.lock", "**/*.cfg", "weird name.py", "braces/\\{x\\}.py", "nothing/*.py"}
	quoted := make([]string, len(globs))
	for i, g := range globs {
		quoted[i] = strings.ReplaceAll(`"`+strings.ReplaceAll(g, `\`, `\\`)+`"`, "${", "$${")
	}
	r.Write("experiments/e.hcl", `experiment "e" {
  command = ["true"]
  inputs  = [`+strings.Join(quoted, ", ")+`]
}
`)
	r.Commit("files")
	in := inputsAt(t, r.Dir, "HEAD", "e")
	got := map[string]bool{}
	for _, e := range in.Entries {
		got[e.Path] = true
	}
	want := map[string]bool{}
	fsys := os.DirFS(r.Dir)
	for _, g := range globs {
		ms, err := doublestar.Glob(fsys, g, doublestar.WithFilesOnly())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			want[m] = true
		}
	}
	if strings.Join(sortedKeys(got), " ") != strings.Join(sortedKeys(want), " ") {
		t.Errorf("matched\n  %v\ndoublestar on disk\n  %v", sortedKeys(got), sortedKeys(want))
	}
	if len(in.Unmatched) != 1 || in.Unmatched[0] != "nothing/*.py" {
		t.Errorf("unmatched %v", in.Unmatched)
	}

	// A glob that ends in ** covers its directory as one tree.
	r.Write("experiments/e.hcl", "experiment \"e\" {\n  command = [\"true\"]\n  inputs  = [\"src/**\", \"src/deep/d.py\", \"conf\"]\n}\n")
	r.Commit("trees")
	in = inputsAt(t, r.Dir, "HEAD", "e")
	if got := paths(in); got != "conf/ src/" {
		t.Errorf("entries %q: src/** and the conf directory are single trees, d.py inside src/ is not listed twice", got)
	}
}

// The working tree fingerprints exactly like the commit it would become.
func TestInputsWorkingTreeMatchesCommit(t *testing.T) {
	t.Parallel()
	r := mlRepo(t)
	r.Write(".gitignore", "*.pt\n")
	r.Commit("ignore weights")
	clean := inputsAt(t, r.Dir, "", "beta").Fingerprint
	if clean != inputsAt(t, r.Dir, "HEAD", "beta").Fingerprint {
		t.Fatal("a clean working tree must fingerprint as HEAD")
	}
	r.Write("models/beta/weights.pt", "ignored\n")
	if inputsAt(t, r.Dir, "", "beta").Fingerprint != clean {
		t.Error("an ignored file changed the inputs")
	}
	r.Write("models/beta/lib/new.py", "untracked but not ignored\n")
	edited := inputsAt(t, r.Dir, "", "beta").Fingerprint
	if edited == clean {
		t.Error("an untracked file must count")
	}
	r.Commit("add new.py")
	if inputsAt(t, r.Dir, "HEAD", "beta").Fingerprint != edited {
		t.Error("once committed, the fingerprint must equal the working tree's")
	}
}

func TestExpandBraces(t *testing.T) {
	for in, want := range map[string]string{
		"a/{b,c}/d":    "a/b/d a/c/d",
		"{x,y/z}.py":   "x.py y/z.py",
		"{a,{b,c}}":    "a b c",
		"plain":        "plain",
		`esc\{a,b\}`:   `esc\{a,b\}`,
		"{a,b}{1,2}":   "a1 a2 b1 b2",
		"unclosed{a,b": "unclosed{a,b",
		// A stray } before a group is text, not the group's end.
		"a}{b,c}": "a}b a}c",
		// An escaped comma does not split; a nested group is one
		// alternative until its own } closes it.
		`{a\,b,c}`:    `a\,b c`,
		"{{a,b},c}":   "a b c",
		"{x,y}/{1,2}": "x/1 x/2 y/1 y/2",
		`\{a,b}`:      `\{a,b}`,
	} {
		got := expandBraces(in)
		sort.Strings(got)
		if strings.Join(got, " ") != want {
			t.Errorf("expandBraces(%q) = %q, want %q", in, got, want)
		}
	}
}
