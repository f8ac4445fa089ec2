package results

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// looseObjects counts the loose objects of the repository at dir.
func looseObjects(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	dirs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "??"))
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			t.Fatal(err)
		}
		n += len(entries)
	}
	return n
}

// TestDeliverWritesOnePack: a batch of runs is written as one pack file,
// not as loose objects, and git reads it back whole.
func TestDeliverWritesOnePack(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	before := looseObjects(t, dir)
	packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	deliverBatches(t, s, 1, 50)
	if n := looseObjects(t, dir) - before; n != 0 {
		t.Errorf("recording 50 runs left %d loose objects, want none", n)
	}
	after, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	if len(after) != len(packs)+1 {
		t.Errorf("packs %d -> %d, want one more", len(packs), len(after))
	}
	git_(t, dir, "fsck", "--strict", "--no-dangling")
	if n := countRecords(branchFiles(t, dir, "assay/results")); n != 50 {
		t.Errorf("git sees %d records, want 50", n)
	}
	if reads := coldIndexReads(t, dir, 50); reads != 0 {
		t.Errorf("read %d records, want 0", reads)
	}
}

// A batch answers for its own new objects and for the repository's, and
// its flush leaves every new object where git reads it: a single one
// loose, several in one pack, none the repository already had written
// twice.
func TestObjectBatchAnswersForBothAndFlushesWhatIsNew(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	repo, err := git.PlainOpen(dir)
	if err != nil {
		t.Fatal(err)
	}
	old := plumbing.NewHash(strings.TrimSpace(git_(t, dir, "rev-parse", "HEAD")))
	blob := func(b *objectBatch, text string) plumbing.Hash {
		o := b.NewEncodedObject()
		o.SetType(plumbing.BlobObject)
		w, _ := o.Writer()
		w.Write([]byte(text))
		w.Close()
		h, err := b.SetEncodedObject(o)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}

	b := newObjectBatch(repo.Storer)
	one := blob(b, "one new object\n")
	for _, h := range []plumbing.Hash{one, old} {
		if err := b.HasEncodedObject(h); err != nil {
			t.Errorf("HasEncodedObject(%s): %v", h, err)
		}
	}
	if err := b.HasEncodedObject(plumbing.NewHash("0123456789012345678901234567890123456789")); err == nil {
		t.Error("HasEncodedObject of an object nobody has: nil")
	}
	if n, err := b.EncodedObjectSize(one); err != nil || n != int64(len("one new object\n")) {
		t.Errorf("EncodedObjectSize of the new blob: %d, %v", n, err)
	}
	if n, err := b.EncodedObjectSize(old); err != nil || n == 0 {
		t.Errorf("EncodedObjectSize of the repository's commit: %d, %v", n, err)
	}
	loose := looseObjects(t, dir)
	if err := b.flush(); err != nil {
		t.Fatal(err)
	}
	if got := git_(t, dir, "cat-file", "-p", one.String()); got != "one new object\n" {
		t.Errorf("git reads the flushed blob as %q", got)
	}
	if n := looseObjects(t, dir) - loose; n != 1 {
		t.Errorf("one new object left %d loose objects, want 1", n)
	}

	b = newObjectBatch(repo.Storer)
	again := blob(b, "one new object\n")
	two, three := blob(b, "two\n"), blob(b, "three\n")
	packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	if err := b.flush(); err != nil {
		t.Fatal(err)
	}
	after, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "*.pack"))
	if len(after) != len(packs)+1 || again != one {
		t.Errorf("packs %d -> %d, want one more", len(packs), len(after))
	}
	for h, want := range map[plumbing.Hash]string{two: "two\n", three: "three\n"} {
		if got := git_(t, dir, "cat-file", "-p", h.String()); got != want {
			t.Errorf("git reads %s as %q, want %q", h, got, want)
		}
	}
	for _, p := range after {
		if slices.Contains(packs, p) {
			continue
		}
		if n := git_(t, dir, "verify-pack", "-v", strings.TrimSuffix(p, ".pack")+".idx"); strings.Count(n, " blob ") != 2 {
			t.Errorf("the pack holds other than the 2 new blobs:\n%s", n)
		}
	}
}
