package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/assaylab/assay/runner/spool"
	"github.com/assaylab/assay/spec"
)

// workspace is the repository a command works on.
type workspace struct {
	// root holds assay.hcl, or is the top of the git work tree, or the
	// starting directory when neither is found.
	root string
	// fsys reads the working tree and cannot leave root, not even through
	// a symlink.
	fsys fs.FS
}

// findWorkspace walks up from dir to the directory that holds assay.hcl,
// stopping at the top of the git work tree.
func findWorkspace(dir string) (*workspace, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if info, err := os.Stat(abs); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", dir)
	}
	root := abs
	for d := abs; ; {
		if exists(filepath.Join(d, spec.ProjectFile)) {
			root = d
			break
		}
		if exists(filepath.Join(d, ".git")) {
			root = d
			break
		}
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return nil, err
	}
	return &workspace{root: root, fsys: r.FS()}, nil
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// rel turns a path given on the command line (relative to the starting
// directory) into a path relative to the workspace root.
func (w *workspace) rel(startDir, p string) (string, error) {
	if !filepath.IsAbs(p) {
		p = filepath.Join(startDir, p)
	}
	r, err := filepath.Rel(w.root, p)
	if err != nil || r == ".." || (len(r) > 2 && r[:3] == ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the project at %s", p, w.root)
	}
	return filepath.ToSlash(r), nil
}

// varValues collects -var flags and the environment for spec variables.
func varValues(f *Factory, g *globalOptions) (spec.VarValues, error) {
	vv := spec.VarValues{Flags: map[string]string{}, Env: f.Environ()}
	for _, kv := range g.vars {
		k, v, err := spec.ParseVarFlag(kv)
		if err != nil {
			return vv, usageError{err}
		}
		vv.Flags[k] = v
	}
	return vv, nil
}

// loadProject loads the workspace's specs and prints every diagnostic. It
// returns silentError when there are errors, so the caller exits 1.
func loadProject(f *Factory, g *globalOptions, ws *workspace, extra []string) (*spec.Project, error) {
	vv, err := varValues(f, g)
	if err != nil {
		return nil, err
	}
	p, diags := spec.Load(ws.fsys, spec.LoadOptions{Vars: vv, ExtraFiles: extra})
	printDiagnostics(f, p.Files, diags)
	if diags.HasErrors() {
		return p, silentError
	}
	return p, nil
}

// adoptPreGitRuns moves the runs a project kept in .assay/spool before it
// was a git repository (under any of roots, "" skipped) into sp, the
// repository's spool, where they are recorded like any other, and says
// so.
func adoptPreGitRuns(f *Factory, sp *spool.Spool, roots ...string) error {
	seen := map[string]bool{}
	for _, root := range roots {
		if root == "" || seen[root] {
			continue
		}
		seen[root] = true
		dir := spool.PreGitDir(root)
		n, err := sp.Adopt(dir)
		if err != nil {
			return fmt.Errorf("moving the runs kept in %s into %s: %w; move them by hand, then run assay sync", dir, sp.Dir, err)
		}
		if n > 0 {
			fmt.Fprintf(f.IO.ErrOut, "Found %s kept in %s from before this was a git repository; they move to %s and are recorded with the next results.\n",
				plural(n, "run"), relTo(f.Dir, dir), relTo(f.Dir, sp.Dir))
		}
	}
	return nil
}

// existingSpool opens the spool at dir when there is one, without
// creating it.
func existingSpool(dir string) (*spool.Spool, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, nil
	}
	return spool.Open(dir)
}

// claimStateDir marks the state folder as used by this assay run and says
// what killed runs left there and was removed. release ends the claim.
func claimStateDir(f *Factory, stateDir string) (release func(), err error) {
	removed, release, err := spool.Claim(stateDir)
	if err != nil {
		return nil, fmt.Errorf("preparing %s: %w", stateDir, err)
	}
	if len(removed) > 0 {
		fmt.Fprintf(f.IO.ErrOut, "Removed %s that earlier runs left in %s when they were killed before their trials were recorded.\n",
			plural(len(removed), "unfinished trial folder"), relTo(f.Dir, stateDir))
	}
	return release, nil
}

// relTo is p relative to dir when it lies below it, else p.
func relTo(dir, p string) string {
	rel, err := filepath.Rel(dir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return p
	}
	return rel
}
