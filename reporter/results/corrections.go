package results

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
)

// Correction is what someone else changed on the remote results branch
// behind this clone's back: files under runs/ that this clone had fetched
// and that the remote no longer has (Deleted) or holds with other content
// (Changed). assay only ever adds files, so either is a rewrite of the
// branch by a person or another tool. The remote's version is what every
// reader sees from then on, and nothing deleted is put back; this clone's
// copy is kept under the ref Kept, so nothing is lost and the two can be
// compared with git.
type Correction struct {
	Remote  string
	Deleted []string
	Changed []string
	// Kept is the ref that keeps the branch as this clone last fetched
	// it: refs/assay/original/<branch>/<commit>.
	Kept string
	// Branch is the results branch's short name.
	Branch string
	// GitDir is the repository that holds Kept when it is not the code
	// repository (results_repo), for the git commands in the message.
	GitDir string
}

// Records counts the run records among the deleted and changed files.
func (c Correction) Records() (deleted, changed int) {
	for _, p := range c.Deleted {
		if _, ok := ParseRecordPath(p); ok {
			deleted++
		}
	}
	for _, p := range c.Changed {
		if _, ok := ParseRecordPath(p); ok {
			changed++
		}
	}
	return deleted, changed
}

// String is the warning a user reads.
func (c Correction) String() string {
	var b strings.Builder
	git := "git"
	if c.GitDir != "" {
		git = "git --git-dir " + c.GitDir
	}
	fmt.Fprintf(&b, "the results branch %s on %s was rewritten by someone else since this clone last fetched it:", c.Branch, c.Remote)
	list := func(what string, paths []string) {
		if len(paths) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n  %s %s:", countNoun(len(paths), "file"), what)
		shown := paths
		if len(shown) > 10 {
			shown = shown[:10]
		}
		for _, p := range shown {
			fmt.Fprintf(&b, "\n    %s", p)
		}
		if len(paths) > len(shown) {
			fmt.Fprintf(&b, "\n    ... and %d more", len(paths)-len(shown))
		}
	}
	list("deleted", c.Deleted)
	list("changed", c.Changed)
	fmt.Fprintf(&b, "\n  assay follows the remote and puts nothing back. This clone's copy is kept at %s;\n  compare with: %s diff --stat %s %s -- %s/", c.Kept, git, c.Kept, c.Branch, RunsDir)
	return b.String()
}

// SetWarnings sends the store's warnings (corrections found when the
// remote is fetched) to w instead of standard error.
func (s *Store) SetWarnings(w io.Writer) { s.warnings = w }

func (s *Store) warn(msg string) {
	w := s.warnings
	if w == nil {
		w = os.Stderr
	}
	fmt.Fprintf(w, "warning: %s\n", msg)
}

// originalRef is where a clone keeps the remote tip it had last fetched
// when it finds the remote rewritten.
func (s *Store) originalRef(seen plumbing.Hash) plumbing.ReferenceName {
	return plumbing.ReferenceName("refs/assay/original/" + s.branch.Short() + "/" + seen.String()[:12])
}

// correctionsSince compares seen, the remote tip this clone last fetched,
// with remote, the tip the remote has now. Writers only add files, so
// any file under runs/ that seen has and remote lacks or holds with other
// content was removed or rewritten by someone else. It returns nil when
// nothing was.
func (s *Store) correctionsSince(seen, remote plumbing.Hash) (*Correction, error) {
	seenTree, err := s.treeOf(seen)
	if err != nil {
		return nil, err
	}
	remoteTree, err := s.treeOf(remote)
	if err != nil {
		return nil, err
	}
	added, removed, err := diffFiles(s.repo.Storer, seenTree, remoteTree)
	if err != nil {
		return nil, fmt.Errorf("comparing the results branch with the remote's: %w", err)
	}
	now := map[string]bool{}
	for _, a := range added {
		now[a.Path] = true
	}
	c := &Correction{Remote: s.remoteURL, Branch: s.branch.Short()}
	for _, r := range removed {
		if !strings.HasPrefix(r.Path, RunsDir+"/") || Replaceable(r.Path) {
			continue
		}
		if now[r.Path] {
			c.Changed = append(c.Changed, r.Path)
		} else {
			c.Deleted = append(c.Deleted, r.Path)
		}
	}
	if len(c.Deleted) == 0 && len(c.Changed) == 0 {
		return nil, nil
	}
	sort.Strings(c.Deleted)
	sort.Strings(c.Changed)
	c.Kept = s.originalRef(seen).String()
	if s.gitDir != "" && s.opts.ResultsRepo != "" {
		c.GitDir = s.gitDir
	}
	// The ref keeps seen's commits, and with them this clone's copy of
	// every file the remote dropped or changed, out of reach of gc.
	ref := plumbing.NewHashReference(s.originalRef(seen), seen)
	if err := s.repo.Storer.SetReference(ref); err != nil {
		return nil, fmt.Errorf("keeping this clone's copy of the results branch at %s: %w", ref.Name(), err)
	}
	return c, nil
}

// seenRef remembers the remote tip this clone last fetched or pushed.
// The remote-tracking ref is not enough: a plain `git fetch` moves it too,
// and would hide a rewrite from the next comparison.
func (s *Store) seenRef() plumbing.ReferenceName {
	return plumbing.ReferenceName("refs/assay/seen/" + s.branch.Short())
}

// lastSeen is the remote tip this clone last fetched or pushed: the
// private ref, or the remote-tracking ref for a clone that has none yet.
func (s *Store) lastSeen() (plumbing.Hash, error) {
	h, err := s.refHash(s.seenRef())
	if err != nil || !h.IsZero() {
		return h, err
	}
	return s.refHash(s.tracking)
}

// setSeen moves the remote-tracking ref and the private one to remote
// (zero: the remote has no results branch).
func (s *Store) setSeen(remote plumbing.Hash) error {
	for _, name := range []plumbing.ReferenceName{s.tracking, s.seenRef()} {
		var err error
		if remote.IsZero() {
			err = s.repo.Storer.RemoveReference(name)
		} else {
			err = s.repo.Storer.SetReference(plumbing.NewHashReference(name, remote))
		}
		if err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
			return fmt.Errorf("updating %s: %w", name, err)
		}
	}
	return nil
}

// adopt takes remote, the tip download found (zero when the remote has
// no results branch), as the new remote-tracking tip: it reports what
// someone else deleted or changed there since the last fetch, puts the
// outbox on top of remote, and moves the remote-tracking ref last, so a
// crash in between only makes the next fetch do it again. It returns the
// new local tip. The caller holds the lock.
func (s *Store) adopt(remote plumbing.Hash) (plumbing.Hash, error) {
	seen, err := s.lastSeen()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if !seen.IsZero() && seen != remote {
		c, err := s.correctionsSince(seen, remote)
		if err != nil {
			return plumbing.ZeroHash, err
		}
		if c != nil {
			s.corrections = append(s.corrections, *c)
			s.warn(c.String())
		}
	}
	local, err := s.integrate(remote, seen)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	return local, s.setSeen(remote)
}
