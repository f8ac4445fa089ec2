package spool

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"github.com/assaylab/assay/runner"
)

// DefaultDir is where a repository's spool lives: <git dir>/assay/spool,
// so it is never committed and survives checkouts; outside a git
// repository (or when the git directory cannot be found),
// <root>/.assay/spool.
func DefaultDir(root string) string {
	return filepath.Join(StateDir(root), "spool")
}

// StateDir is the directory assay keeps local state in for the
// repository at root: <git dir>/assay, or <root>/.assay outside git. A
// worktree's .git file is followed to its own git directory.
func StateDir(root string) string {
	dotgit := filepath.Join(root, ".git")
	info, err := os.Stat(dotgit)
	switch {
	case err == nil && info.IsDir():
		return filepath.Join(dotgit, "assay")
	case err == nil:
		if dir := readGitdirFile(dotgit); dir != "" {
			return filepath.Join(dir, "assay")
		}
	}
	return filepath.Join(root, ".assay")
}

// readGitdirFile reads the "gitdir: PATH" line of a worktree's .git file.
func readGitdirFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	const prefix = "gitdir: "
	s := string(b)
	if len(s) < len(prefix) || s[:len(prefix)] != prefix {
		return ""
	}
	dir := s[len(prefix):]
	for len(dir) > 0 && (dir[len(dir)-1] == '\n' || dir[len(dir)-1] == '\r') {
		dir = dir[:len(dir)-1]
	}
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(filepath.Dir(path), dir)
	}
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return ""
	}
	return dir
}

// Recorded implements runner.Recorded: it reports whether the spool holds
// a succeeded run of key. This is what lets a rerun after a crash skip
// the trials that finished before it, before the results branch has
// them.
func (s *Spool) Recorded(key string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.succeeded == nil {
		s.succeeded = s.scan()
	}
	return s.succeeded[key]
}

// scan reads the status and key of every spooled run; s.mu is held.
// Unreadable runs are skipped: at worst their trials run again.
func (s *Spool) scan() map[string]bool {
	keys := map[string]bool{}
	entries, err := os.ReadDir(s.Dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return keys
	}
	for _, e := range entries {
		if !e.IsDir() || e.Name()[0] == '.' {
			continue
		}
		b, err := os.ReadFile(filepath.Join(s.Dir, e.Name(), ResultFile))
		if err != nil {
			continue
		}
		var r struct {
			TrialKey string        `json:"trial_key"`
			Status   runner.Status `json:"status"`
		}
		if json.Unmarshal(b, &r) == nil && r.Status == runner.StatusSucceeded {
			keys[r.TrialKey] = true
		}
	}
	return keys
}

// noteSucceeded keeps the Recorded index current after a Put.
func (s *Spool) noteSucceeded(r *runner.Result) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.succeeded != nil && r.Status == runner.StatusSucceeded {
		s.succeeded[r.TrialKey] = true
	}
}
