package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/compare"
	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner/spool"
)

// compareEnv is a git repository in a temporary directory where assay
// runs in-process.
type compareEnv struct {
	t   *testing.T
	dir string
	env map[string]string
}

func newCompareEnv(t *testing.T, files map[string]string) *compareEnv {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed (the CI installs it with apt-get install git)")
	}
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := &compareEnv{t: t, dir: dir, env: map[string]string{
		"PATH": os.Getenv("PATH"), "HOME": dir, "NO_COLOR": "1", "GIT_CONFIG_NOSYSTEM": "1",
		"GIT_AUTHOR_NAME": "Ada", "GIT_AUTHOR_EMAIL": "ada@example.com",
		"GIT_COMMITTER_NAME": "Ada", "GIT_COMMITTER_EMAIL": "ada@example.com",
	}}
	e.git("init", "-q", "-b", "main")
	e.git("add", "-A")
	e.git("commit", "-q", "-m", "base")
	return e
}

func (e *compareEnv) git(args ...string) string {
	e.t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = e.dir
	for k, v := range e.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		e.t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

func (e *compareEnv) assay(args ...string) (int, string, string) {
	e.t.Helper()
	io, _, out, errOut := testIO()
	f := &Factory{
		IO: io, Dir: e.dir, Context: context.Background(),
		Getenv: func(k string) string { return e.env[k] },
		Environ: func() []string {
			var kv []string
			for k, v := range e.env {
				kv = append(kv, k+"="+v)
			}
			return kv
		},
	}
	code := Main(args, f)
	return code, out.String(), errOut.String()
}

// recordSpool moves what assay run left in the spool onto the results
// branch, as delivering results does.
func (e *compareEnv) recordSpool() {
	e.t.Helper()
	store, err := results.Open(e.dir, results.Options{Getenv: func(k string) string { return e.env[k] }})
	if err != nil {
		e.t.Fatal(err)
	}
	sp, err := spool.Open(filepath.Join(spool.StateDir(e.dir), "spool"))
	if err != nil {
		e.t.Fatal(err)
	}
	rep, err := store.Commit(sp)
	if err != nil || len(rep.Problems) > 0 {
		e.t.Fatalf("recording the spool: %v %v", err, rep.Problems)
	}
	if ids, _ := sp.List(); len(ids) != 0 {
		e.t.Fatalf("%d runs left in the spool", len(ids))
	}
}

const compareSpec = `
experiment "mlp" {
  command = ["sh", "train.sh", "${param.acc}", "${seed}", "${param.fail}"]
  params  = { acc = "0.9", fail = "1" }
  seeds   = [1, 2, 3]
  metric "val_acc" {
    goal      = "maximize"
    tolerance = 0.01
  }
}
`

const compareScript = `if [ "$2" = "$3" ]; then echo "crashed at seed $2 | <oom>"; exit 4; fi
echo "{\"step\": 1, \"val_acc\": $1$2}" >> "$ASSAY_METRICS_FILE"
`

// The base's results sit on the results branch (one of them a failure
// whose log tail is read back from the branch), the head's still in the
// spool; compare sees both.
func TestCompareReadsTheResultsBranchAndTheSpool(t *testing.T) {
	e := newCompareEnv(t, map[string]string{"experiments/train.hcl": compareSpec, "train.sh": compareScript})
	if code, _, stderr := e.assay("run", "--all"); code != 1 {
		t.Fatalf("base run exited %d, want 1 (seed 1 fails):\n%s", code, stderr)
	}
	e.recordSpool()
	// The git CLI reads what the store wrote.
	if log := e.git("log", "--format=%s", "assay/results"); log == "" {
		t.Fatal("no commit on assay/results")
	}
	if files := e.git("ls-tree", "-r", "--name-only", "assay/results"); strings.Count(files, ".log") != 3 || !strings.Contains(files, "runs/mlp/") {
		t.Fatalf("results branch holds:\n%s", files)
	}

	e.git("checkout", "-q", "-b", "change")
	spec := strings.Replace(compareSpec, `acc = "0.9", fail = "1"`, `acc = "0.8", fail = "0"`, 1)
	if err := os.WriteFile(filepath.Join(e.dir, "experiments/train.hcl"), []byte(spec), 0o644); err != nil {
		t.Fatal(err)
	}
	e.git("commit", "-q", "-am", "change")
	if code, _, stderr := e.assay("run", "--base", "main"); code != 0 {
		t.Fatalf("head run exited %d:\n%s", code, stderr)
	}

	code, stdout, stderr := e.assay("compare", "--base", "main", "--head", "HEAD", "--format", "json")
	if code != 0 {
		t.Fatalf("compare exited %d:\n%s", code, stderr)
	}
	var c compare.Comparison
	if err := json.Unmarshal([]byte(stdout), &c); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if len(c.Experiments) != 1 {
		t.Fatalf("%d experiments", len(c.Experiments))
	}
	x := c.Experiments[0]
	m := x.Headline.Metrics[0]
	if m.Base.N != 2 || m.Head.N != 3 {
		t.Errorf("samples: base n=%d (two succeeded, on the branch), head n=%d (three, in the spool)", m.Base.N, m.Head.N)
	}
	if len(x.Failures) != 1 || x.Failures[0].Side != compare.SideBase || !strings.Contains(x.Failures[0].LogTail, "crashed at seed 1 | <oom>") {
		t.Errorf("failures %+v: want base seed 1 with its log tail from the branch", x.Failures)
	}
	if c.Result != compare.ResultFailure || m.Verdict != compare.Regressed {
		t.Errorf("result %s, val_acc %s", c.Result, m.Verdict)
	}
	if c.Base.Name != "main" || len(c.Base.Commit) != 40 || c.Head.Name != "HEAD" {
		t.Errorf("refs %+v %+v", c.Base, c.Head)
	}
}

func TestRerunCommandQuotes(t *testing.T) {
	opts := &compareOptions{base: "main~1", experiments: []string{"res*", "it's"}}
	if got, want := rerunCommand("assay run", opts), `assay run --base main~1 --experiment 'res*' --experiment 'it'\''s'`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
