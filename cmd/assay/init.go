package main

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"
)

// scaffold holds the files assay init writes, under their target paths.
//
//go:embed all:scaffold
var scaffold embed.FS

type initOptions struct {
	f     *Factory
	g     *globalOptions
	force bool
	dir   string
}

func newInitCmd(f *Factory, g *globalOptions) *cobra.Command {
	opts := &initOptions{f: f, g: g}
	cmd := &cobra.Command{
		Use:   "init [DIR]",
		Short: "Scaffold assay.hcl, an example experiment and the GitHub workflow",
		Long: `Write a starting point into DIR (default: the current directory):

  assay.hcl                      project settings
  experiments/example.hcl        an example experiment (a grid over three seeds)
  train_example.py               the script it runs, following the run contract
  .github/workflows/assay.yml    a workflow that calls assay's reusable workflow

Existing files are never overwritten unless --force is given.`,
		Example: `  assay init
  assay init ml-repo --force`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.dir = "."
			if len(args) == 1 {
				opts.dir = args[0]
			}
			return runInit(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.force, "force", false, "overwrite files that already exist")
	return cmd
}

func runInit(opts *initOptions) error {
	f := opts.f
	dir := opts.dir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(f.Dir, dir)
	}
	var files []string
	err := fs.WalkDir(scaffold, "scaffold", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, strings.TrimPrefix(p, "scaffold/"))
		}
		return err
	})
	if err != nil {
		return err
	}
	if !opts.force {
		var exist []string
		for _, rel := range files {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err == nil {
				exist = append(exist, rel)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return err
			}
		}
		if len(exist) > 0 {
			return fmt.Errorf("refusing to overwrite %s; move them away or run assay init --force", strings.Join(exist, ", "))
		}
	}
	for _, rel := range files {
		data, err := scaffold.ReadFile("scaffold/" + rel)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return fmt.Errorf("cannot create %s: %w", filepath.Dir(dst), err)
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return fmt.Errorf("cannot write %s: %w", dst, err)
		}
		fmt.Fprintf(f.IO.Out, "wrote %s\n", displayPath(f.Dir, dst))
	}
	fmt.Fprintln(f.IO.Out, "\nNext: assay validate, assay plan --all, then commit and open a pull request.")
	return nil
}
