package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

type validateOptions struct {
	f      *Factory
	g      *globalOptions
	paths  []string
	format string
}

func newValidateCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &validateOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "validate [PATH...]",
		Short: "Check the project's specs and report every problem",
		Long: `Check assay.hcl and the experiment files, and expand every experiment into
its trials. All problems are reported in one run, each with its file, line and
column. With PATHs, only problems in those files (or under those directories)
are shown; a file the project's globs do not match is read as well.

Exit status: 0 when valid (warnings allowed), 1 when any error was found,
2 on a usage error.`,
		Example: `  assay validate
  assay validate experiments/resnet.hcl
  assay validate -var dataset=imagenet --format json`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.paths = args
			if err := checkFormat(opts.format, "text", "json"); err != nil {
				return err
			}
			return runValidate(opts)
		},
	}
	cmd.Flags().StringVar(&opts.format, "format", "text", "output format: `text` or json")
	return cmd
}

// checkFormat refuses a --format value the command does not offer.
func checkFormat(got string, allowed ...string) error {
	for _, a := range allowed {
		if got == a {
			return nil
		}
	}
	return usageErrorf("unknown --format %q; use one of %s", got, strings.Join(allowed, ", "))
}

type validateReport struct {
	Valid       bool             `json:"valid"`
	Files       int              `json:"files"`
	Experiments int              `json:"experiments"`
	Trials      int              `json:"trials"`
	Diagnostics []diagnosticJSON `json:"diagnostics"`
}

type diagnosticJSON struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Column   int    `json:"column,omitempty"`
}

func runValidate(opts *validateOptions) error {
	f := opts.f
	ws, err := findWorkspace(f.Dir)
	if err != nil {
		return err
	}
	var only []string
	var extra []string
	for _, p := range opts.paths {
		rel, err := ws.rel(f.Dir, p)
		if err != nil {
			return usageError{err}
		}
		info, err := os.Stat(filepath.Join(ws.root, filepath.FromSlash(rel)))
		if err != nil {
			return fmt.Errorf("cannot validate %s: %w", p, err)
		}
		only = append(only, rel)
		if !info.IsDir() && rel != spec.ProjectFile {
			extra = append(extra, rel)
		}
	}
	vv, err := varValues(f, opts.g)
	if err != nil {
		return err
	}
	project, diags := spec.Load(ws.fsys, spec.LoadOptions{Vars: vv, ExtraFiles: extra})
	trials := 0
	if !diags.HasErrors() {
		all, d := spec.ExpandAll(project.Experiments, nil)
		diags = append(diags, d...)
		for i, ts := range all {
			if e := project.Experiments[i]; e.Search() {
				// A search counts the most trials its budget may run.
				trials += e.SearchPoints() * len(e.Seeds)
				continue
			}
			trials += len(ts)
		}
		diags = append(diags, runner.CheckInputs(project)...)
	}
	if len(project.SpecFiles) == 0 {
		diags = append(diags, &hcl.Diagnostic{
			Severity: hcl.DiagWarning,
			Summary:  "No experiment files",
			Detail: fmt.Sprintf("No file matches %s under %s. Create one (assay init writes an example) or change project.experiments in %s.",
				strings.Join(project.Settings.Experiments, ", "), ws.root, spec.ProjectFile),
		})
	}
	diags = filterDiagnostics(diags, only)

	if opts.format == "json" {
		rep := validateReport{
			Valid: !diags.HasErrors(), Files: len(project.SpecFiles),
			Experiments: len(project.Experiments), Trials: trials,
			Diagnostics: []diagnosticJSON{},
		}
		for _, d := range diags {
			rep.Diagnostics = append(rep.Diagnostics, toDiagnosticJSON(d))
		}
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printDiagnostics(f, project.Files, diags)
	}
	if diags.HasErrors() {
		if opts.format != "json" {
			fmt.Fprintf(f.IO.ErrOut, "Invalid: %s.\n", errorsIn(diags))
		}
		return silentError
	}
	if opts.format != "json" {
		fmt.Fprintf(f.IO.Out, "Valid: %s in %s, %s.\n",
			plural(len(project.Experiments), "experiment"), plural(len(project.SpecFiles), "file"), plural(trials, "trial"))
	}
	return nil
}

// filterDiagnostics keeps the diagnostics about the given files or
// directories, and those about no file at all.
func filterDiagnostics(diags hcl.Diagnostics, only []string) hcl.Diagnostics {
	if len(only) == 0 {
		return diags
	}
	var out hcl.Diagnostics
	for _, d := range diags {
		if d.Subject == nil {
			out = append(out, d)
			continue
		}
		for _, p := range only {
			if p == "." || d.Subject.Filename == p || strings.HasPrefix(d.Subject.Filename, p+"/") {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

func toDiagnosticJSON(d *hcl.Diagnostic) diagnosticJSON {
	j := diagnosticJSON{Severity: "error", Summary: d.Summary, Detail: d.Detail}
	if d.Severity == hcl.DiagWarning {
		j.Severity = "warning"
	}
	if d.Subject != nil {
		j.File, j.Line, j.Column = d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column
	}
	return j
}

// errorsIn counts the errors and the files they are in: "3 errors in 1
// file", the counterpart of the "Valid: ..." line.
func errorsIn(diags hcl.Diagnostics) string {
	files := map[string]bool{}
	for _, d := range diags {
		if d.Severity == hcl.DiagError && d.Subject != nil {
			files[d.Subject.Filename] = true
		}
	}
	s := plural(countErrors(diags), "error")
	if len(files) > 0 {
		s += " in " + plural(len(files), "file")
	}
	return s
}

func countErrors(diags hcl.Diagnostics) int {
	n := 0
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			n++
		}
	}
	return n
}

func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
