package main

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

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
