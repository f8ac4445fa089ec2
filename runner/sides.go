package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

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

// pullRequestEvent is the part of a GitHub pull_request event payload
// the plan reads.
type pullRequestEvent struct {
	PullRequest *struct {
		Number int `json:"number"`
		Base   struct {
			Ref string `json:"ref"`
			SHA string `json:"sha"`
		} `json:"base"`
		Head struct {
			Ref string `json:"ref"`
			SHA string `json:"sha"`
		} `json:"head"`
	} `json:"pull_request"`
}

// readPullRequestEvent returns the pull request of a GitHub Actions
// pull_request (or pull_request_target) run, or nil outside one.
func readPullRequestEvent(getenv func(string) string) (*pullRequestEvent, error) {
	if getenv == nil {
		return nil, nil
	}
	switch getenv("GITHUB_EVENT_NAME") {
	case "pull_request", "pull_request_target":
	default:
		return nil, nil
	}
	path := getenv("GITHUB_EVENT_PATH")
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the GitHub event (GITHUB_EVENT_PATH): %w", err)
	}
	var ev pullRequestEvent
	if err := json.Unmarshal(b, &ev); err != nil {
		return nil, fmt.Errorf("reading the GitHub event %s: %w", path, err)
	}
	if ev.PullRequest == nil || ev.PullRequest.Base.SHA == "" || ev.PullRequest.Head.SHA == "" {
		return nil, fmt.Errorf("the GitHub event %s has no pull_request with base and head commits", path)
	}
	return &ev, nil
}

// sideRequest is what resolveSides is asked.
type sideRequest struct {
	base, head string
	getenv     func(string) string
	// baseOptional: a base that cannot be found means no base, not an
	// error (plans that select by --all or --scheduled).
	baseOptional bool
}

// resolveSides picks the commits to compare. Head: --head, else the pull
// request's head commit inside a GitHub Actions pull_request run, else
// the working tree. Base: --base, else the pull request's fork point
// (the merge-base of its base and head commits, what GitHub's "Files
// changed" shows), else the merge-base of the head (HEAD for the working
// tree) with the default branch.
func resolveSides(repo *gitrepo.Repo, req sideRequest) (base, head Side, err error) {
	ev, err := readPullRequestEvent(req.getenv)
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
	case ev != nil:
		pr := ev.PullRequest
		h, err := repo.Resolve(pr.Head.SHA)
		if err != nil {
			return base, head, revisionError("the pull request's head", pr.Head.SHA, err)
		}
		head, headCommit = Side{Kind: SideCommit, Rev: pr.Head.Ref, Commit: h.String(), Source: "github-event"}, h
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
	case ev != nil:
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
		return Side{Kind: SideCommit, Rev: pr.Base.Ref, Commit: b.String(), Source: "github-event"}, head, nil
	}

	base, err = defaultBase(repo, headCommit)
	if err != nil && req.baseOptional {
		return Side{Kind: SideNone, Source: "none"}, head, nil
	}
	return base, head, err
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
