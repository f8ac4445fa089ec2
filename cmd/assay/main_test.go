package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/assaylab/assay/runner/proctest"
	"github.com/assaylab/assay/runner/slurm/slurmtest"
)

var updateScripts = flag.Bool("update", false, "rewrite testscript expectations and golden files")

// TestMain lets testscript scripts run the real assay binary in-process as
// the "assay" command, and fails the package when a process its tests
// started (a git daemon, a trial) outlives them. The grace covers the
// trials that scripts orphan on purpose with kill -9 of assay (the
// longest sleeps 30 s).
func TestMain(m *testing.M) {
	testscript.Main(checkedM{m}, map[string]func(){
		"assay": func() { os.Exit(Main(os.Args[1:], newSystemFactory())) },
	})
}

// testCluster is the test Slurm cluster, for the scripts that submit jobs.
var testCluster *slurmtest.Session

// checkedM runs the tests (only in the test binary itself, not where it
// runs as "assay") against the test Slurm cluster alone, failing when a
// job or a process they started outlives them.
type checkedM struct{ m *testing.M }

func (c checkedM) Run() int {
	testCluster = slurmtest.Start()
	return proctest.MainWithin(c.m, 45*time.Second, testCluster.Stop)
}

// TestScripts runs the CLI scenarios under testdata/script: each is a
// user's session in a fresh temporary directory, with real files and, where
// the scenario needs one, a real git repository.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/script"))
}

func scriptParams(t *testing.T, dir string) testscript.Params {
	return testscript.Params{
		Dir:                 dir,
		UpdateScripts:       *updateScripts,
		RequireExplicitExec: true,
		Cmds: map[string]func(*testscript.TestScript, bool, []string){
			"records": cmdRecords, "silent-remote": cmdSilentRemote, "git-daemon": cmdGitDaemon,
			"example": cmdExample,
		},
		Condition: func(cond string) (bool, error) {
			if cond == "slurm" {
				return testCluster.Skip == "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Setup: func(env *testscript.Env) error {
			// Scripts see a clean, colourless, non-Actions environment
			// unless they set otherwise.
			env.Setenv("NO_COLOR", "1")
			env.Setenv("GITHUB_ACTIONS", "")
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("GIT_AUTHOR_NAME", "Ada")
			env.Setenv("GIT_AUTHOR_EMAIL", "ada@example.com")
			env.Setenv("GIT_COMMITTER_NAME", "Ada")
			env.Setenv("GIT_COMMITTER_EMAIL", "ada@example.com")
			env.Setenv("GIT_CONFIG_NOSYSTEM", "1")
			// Processes the scripts start carry the check's token; Slurm's
			// commands reach the test cluster, and [!slurm] skips with why.
			env.Setenv(proctest.EnvVar, os.Getenv(proctest.EnvVar))
			env.Setenv("SLURM_CONF", os.Getenv("SLURM_CONF"))
			env.Setenv("NO_SLURM", testCluster.Skip)
			return nil
		},
	}
}

// cmdRecords is the script command "records [-count|-logs] [BRANCH]": it
// reads the results branch with the git CLI, an independent reader of what
// assay wrote, and prints each run record (or its log tail, or how many
// records there are) in path order.
func cmdRecords(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! records")
	}
	mode, branch := "", "assay/results"
	for _, a := range args {
		switch a {
		case "-count", "-logs":
			mode = a
		default:
			branch = a
		}
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = ts.MkAbs(".")
		out, err := cmd.Output()
		if err != nil {
			ts.Fatalf("git %s: %v", strings.Join(args, " "), err)
		}
		return string(out)
	}
	var paths []string
	for _, p := range strings.Split(strings.TrimSpace(git("ls-tree", "-r", "--name-only", branch)), "\n") {
		if !strings.HasPrefix(p, "runs/") {
			continue
		}
		switch {
		case mode == "-logs" && strings.HasSuffix(p, ".log"):
			paths = append(paths, p)
		case mode != "-logs" && strings.HasSuffix(p, ".json") && !strings.HasSuffix(p, ".series.json"):
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	if mode == "-count" {
		fmt.Fprintf(ts.Stdout(), "%d\n", len(paths))
		return
	}
	for _, p := range paths {
		fmt.Fprint(ts.Stdout(), git("show", branch+":"+p))
	}
}
