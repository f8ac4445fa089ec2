package results

import (
	"os"
	"path/filepath"
	"testing"
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
