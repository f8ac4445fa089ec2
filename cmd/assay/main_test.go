package main

import (
	"flag"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

var updateScripts = flag.Bool("update", false, "rewrite testscript expectations and golden files")

// TestMain lets testscript scripts run the real assay binary in-process as
// the "assay" command.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"assay": func() { os.Exit(Main(os.Args[1:], newSystemFactory())) },
	})
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
			return nil
		},
	}
}
