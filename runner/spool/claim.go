package spool

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// RunsDir is the folder under the state directory where the local
// executor keeps each running trial's working files (runs/<run-id>). The
// executor removes a trial's folder once the spool holds its run; a
// folder still there when no assay is running belongs to a trial whose
// assay was killed.
const RunsDir = "runs"

// Claim marks stateDir as in use by a running assay until release is
// called. When no other assay holds it, Claim first removes what killed
// runs left there: the working folders under runs/ and half-written
// spool entries. It returns the folders it removed, for the user to be
// told. Another assay running in the same clone (a second shard, say)
// keeps its folders: Claim then removes nothing.
//
// The claim is a lock on stateDir/running.lock, shared by every running
// assay and taken exclusively only for the cleanup; the kernel drops it
// when a process dies, even by kill -9, so a killed run never blocks the
// next one.
func Claim(stateDir string) (removed []string, release func(), err error) {
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return nil, nil, err
	}
	if err := ignoreStateDir(stateDir); err != nil {
		return nil, nil, err
	}
	l, alone, err := lockShared(filepath.Join(stateDir, "running.lock"))
	if err != nil {
		return nil, nil, err
	}
	if alone {
		removed = removeLeftovers(stateDir)
		l.share()
	}
	return removed, l.release, nil
}

// removeLeftovers removes every folder under runs/ and every unfinished
// entry (.tmp-*) of the spool; nothing may be using them.
func removeLeftovers(stateDir string) []string {
	var removed []string
	for _, pattern := range []string{filepath.Join(stateDir, RunsDir, "*"), filepath.Join(stateDir, "spool", ".tmp-*")} {
		matches, _ := filepath.Glob(pattern)
		for _, m := range matches {
			if info, err := os.Lstat(m); err != nil || !info.IsDir() {
				continue
			}
			if os.RemoveAll(m) == nil {
				removed = append(removed, m)
			}
		}
	}
	sort.Strings(removed)
	return removed
}

// ignoreStateDir keeps the state directory out of git when it is the
// .assay folder assay uses outside a repository: once `git init` makes
// the folder a repository, `git add -A` must not stage runs and logs.
// Under .git nothing needs ignoring.
func ignoreStateDir(stateDir string) error {
	if filepath.Base(stateDir) != PreGitStateDir {
		return nil
	}
	p := filepath.Join(stateDir, ".gitignore")
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	return os.WriteFile(p, []byte("# assay's local state (runs waiting to be recorded): never committed.\n*\n"), 0o644)
}

// PreGitStateDir is the folder assay keeps its state in outside a git
// repository.
const PreGitStateDir = ".assay"

// PreGitDir is the spool of a project that is not (or was not yet) a git
// repository: <root>/.assay/spool.
func PreGitDir(root string) string {
	return filepath.Join(root, PreGitStateDir, "spool")
}

// Adopt moves into s the runs of the spool at dir: the runs a project
// kept in .assay/spool before `git init`, so they are recorded like any
// other. A run s already holds is dropped from dir; unfinished entries
// are dropped too. dir, and the .assay folder around it, are removed once
// nothing else is left in them. It returns how many runs moved.
func (s *Spool) Adopt(dir string) (int, error) {
	if filepath.Clean(dir) == filepath.Clean(s.Dir) {
		return 0, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		if os.IsNotExist(err) {
			return 0, nil
		}
		return 0, err
	}
	moved := 0
	for _, e := range entries {
		src := filepath.Join(dir, e.Name())
		if !e.IsDir() {
			continue
		}
		if strings.HasPrefix(e.Name(), ".") {
			os.RemoveAll(src)
			continue
		}
		dst := filepath.Join(s.Dir, e.Name())
		if _, err := os.Stat(dst); err == nil {
			os.RemoveAll(src)
			continue
		}
		if err := os.Rename(src, dst); err != nil {
			return moved, err
		}
		moved++
	}
	if moved > 0 {
		syncDir(s.Dir)
		s.mu.Lock()
		s.succeeded = nil // read again, with the runs that moved in
		s.mu.Unlock()
	}
	removeIfEmpty(dir)
	state := filepath.Dir(dir)
	if filepath.Base(state) == PreGitStateDir {
		removeIfEmpty(filepath.Join(state, RunsDir))
		lock := filepath.Join(state, "running.lock")
		if l, alone, err := lockShared(lock); err == nil {
			if alone {
				os.Remove(lock)
			}
			l.release()
		}
		if entries, err := os.ReadDir(state); err == nil && len(entries) == 1 && entries[0].Name() == ".gitignore" {
			os.RemoveAll(state)
		}
	}
	return moved, nil
}

func removeIfEmpty(dir string) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) == 0 {
		os.Remove(dir)
	}
}
