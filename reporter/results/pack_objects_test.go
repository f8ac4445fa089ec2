package results

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// packedRepo makes a repository whose objects the git CLI packed: text
// files that change a little from commit to commit (so git stores many
// as deltas), one blob over go-git's large-object threshold, and a
// loose object written after the repack, and a blob whose id starts with
// the byte 0 (the fan-out table's first entry). It returns the folder and
// every object's id.
func packedRepo(t *testing.T) (string, []plumbing.Hash) {
	t.Helper()
	requireGit(t)
	dir := t.TempDir()
	git_(t, dir, "init", "-q", "-b", "main")
	rng := rand.New(rand.NewPCG(1, 2))
	big := make([]byte, 600<<10)
	for i := range big {
		big[i] = byte('a' + rng.IntN(26))
	}
	var lines []string
	for i := 0; i < 400; i++ {
		lines = append(lines, fmt.Sprintf("line %d of a file that changes a little each commit", i))
	}
	for i := 0; ; i++ {
		data := []byte(fmt.Sprintf("a blob whose id starts with 00: %d\n", i))
		if plumbing.ComputeHash(plumbing.BlobObject, data)[0] == 0 {
			os.WriteFile(filepath.Join(dir, "first-byte-zero.txt"), data, 0o644)
			break
		}
	}
	for c := 0; c < 12; c++ {
		lines[rng.IntN(len(lines))] = fmt.Sprintf("changed in commit %d", c)
		os.WriteFile(filepath.Join(dir, "notes.txt"), []byte(strings.Join(lines, "\n")), 0o644)
		os.MkdirAll(filepath.Join(dir, "runs", fmt.Sprint(c%3)), 0o755)
		os.WriteFile(filepath.Join(dir, "runs", fmt.Sprint(c%3), "r.json"), []byte(fmt.Sprintf(`{"run": %d}`, c)), 0o644)
		if c == 5 {
			os.WriteFile(filepath.Join(dir, "segment.bin"), big, 0o644)
		}
		git_(t, dir, "add", "-A")
		git_(t, dir, "commit", "-q", "-m", fmt.Sprintf("commit %d", c))
	}
	git_(t, dir, "repack", "-a", "-d", "-f", "-q")
	os.WriteFile(filepath.Join(dir, "loose.txt"), []byte("written after the repack\n"), 0o644)
	git_(t, dir, "add", "loose.txt")
	git_(t, dir, "commit", "-q", "-m", "loose")
	var ids []plumbing.Hash
	for _, line := range strings.Fields(git_(t, dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")) {
		ids = append(ids, plumbing.NewHash(line))
	}
	return dir, ids
}

func plainStorage(dir string) *filesystem.Storage {
	return filesystem.NewStorage(osfs.New(filepath.Join(dir, ".git")), cache.NewObjectLRUDefault())
}

func readAll(t *testing.T, obj plumbing.EncodedObject) []byte {
	t.Helper()
	r, err := obj.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Every object reads the same through the pack reader as through go-git
// alone, whether the pack holds it whole (read directly) or as a delta,
// loose or in a pack written later (left to go-git); and the reader did
// serve some objects itself.
func TestPackedStorageReadsWhatGoGitReads(t *testing.T) {
	dir, ids := packedRepo(t)
	plain := plainStorage(dir)
	defer plain.Close()
	ps := &packSet{fs: osfs.New(filepath.Join(dir, ".git"))}
	defer ps.close()
	packed := &packedStorage{Storage: plainStorage(dir), packs: ps}
	defer packed.Storage.Close()

	// How git stores each object: whole in the pack, as a delta there, or
	// loose.
	packedAt := map[plumbing.Hash]bool{}
	for _, line := range strings.Split(showIndex(t, dir), "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			packedAt[plumbing.NewHash(f[1])] = true
		}
	}
	delta := map[plumbing.Hash]bool{}
	for _, line := range strings.Split(git_(t, dir, "cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(deltabase)"), "\n") {
		if f := strings.Fields(line); len(f) == 2 && f[1] != plumbing.ZeroHash.String() {
			delta[plumbing.NewHash(f[0])] = true
		}
	}
	kinds := map[string]int{}
	for _, id := range ids {
		want, err := plain.EncodedObject(plumbing.AnyObject, id)
		if err != nil {
			t.Fatalf("go-git cannot read %s: %v", id, err)
		}
		got, err := packed.EncodedObject(plumbing.AnyObject, id)
		if err != nil {
			t.Fatalf("reading %s: %v", id, err)
		}
		if got.Type() != want.Type() || got.Size() != want.Size() || got.Hash() != id {
			t.Errorf("%s: type %v size %d hash %s, want %v %d %s", id, got.Type(), got.Size(), got.Hash(), want.Type(), want.Size(), id)
		}
		if !bytes.Equal(readAll(t, got), readAll(t, want)) {
			t.Errorf("%s (%v): content differs from go-git's", id, want.Type())
		}
		if plumbing.ComputeHash(got.Type(), readAll(t, got)) != id {
			t.Errorf("%s: content does not hash to its id", id)
		}
		kind := "whole"
		switch {
		case !packedAt[id]:
			kind = "loose"
		case delta[id]:
			kind = "delta"
		}
		kinds[kind]++
		if kind == "whole" && id[0] == 0 {
			kinds["whole, first byte 0"]++
		}
		_, served := got.(*packedObject)
		if served != (kind == "whole") {
			t.Errorf("%s (%v, %s in git's store): read by the pack reader %v, want %v", id, want.Type(), kind, served, kind == "whole")
		}
		// Asked for another type, the object is not found, as go-git says.
		other := plumbing.BlobObject
		if want.Type() == plumbing.BlobObject {
			other = plumbing.CommitObject
		}
		if _, err := packed.EncodedObject(other, id); err != plumbing.ErrObjectNotFound {
			t.Errorf("%s asked for as a %v: %v, want ErrObjectNotFound", id, other, err)
		}
	}
	if kinds["whole"] == 0 || kinds["delta"] == 0 || kinds["loose"] == 0 || kinds["whole, first byte 0"] == 0 {
		t.Fatalf("objects by how git stores them: %v; the test wants some of each kind", kinds)
	}
	if _, _, ok := ps.read(plumbing.NewHash(strings.Repeat("ab", 20))); ok {
		t.Error("an id no pack holds was read")
	}
}

// Offsets past 2 GiB sit in the index's table of 64-bit offsets. No test
// writes a 2 GiB pack, but git index-pack puts every offset past a chosen
// one in that table, which reads the same way.
func TestPackedStorageReadsLargeOffsets(t *testing.T) {
	dir, ids := packedRepo(t)
	packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "pack-*.pack"))
	if len(packs) != 1 {
		t.Fatalf("%d packs, want 1", len(packs))
	}
	idx := strings.TrimSuffix(packs[0], ".pack") + ".idx"
	os.Chmod(idx, 0o644)
	os.Remove(idx)
	git_(t, dir, "index-pack", "--index-version=2,0x20", "-o", idx, packs[0])

	plain := plainStorage(dir)
	defer plain.Close()
	ps := &packSet{fs: osfs.New(filepath.Join(dir, ".git"))}
	defer ps.close()
	served := 0
	for _, id := range ids {
		typ, data, ok := ps.read(id)
		if !ok {
			continue
		}
		served++
		want, err := plain.EncodedObject(plumbing.AnyObject, id)
		if err != nil {
			t.Fatal(err)
		}
		if typ != want.Type() || !bytes.Equal(data, readAll(t, want)) {
			t.Errorf("%s read through a 64-bit offset differs from go-git's", id)
		}
	}
	if served < 10 {
		t.Fatalf("served %d objects through 64-bit offsets, want at least 10", served)
	}
}

// A damaged pack is never read as content: the reader declines, and
// what the store returns is go-git's answer.
func TestPackedStorageDeclinesADamagedPack(t *testing.T) {
	dir, _ := packedRepo(t)
	blob := plumbing.NewHash(strings.TrimSpace(git_(t, dir, "rev-parse", "HEAD~6:segment.bin")))
	ps := &packSet{fs: osfs.New(filepath.Join(dir, ".git"))}
	if _, _, ok := ps.read(blob); !ok {
		t.Fatal("the large blob is not in the pack whole")
	}
	ps.close()

	// Flip a byte in the middle of the blob's compressed stream.
	packs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "pack-*.pack"))
	off := packOffset(t, dir, blob)
	os.Chmod(packs[0], 0o644)
	f, err := os.OpenFile(packs[0], os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	f.ReadAt(b[:], off+1000)
	b[0] ^= 0xff
	f.WriteAt(b[:], off+1000)
	f.Close()

	ps = &packSet{fs: osfs.New(filepath.Join(dir, ".git"))}
	defer ps.close()
	if _, _, ok := ps.read(blob); ok {
		t.Fatal("a damaged object was read as content")
	}
	read := func(s interface {
		EncodedObject(plumbing.ObjectType, plumbing.Hash) (plumbing.EncodedObject, error)
	}) ([]byte, error) {
		obj, err := s.EncodedObject(plumbing.BlobObject, blob)
		if err != nil {
			return nil, err
		}
		r, err := obj.Reader()
		if err != nil {
			return nil, err
		}
		defer r.Close()
		return io.ReadAll(r)
	}
	plain := plainStorage(dir)
	defer plain.Close()
	packed := &packedStorage{Storage: plainStorage(dir), packs: ps}
	defer packed.Storage.Close()
	want, wantErr := read(plain)
	got, err := read(packed)
	if (err == nil) != (wantErr == nil) || !bytes.Equal(got, want) {
		t.Fatalf("the damaged blob reads as %d bytes, error %v; go-git alone: %d bytes, error %v", len(got), err, len(want), wantErr)
	}
}

// packOffset is where git's own reading of the index says the object
// starts.
func packOffset(t *testing.T, dir string, h plumbing.Hash) int64 {
	t.Helper()
	for _, line := range strings.Split(showIndex(t, dir), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[1] == h.String() {
			var off int64
			fmt.Sscan(f[0], &off)
			return off
		}
	}
	t.Fatalf("%s not in git show-index", h)
	return 0
}

// showIndex is git show-index of the repository's one pack: a line per
// object, its offset then its id.
func showIndex(t *testing.T, dir string) string {
	t.Helper()
	idxs, _ := filepath.Glob(filepath.Join(dir, ".git", "objects", "pack", "pack-*.idx"))
	if len(idxs) != 1 {
		t.Fatalf("%d packs, want 1", len(idxs))
	}
	idx, err := os.Open(idxs[0])
	if err != nil {
		t.Fatal(err)
	}
	defer idx.Close()
	cmd := exec.Command("git", "show-index")
	cmd.Stdin = idx
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git show-index: %v", err)
	}
	return string(out)
}

// Reads from many goroutines at once get what one reader gets (the
// cold query inflates segments on every core).
func TestPackedStorageParallelReads(t *testing.T) {
	dir, ids := packedRepo(t)
	ps := &packSet{fs: osfs.New(filepath.Join(dir, ".git"))}
	defer ps.close()
	want := map[plumbing.Hash][]byte{}
	for _, id := range ids {
		if _, data, ok := ps.read(id); ok {
			want[id] = data
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 5; round++ {
				for id, w := range want {
					if _, data, ok := ps.read(id); !ok || !bytes.Equal(data, w) {
						errs <- id.String()
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for id := range errs {
		t.Errorf("a parallel read of %s differs", id)
	}
}
