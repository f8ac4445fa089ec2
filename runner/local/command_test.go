package local

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

// A trial's command is found the way a shell in its workdir would find
// it: a name with a slash is a path from the workdir, a bare name is
// looked up in the trial's PATH, entry by entry (an empty or relative
// entry is read from the workdir), taking the first executable file. A
// command that cannot be run fails the trial before it starts, saying why
// and what to do.
func TestCommandResolution(t *testing.T) {
	// The layout of each case's workdir: tool scripts write which copy
	// ran.
	tool := func(which string) string { return "#!/bin/sh\necho " + which + " > ran\n" }
	for _, c := range []struct {
		name    string
		command string
		// path is the trial's PATH, first in assay's environment;
		// "$ROOT" stands for the workdir.
		path  string
		files map[string]string // path → content; a name ending in / is a directory
		// specPath sets PATH in the spec's env instead.
		specPath bool
		// ran is the copy that ran; else err is in the run's error.
		ran, err string
	}{
		{name: "PATH first in the environment", command: "tool", path: "$ROOT/bin",
			files: map[string]string{"bin/tool": tool("bin")}, ran: "bin"},
		{name: "first match wins", command: "tool", path: "$ROOT/a:$ROOT/b",
			files: map[string]string{"a/tool": tool("a"), "b/tool": tool("b")}, ran: "a"},
		{name: "a directory of that name is passed over", command: "tool", path: "$ROOT/a:$ROOT/b",
			files: map[string]string{"a/tool/": "", "b/tool": tool("b")}, ran: "b"},
		{name: "a file that is not executable is passed over", command: "tool", path: "$ROOT/a:$ROOT/b",
			files: map[string]string{"a/tool": "-" + tool("a"), "b/tool": tool("b")}, ran: "b"},
		{name: "an empty entry is the workdir", command: "tool", path: "/nonexistent::/usr/bin",
			files: map[string]string{"tool": tool("workdir")}, ran: "workdir"},
		{name: "a relative entry is read from the workdir", command: "tool", path: "/nonexistent:bin",
			files: map[string]string{"bin/tool": tool("relative")}, ran: "relative"},
		{name: "a path with a slash is from the workdir", command: "./run.sh", path: "/nonexistent",
			files: map[string]string{"run.sh": tool("script")}, ran: "script"},
		{name: "missing script", command: "./run.sh", path: "/usr/bin:/bin",
			err: `command "./run.sh" not found in the workdir`},
		{name: "script is a directory", command: "./run.sh", path: "/usr/bin:/bin",
			files: map[string]string{"run.sh/": ""}, err: `command "./run.sh" is a directory`},
		{name: "script not executable", command: "./run.sh", path: "/usr/bin:/bin",
			files: map[string]string{"run.sh": "-" + tool("script")}, err: `command "./run.sh" is not executable; run chmod +x on it`},
		{name: "on assay's PATH but not the trial's", command: "sh", path: "$ROOT/empty", specPath: true,
			files: map[string]string{"empty/": ""}, err: `command "sh" is not on the trial's PATH (the spec's env sets PATH=`},
		{name: "nowhere", command: "assay-no-such-tool", path: "/usr/bin:/bin",
			err: `command "assay-no-such-tool" not found on PATH; install it`},
	} {
		t.Run(c.name, func(t *testing.T) {
			root, state := t.TempDir(), t.TempDir()
			for name, content := range c.files {
				p := filepath.Join(root, name)
				if strings.HasSuffix(name, "/") {
					if err := os.MkdirAll(p, 0o755); err != nil {
						t.Fatal(err)
					}
					continue
				}
				// A leading "-" marks a file that is not executable.
				mode := os.FileMode(0o755)
				if rest, ok := strings.CutPrefix(content, "-"); ok {
					content, mode = rest, 0o644
				}
				os.MkdirAll(filepath.Dir(p), 0o755)
				if err := os.WriteFile(p, []byte(content), mode); err != nil {
					t.Fatal(err)
				}
			}
			path := strings.ReplaceAll(c.path, "$ROOT", root)
			tr := &spec.Trial{Experiment: "cmd", Command: []string{c.command}, Workdir: ".", ParamsJSON: "{}"}
			environ := os.Environ()
			if c.specPath {
				tr.Env = map[string]string{"PATH": path}
			} else {
				// PATH first, as in an environment that starts with it.
				environ = append([]string{"PATH=" + path}, withoutPath(environ)...)
			}
			tr.ComputeKey()
			sp, _ := spool.Open(filepath.Join(state, "spool"))
			x := New(Config{Parallel: 1, Environ: environ})
			if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{{Trial: tr}}, Root: root, StateDir: state}, sp, nil); err != nil {
				t.Fatal(err)
			}
			ids, _ := sp.List()
			run, err := sp.Get(ids[0])
			if err != nil {
				t.Fatal(err)
			}
			res := run.Result
			ran, _ := os.ReadFile(filepath.Join(root, "ran"))
			if c.ran != "" {
				if res.Status != runner.StatusSucceeded || strings.TrimSpace(string(ran)) != c.ran {
					t.Errorf("status %s (%s), ran %q: want the %s copy to run", res.Status, res.Error, ran, c.ran)
				}
				return
			}
			if res.Status != runner.StatusFailed || res.ExitCode != -1 || !strings.Contains(res.Error, c.err) || len(ran) != 0 {
				t.Errorf("status %s exit %d error %q, ran %q: want failed before starting, -1, %q", res.Status, res.ExitCode, res.Error, ran, c.err)
			}
		})
	}
}

// withoutPath drops PATH from env.
func withoutPath(env []string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, "PATH=") {
			out = append(out, kv)
		}
	}
	return out
}
