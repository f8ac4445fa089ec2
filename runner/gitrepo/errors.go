package gitrepo

import "errors"

// Errors callers test for with errors.Is.
var (
	// ErrNotRepository: the directory is not inside a git work tree.
	ErrNotRepository = errors.New("not a git repository")
	// ErrNoCommits: the repository has no commit yet (HEAD is unborn).
	ErrNoCommits = errors.New("the repository has no commits yet")
	// ErrUnknownRevision: a revision names no branch, tag or commit here.
	ErrUnknownRevision = errors.New("unknown revision")
	// ErrShallow: history the operation needs is cut off by a shallow
	// clone.
	ErrShallow = errors.New("history missing from a shallow clone")
	// ErrNoDefaultBranch: neither origin/HEAD nor main nor master exists.
	ErrNoDefaultBranch = errors.New("no default branch")

	errIsDir = errors.New("is a directory")
)
