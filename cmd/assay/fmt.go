package main

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/assaylab/assay/spec"
)

type fmtOptions struct {
	f     *Factory
	g     *globalOptions
	check bool
	paths []string
}

func newFmtCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &fmtOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "fmt [-check] [PATH...]",
		Short: "Rewrite spec files in canonical HCL layout",
		Long: `Rewrite assay.hcl and the experiment files in canonical layout, in place,
and print the name of each file changed. PATHs may be files or directories
(every .hcl file below). With -check, nothing is written: the files that need
formatting are listed and assay exits 1 if there are any.`,
		Example: `  assay fmt
  assay fmt -check
  assay fmt experiments/`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.paths = args
			return runFmt(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.check, "check", false, "list unformatted files and exit 1 if any, without writing (also -check)")
	return cmd
}

func runFmt(opts *fmtOptions) error {
	f := opts.f
	ws, err := findWorkspace(f.Dir)
	if err != nil {
		return err
	}
	files, err := fmtTargets(opts, ws)
	if err != nil {
		return err
	}
	all := map[string]*hcl.File{}
	var diags hcl.Diagnostics
	var unformatted []string
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("cannot read %s: %w", path, err)
		}
		name := displayPath(f.Dir, path)
		out, d := spec.Format(src, name)
		if d.HasErrors() {
			all[name] = &hcl.File{Bytes: src}
			diags = append(diags, d...)
			continue
		}
		if bytes.Equal(src, out) {
			continue
		}
		unformatted = append(unformatted, name)
		if !opts.check {
			info, err := os.Stat(path)
			if err != nil {
				return err
			}
			if err := os.WriteFile(path, out, info.Mode().Perm()); err != nil {
				return fmt.Errorf("cannot write %s: %w", path, err)
			}
		}
		fmt.Fprintln(f.IO.Out, name)
	}
	printDiagnostics(f, all, diags)
	if diags.HasErrors() {
		return silentError
	}
	if opts.check && len(unformatted) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "%s not formatted; run assay fmt to fix.\n", plural(len(unformatted), "file"))
		return silentError
	}
	return nil
}

// fmtTargets lists the absolute paths of the files to format.
func fmtTargets(opts *fmtOptions, ws *workspace) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	if len(opts.paths) == 0 {
		p, _ := spec.Load(ws.fsys, spec.LoadOptions{})
		if p.HasProjectFile {
			add(filepath.Join(ws.root, spec.ProjectFile))
		}
		for _, s := range p.SpecFiles {
			add(filepath.Join(ws.root, filepath.FromSlash(s)))
		}
		return out, nil
	}
	for _, arg := range opts.paths {
		p := arg
		if !filepath.IsAbs(p) {
			p = filepath.Join(opts.f.Dir, p)
		}
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("cannot format %s: %w", arg, err)
		}
		if !info.IsDir() {
			add(p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && d.Name() == ".git" {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(d.Name(), ".hcl") {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		sort.Strings(found)
		for _, p := range found {
			add(p)
		}
	}
	return out, nil
}

// displayPath shows p relative to the starting directory when it is below it.
func displayPath(dir, p string) string {
	if r, err := filepath.Rel(dir, p); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return p
}
