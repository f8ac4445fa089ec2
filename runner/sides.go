package runner

import (
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/assaylab/assay/runner/gitrepo"
)

// SideKind says what one side of a plan was read from.
type SideKind string

// The kinds of side.
const (
	// SideCommit: a commit's tree, read from git objects.
	SideCommit SideKind = "commit"
	// SideWorktree: the files on disk, uncommitted edits included.
	SideWorktree SideKind = "worktree"
	// SideNone: nothing (no base was asked for or could be found); every
	// experiment of the other side counts as added.
	SideNone SideKind = "none"
)

// Side describes one end of a plan's comparison.
type Side struct {
	Kind SideKind `json:"kind"`
	// Rev is the revision as the user or the environment named it
	// ("main", "HEAD~1", "origin/main"), or "".
	Rev string `json:"rev,omitempty"`
	// Commit is the full commit id. For the working tree it is the commit
	// HEAD points at (what the edits sit on), or "" before the first commit.
	Commit string `json:"commit,omitempty"`
	// Source says how the side was chosen: "flag", "merge-base",
	// "github-event", "working-tree" or "none".
	Source string `json:"source"`
	// Event is the GitHub Actions event that chose the side
	// ("pull_request", "push", "workflow_dispatch") when Source is
	// "github-event".
	Event string `json:"event,omitempty"`
	// Reason says why a base is not what its event would name: a push
	// that created its branch or rewrote it, a manual run on the default
	// branch. "" otherwise.
	Reason string `json:"reason,omitempty"`
}

// String names the side for people: "working tree", "main (1a2b3c4d5e6f)",
// "none".
func (s Side) String() string {
	switch s.Kind {
	case SideWorktree:
		return "working tree"
	case SideNone:
		return "none"
	}
	c := s.Commit
	if len(c) > 12 {
		c = c[:12]
	}
	if s.Rev == "" || s.Rev == s.Commit {
		return c
	}
	return fmt.Sprintf("%s (%s)", s.Rev, c)
}

// sideRequest is what resolveSides is asked.
type sideRequest struct {
	base, head string
	getenv     func(string) string
	// baseOptional: a base that cannot be found means no base, not an
	// error (plans that select by --all or --scheduled).
	baseOptional bool
}

// resolveSides picks the commits to compare (docs/plan.md, "Base and
// head"). Head: --head, else the commit the GitHub event names (a pull
// request's head, a push's after), else the working tree. Base: --base,
// else what the event names: a pull request's fork point (the merge-base
// of its base and head commits, what GitHub's "Files changed" shows), a
// push's before commit (pushBase), nothing for a manual run on the
// default branch; else the merge-base of the head (HEAD for the working
// tree) with the default branch.
func resolveSides(repo *gitrepo.Repo, req sideRequest) (base, head Side, err error) {
	ev, err := readGitHubEvent(req.getenv)
	if err != nil {
		return base, head, err
	}
	var headCommit plumbing.Hash
	switch {
	case req.head != "":
		h, err := repo.Resolve(req.head)
		if err != nil {
			return base, head, revisionError("--head", req.head, err)
		}
		head, headCommit = Side{Kind: SideCommit, Rev: req.head, Commit: h.String(), Source: "flag"}, h
	case ev.isPullRequest():
		pr := ev.PullRequest
		h, err := repo.Resolve(pr.Head.SHA)
		if err != nil {
			return base, head, revisionError("the pull request's head", pr.Head.SHA, err)
		}
		head, headCommit = Side{Kind: SideCommit, Rev: pr.Head.Ref, Commit: h.String(), Source: "github-event", Event: ev.name}, h
	case ev.isPush():
		h, err := repo.Resolve(ev.After)
		if err != nil {
			return base, head, revisionError("the push's after commit", ev.After, err)
		}
		head, headCommit = Side{Kind: SideCommit, Rev: ev.branch(), Commit: h.String(), Source: "github-event", Event: ev.name}, h
	default:
		head = Side{Kind: SideWorktree, Source: "working-tree"}
		if h, err := repo.Head(); err == nil {
			head.Commit, headCommit = h.String(), h
		}
	}

	switch {
	case req.base != "":
		h, err := repo.Resolve(req.base)
		if err != nil {
			return base, head, revisionError("--base", req.base, err)
		}
		return Side{Kind: SideCommit, Rev: req.base, Commit: h.String(), Source: "flag"}, head, nil
	case ev.isPullRequest():
		pr := ev.PullRequest
		b, err := repo.Resolve(pr.Base.SHA)
		if err == nil {
			b, err = repo.MergeBase(b, headCommit)
		}
		if err != nil {
			if req.baseOptional {
				return Side{Kind: SideNone, Source: "none"}, head, nil
			}
			return base, head, revisionError("the pull request's base", pr.Base.SHA, err)
		}
		return Side{Kind: SideCommit, Rev: pr.Base.Ref, Commit: b.String(), Source: "github-event", Event: ev.name}, head, nil
	case ev.isPush():
		base, err = pushBase(repo, ev, headCommit)
		if err != nil && req.baseOptional {
			return Side{Kind: SideNone, Source: "none"}, head, nil
		}
		return base, head, err
	case ev.isDispatch() && ev.onDefaultBranch(repo):
		return Side{Kind: SideNone, Source: "github-event", Event: ev.name,
			Reason: fmt.Sprintf("a manual run on the default branch (%s) has no change to compare", ev.branch())}, head, nil
	}

	base, err = defaultBase(repo, headCommit)
	if err != nil && req.baseOptional {
		return Side{Kind: SideNone, Source: "none"}, head, nil
	}
	return base, head, err
}

// pushBase is the base of a push: its before commit, when that is an
// ancestor of the after commit here. Otherwise (the push created the
// branch, or a force-push rewrote it, so before is gone or off to the
// side) the base is none on the default branch (every experiment at the
// head counts as added, so every trial without a succeeded record runs:
// the default branch's results stay complete whatever the push dropped),
// and on any other branch the merge-base with the default branch, as a
// pull request from it would compare. A before commit cut off by a
// shallow clone is an error, not a fallback: the fix is fetch-depth: 0.
func pushBase(repo *gitrepo.Repo, ev *githubEvent, after plumbing.Hash) (Side, error) {
	var reason string
	switch b, err := repo.Resolve(ev.Before); {
	case ev.Before == "" || zeroSHA(ev.Before):
		reason = fmt.Sprintf("the push created %s", ev.branch())
	case errors.Is(err, gitrepo.ErrShallow):
		return Side{}, revisionError("the push's before commit", ev.Before, err)
	case err != nil:
		reason = fmt.Sprintf("the push's before commit %.12s is not in this clone (a force-push rewrote %s)", ev.Before, ev.branch())
	default:
		mb, err := repo.MergeBase(b, after)
		if errors.Is(err, gitrepo.ErrShallow) {
			return Side{}, revisionError("the push's before commit", ev.Before, err)
		}
		if err == nil && mb == b {
			return Side{Kind: SideCommit, Rev: ev.branch(), Commit: b.String(), Source: "github-event", Event: ev.name}, nil
		}
		reason = fmt.Sprintf("the push's before commit %.12s is not an ancestor of its after commit (a force-push rewrote %s)", ev.Before, ev.branch())
	}
	if ev.onDefaultBranch(repo) {
		return Side{Kind: SideNone, Source: "github-event", Event: ev.name, Reason: reason}, nil
	}
	s, err := defaultBase(repo, after)
	s.Reason = reason
	return s, err
}

// defaultBase is the merge-base of head with the default branch.
func defaultBase(repo *gitrepo.Repo, head plumbing.Hash) (Side, error) {
	if head.IsZero() {
		return Side{}, fmt.Errorf("the repository has no commits yet, so there is no base to compare with: " +
			"commit your specs first, or plan every experiment with --all")
	}
	name, tip, err := repo.DefaultBranch()
	if err != nil {
		return Side{}, fmt.Errorf("cannot choose a base: there is no origin/HEAD, main or master branch; " +
			"name one with --base (a branch, tag or commit)")
	}
	mb, err := repo.MergeBase(head, tip)
	if err != nil {
		return Side{}, revisionError("the merge-base of HEAD and", name, err)
	}
	return Side{Kind: SideCommit, Rev: name, Commit: mb.String(), Source: "merge-base"}, nil
}

// revisionError explains a revision that could not be used, and what to
// do. The cause stays available to errors.Is; its text would only repeat.
func revisionError(what, rev string, err error) error {
	var msg string
	switch {
	case errors.Is(err, gitrepo.ErrShallow):
		msg = fmt.Sprintf("%s %s is not in this clone because the clone is shallow (history is cut off); "+
			"in GitHub Actions set fetch-depth: 0 on actions/checkout, elsewhere run git fetch --unshallow", what, rev)
	case errors.Is(err, gitrepo.ErrNoCommits):
		msg = fmt.Sprintf("%s %s: the repository has no commits yet; commit your specs first, or plan every experiment with --all", what, rev)
	case errors.Is(err, gitrepo.ErrUnknownRevision):
		msg = fmt.Sprintf("%s %q names no branch, tag or commit in this repository; check the spelling, or git fetch it first", what, rev)
	default:
		msg = fmt.Sprintf("%s %s: %s", what, rev, err)
	}
	return &explainedError{msg: msg, err: err}
}

// explainedError is a message written for the user over a cause kept for
// errors.Is.
type explainedError struct {
	msg string
	err error
}

func (e *explainedError) Error() string { return e.msg }
func (e *explainedError) Unwrap() error { return e.err }
