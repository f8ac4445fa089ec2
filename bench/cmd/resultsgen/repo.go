package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/assaylab/assay/reporter/results"
)

// writeRepo writes the branch straight into the git repository gitDir as
// one pack: the blobs, trees and commits git fast-import would make of
// the stream, found and compressed without a delta search (a tree's new
// version is a delta of its last, each blob a delta of the one of its
// kind before it), so a million runs take minutes. The branches must not
// exist yet.
func writeRepo(gitDir string, g *gen, o batchOptions, branch, mainBranch string) error {
	for _, ref := range []string{branch, mainBranch} {
		if ref == "" {
			continue
		}
		if exists, err := refExists(gitDir, ref); err != nil || exists {
			if err == nil {
				err = fmt.Errorf("%s already exists in %s; write to a new repository (or add runs with the fast-import stream)", ref, gitDir)
			}
			return err
		}
	}
	p, err := newPackWriter(gitDir)
	if err != nil {
		return err
	}
	refs := map[string]plumbing.Hash{}
	if err := writeObjects(p, g, o, branch, mainBranch, refs); err != nil {
		p.abort()
		return err
	}
	if _, err := p.finish(); err != nil {
		return err
	}
	for ref, h := range refs {
		path := filepath.Join(gitDir, filepath.FromSlash(ref))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(h.String()+"\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

var errStopped = errors.New("stopped")

func writeObjects(p *packWriter, g *gen, o batchOptions, branch, mainBranch string, refs map[string]plumbing.Hash) error {
	if mainBranch != "" {
		if h, _, err := p.put(plumbing.TreeObject, nil, nil, stored{}); err != nil || h.String() != emptyTree {
			return fmt.Errorf("writing the empty tree: %v", err)
		}
		for k := range (o.start + o.n + 99) / 100 {
			body, _, _ := mainCommit(k, g.mainCommits)
			h, _, err := p.put(plumbing.CommitObject, []byte(body), nil, stored{})
			if err != nil {
				return err
			}
			g.mainCommits = append(g.mainCommits, h.String())
			refs[mainBranch] = h
		}
	}
	// The runs are made and encoded while the pack is written.
	batches := make(chan *batch, 2)
	stop := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- g.batches(o, func(b *batch) error {
			select {
			case batches <- b:
				return nil
			case <-stop:
				return errStopped
			}
		})
		close(batches)
	}()
	root := newTree()
	var parent plumbing.Hash
	for b := range batches {
		var err error
		if parent, err = writeCommit(p, root, parent, b); err != nil {
			close(stop)
			for range batches {
			}
			<-done
			return err
		}
	}
	if err := <-done; err != nil {
		return err
	}
	if !parent.IsZero() {
		refs[branch] = parent
	}
	return nil
}

// writeCommit stores one batch's blobs, the trees it changes and its
// commit on parent.
func writeCommit(p *packWriter, root *tree, parent plumbing.Hash, b *batch) (plumbing.Hash, error) {
	for _, path := range b.remove {
		root.remove(path)
	}
	for _, f := range b.files {
		h, err := p.blob(blobKind(f.Path), f.Data)
		if err != nil {
			return h, err
		}
		root.set(f.Path, h)
	}
	th, err := p.tree(root)
	if err != nil {
		return th, err
	}
	var c strings.Builder
	fmt.Fprintf(&c, "tree %s\n", th)
	if !parent.IsZero() {
		fmt.Fprintf(&c, "parent %s\n", parent)
	}
	fmt.Fprintf(&c, "author %s %d +0000\ncommitter %s %d +0000\n\n%s", resultsIdentity, b.when, resultsIdentity, b.when, b.msg)
	h, _, err := p.put(plumbing.CommitObject, []byte(c.String()), nil, stored{})
	return h, err
}

// blobKind groups blobs that delta well against each other.
func blobKind(p string) string {
	switch {
	case results.IsSegment(p):
		return ""
	case strings.HasSuffix(p, results.SeriesSuffix):
		return "series"
	case strings.HasSuffix(p, results.LogSuffix):
		return "log"
	}
	return "record"
}

// refExists reports whether ref is in gitDir, loose or packed.
func refExists(gitDir, ref string) (bool, error) {
	if _, err := os.Stat(filepath.Join(gitDir, filepath.FromSlash(ref))); err == nil {
		return true, nil
	}
	packed, err := os.ReadFile(filepath.Join(gitDir, "packed-refs"))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, line := range strings.Split(string(packed), "\n") {
		if _, name, ok := strings.Cut(line, " "); ok && name == ref {
			return true, nil
		}
	}
	return false, nil
}
