// Package gitrepo reads a git repository the way assay's plan needs it:
// without a checkout and without the git binary.
//
// A Repo is opened with go-git, and reads packed objects through its
// own pack reader (packs.go): packs and their indexes mapped into memory,
// objects found by binary search as git finds them, go-git for the rest.
// Revisions resolve the way git rev-parse
// resolves them (branches, tags, full and short SHAs, HEAD~n), and errors
// say what to do: an unknown revision, a base that a shallow clone lacks
// ("fetch-depth: 0"), a repository with no commits.
//
// A Snapshot is the content of one side of a comparison: a commit's tree
// or the working tree. Both answer the same three questions (what is at
// this path, what is in this directory, what are this file's bytes), and
// both give every entry its git object id: blob ids for files, tree ids
// (Merkle hashes of everything below) for directories. A commit's ids are
// read from its tree objects; the working tree's are computed the way git
// computes them, reusing the index's ids for files whose size and mtime
// match, so an unchanged file is never read and uncommitted edits count.
// Ignored files that git does not track are not part of the working tree
// snapshot, exactly as they would not be part of a commit made from it.
//
// FS turns a Snapshot into an fs.FS, so spec.Load reads specs at a commit
// exactly as it reads them on disk; for a commit it also gives each file's
// blob id (spec.ContentIDFS), so a load need not read a file it has parsed.
package gitrepo
