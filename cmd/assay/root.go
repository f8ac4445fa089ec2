package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/assaylab/assay/runner/local"
)

// Exit codes, as every command documents them.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks a mistake in how assay was invoked: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// silentError is a failure that has already been reported (diagnostics,
// a table of failed trials): exit 1 without another message.
var silentError = errors.New("failed")

// exitError ends assay with a specific code, such as 130 after Ctrl-C.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// globalOptions are the flags every command takes.
type globalOptions struct {
	chdir string
	vars  []string
}

// Main runs assay with args and returns the process exit code.
func Main(args []string, f *Factory) int {
	if len(args) > 0 && args[0] == local.SupervisorArg {
		// assay run starts each trial under assay itself as its supervisor.
		return local.Supervise(args[1:])
	}
	root := newRootCmd(f)
	root.SetArgs(normalizeArgs(args))
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	err := root.ExecuteContext(f.Context)
	return reportError(f, err)
}

func reportError(f *Factory, err error) int {
	if err == nil {
		return exitOK
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.err != nil && !errors.Is(ee.err, silentError) {
			fmt.Fprintf(f.IO.ErrOut, "error: %s\n", ee.err)
		}
		return ee.code
	}
	if errors.Is(err, silentError) {
		return exitFailure
	}
	var ue usageError
	if errors.As(err, &ue) || isCobraUsageError(err) {
		fmt.Fprintf(f.IO.ErrOut, "error: %s\nRun 'assay --help' for usage.\n", err)
		return exitUsage
	}
	fmt.Fprintf(f.IO.ErrOut, "error: %s\n", err)
	return exitFailure
}

// isCobraUsageError recognises cobra's own argument errors, which it
// returns as plain errors.
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "invalid argument", "flag needs an argument"} {
		if strings.HasPrefix(msg, p) || strings.Contains(msg, " "+p) {
			return true
		}
	}
	return false
}

// normalizeArgs accepts the single-dash spellings Terraform users type
// (-var k=v, -check) by rewriting them to their double-dash forms.
func normalizeArgs(args []string) []string {
	out := make([]string, 0, len(args))
	for i, a := range args {
		if a == "--" {
			return append(out, args[i:]...)
		}
		for _, name := range []string{"var", "check"} {
			if a == "-"+name || strings.HasPrefix(a, "-"+name+"=") {
				a = "-" + a
			}
		}
		out = append(out, a)
	}
	return out
}

func newRootCmd(f *Factory) *cobra.Command {
	g := &globalOptions{}
	root := &cobra.Command{
		Use:   "assay <command>",
		Short: "GitOps experiment management for machine-learning teams",
		Long: `assay runs the experiments a change touches and reports what changed.

Experiments are HCL files in the repository. assay works out which trials a
change affects, runs them on the GPUs that match, records every result on a
results branch, and compares base against head with honest statistics.`,
		Example: `  assay validate
  assay plan --all
  assay fmt -check`,
		Version:       version,
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			if g.chdir != "" {
				dir := g.chdir
				if !filepath.IsAbs(dir) {
					dir = filepath.Join(f.Dir, dir)
				}
				f.Dir = dir
			}
			return nil
		},
	}
	root.SetVersionTemplate(versionLine())
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentFlags().StringVarP(&g.chdir, "chdir", "C", "", "run as if assay was started in `DIR`")
	root.PersistentFlags().StringArrayVar(&g.vars, "var", nil, "set a spec variable, as `NAME=VALUE` (repeatable; also -var)")
	root.CompletionOptions.HiddenDefaultCmd = true

	root.AddCommand(
		newValidateCmd(f, g),
		newFmtCmd(f, g),
		newPlanCmd(f, g),
		newInitCmd(f, g),
		newRunCmd(f, g),
		newCompareCmd(f, g),
		newReportCmd(f, g),
		newUICmd(f, g),
		newLsCmd(f, g), newShowCmd(f, g), newSyncCmd(f, g),
		newArtifactsCmd(f, g),
	)
	return root
}
