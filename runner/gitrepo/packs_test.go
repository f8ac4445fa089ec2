package gitrepo

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/assaylab/assay/runner/gitrepo/gittest"
)

// deltaHistory builds a repository whose pack is full of deltas: many
// versions of one large file and of one wide tree, an empty file, and
// bytes that are not text.
func deltaHistory(t *testing.T) *gittest.Repo {
	r := gittest.New(t)
	var big strings.Builder
	for i := range 2000 {
		fmt.Fprintf(&big, "line %d of a file that changes a little in every commit\n", i)
	}
	for v := range 12 {
		r.Write("big.txt", big.String()+fmt.Sprintf("version %d\n", v))
		for i := range 40 {
			r.Write(fmt.Sprintf("wide/f%02d", i), fmt.Sprintf("%d %d\n", i, v%(i+1)))
		}
		r.Commit(fmt.Sprintf("v%d", v))
	}
	r.Write("empty", "")
	bin := make([]byte, 4096)
	for i := range bin {
		bin[i] = byte(i * 7)
	}
	r.Write("bin", string(bin))
	r.Commit("empty and binary")
	return r
}

// catAll reads every object of the repository with the git CLI: id to
// type and content.
func catAll(t *testing.T, dir string) map[plumbing.Hash]packedObject {
	t.Helper()
	cmd := exec.Command("git", "cat-file", "--batch-all-objects", "--batch")
	cmd.Dir, cmd.Env = dir, gittest.Env(dir)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git cat-file: %v", err)
	}
	objs := map[plumbing.Hash]packedObject{}
	rd := bufio.NewReader(bytes.NewReader(out))
	for {
		line, err := rd.ReadString('\n')
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(line)
		size, _ := strconv.Atoi(f[2])
		typ, err := plumbing.ParseObjectType(f[1])
		if err != nil {
			t.Fatal(err)
		}
		data := make([]byte, size+1)
		if _, err := io.ReadFull(rd, data); err != nil {
			t.Fatal(err)
		}
		objs[plumbing.NewHash(f[0])] = packedObject{typ: typ, data: data[:size]}
	}
	return objs
}

// packTypes counts the kinds of entry in a pack, read from its headers.
func packTypes(t *testing.T, s *packStorage, objs map[plumbing.Hash]packedObject) map[plumbing.ObjectType]int {
	t.Helper()
	n := map[plumbing.ObjectType]int{}
	for h := range objs {
		off, ok := s.packs[0].find(h)
		if !ok {
			t.Fatalf("%s is not in the pack index", h)
		}
		typ, _, _, _, _, err := s.packs[0].header(off)
		if err != nil {
			t.Fatal(err)
		}
		n[typ]++
	}
	return n
}

// TestPackStorageReadsWhatGitWrote reads every object of packs git wrote,
// with deltas by offset and by id, and checks each against git cat-file.
func TestPackStorageReadsWhatGitWrote(t *testing.T) {
	t.Parallel()
	for _, variant := range []struct {
		name   string
		repack []string
		delta  plumbing.ObjectType
	}{
		{"offset deltas", []string{"repack", "-adfq"}, plumbing.OFSDeltaObject},
		{"id deltas", []string{"-c", "repack.useDeltaBaseOffset=false", "repack", "-adfq"}, plumbing.REFDeltaObject},
	} {
		t.Run(variant.name, func(t *testing.T) {
			t.Parallel()
			r := deltaHistory(t)
			r.Git(variant.repack...)
			want := catAll(t, r.Dir)
			repo, err := Open(r.Dir)
			if err != nil {
				t.Fatal(err)
			}
			defer repo.Close()
			s := repo.store
			if s == nil || len(s.packs) != 1 {
				t.Fatalf("want the one pack mapped, got %+v", s)
			}
			types := packTypes(t, s, want)
			if types[variant.delta] < 10 {
				t.Fatalf("the pack should hold many deltas of type %s to test them: %v", variant.delta, types)
			}
			for h, w := range want {
				obj, err := s.EncodedObject(plumbing.AnyObject, h)
				if err != nil {
					t.Fatalf("%s: %v", h, err)
				}
				got := readAll(t, obj)
				if obj.Type() != w.typ || obj.Hash() != h || obj.Size() != int64(len(w.data)) || !bytes.Equal(got, w.data) {
					t.Fatalf("%s: got %s of %d bytes, want %s of %d bytes (git cat-file)", h, obj.Type(), len(got), w.typ, len(w.data))
				}
				// The content really hashes to the id asked for.
				if plumbing.ComputeHash(obj.Type(), got) != h {
					t.Fatalf("%s: content hashes to %s", h, plumbing.ComputeHash(obj.Type(), got))
				}
			}
		})
	}
}

func readAll(t *testing.T, obj plumbing.EncodedObject) []byte {
	t.Helper()
	rc, err := obj.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestPackStorageFallsBack: objects outside the mapped packs (written
// after the repository was opened, or loose) are still found, and a type
// that does not match is "not found", as go-git has it.
func TestPackStorageFallsBack(t *testing.T) {
	t.Parallel()
	r := deltaHistory(t)
	r.Git("repack", "-adq")
	repo, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	r.Write("late", "written after open\n")
	late := plumbing.NewHash(r.Git("hash-object", "-w", "late"))
	obj, err := repo.store.EncodedObject(plumbing.BlobObject, late)
	if err != nil {
		t.Fatalf("loose object: %v", err)
	}
	if got := readAll(t, obj); string(got) != "written after open\n" {
		t.Fatalf("loose object reads %q", got)
	}
	head := plumbing.NewHash(r.Git("rev-parse", "HEAD"))
	if _, err := repo.store.EncodedObject(plumbing.BlobObject, head); !errors.Is(err, plumbing.ErrObjectNotFound) {
		t.Fatalf("a commit asked for as a blob: %v, want ErrObjectNotFound", err)
	}
	if _, err := repo.store.EncodedObject(plumbing.AnyObject, plumbing.NewHash(strings.Repeat("ab", 20))); !errors.Is(err, plumbing.ErrObjectNotFound) {
		t.Fatalf("an id in no pack: %v, want ErrObjectNotFound", err)
	}
}

// TestPackStorageInLinkedWorktree: a linked worktree's objects live in
// the main repository, named by its commondir file.
func TestPackStorageInLinkedWorktree(t *testing.T) {
	t.Parallel()
	r := deltaHistory(t)
	r.Git("repack", "-adq")
	wt := filepath.Join(t.TempDir(), "wt")
	r.Git("worktree", "add", "-q", wt)
	repo, err := Open(wt)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	if repo.store == nil || len(repo.store.packs) != 1 {
		t.Fatalf("the main repository's pack is not mapped from the worktree: %+v", repo.store)
	}
	h, err := repo.Resolve("HEAD")
	if err != nil || h.String() != r.Git("rev-parse", "HEAD") {
		t.Fatalf("HEAD in the worktree: %s, %v", h, err)
	}
}

// TestPackStorageCorruptPack: a damaged pack gives an error, not a panic
// or wrong bytes.
func TestPackStorageCorruptPack(t *testing.T) {
	t.Parallel()
	r := deltaHistory(t)
	r.Git("repack", "-adq")
	want := catAll(t, r.Dir)
	packs, _ := filepath.Glob(filepath.Join(r.Dir, ".git", "objects", "pack", "*.pack"))
	b, err := os.ReadFile(packs[0])
	if err != nil {
		t.Fatal(err)
	}
	// Damage the middle of the pack, where compressed data lies.
	for i := len(b) / 2; i < len(b)/2+64; i++ {
		b[i] ^= 0x5a
	}
	if err := os.Chmod(packs[0], 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(packs[0], b, 0o644); err != nil {
		t.Fatal(err)
	}
	repo, err := Open(r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer repo.Close()
	failed := 0
	for h, w := range want {
		obj, err := repo.store.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			failed++
			continue
		}
		if got := readAll(t, obj); !bytes.Equal(got, w.data) {
			t.Fatalf("%s read wrong bytes from a damaged pack without an error", h)
		}
	}
	if failed == 0 {
		t.Fatal("no object failed to read from a damaged pack")
	}
}

// FuzzPackHeader feeds arbitrary bytes to the pack and index readers:
// they may refuse them, never panic.
func FuzzPackHeader(f *testing.F) {
	f.Add([]byte("PACK\x00\x00\x00\x02\x00\x00\x00\x01\x95\x0ax\x9c\x03\x00\x00\x00\x00\x01"), int64(12))
	f.Add([]byte("PACK\x00\x00\x00\x02\x00\x00\x00\x02\x30\x00\x60\x85\x01"), int64(14))
	f.Fuzz(func(t *testing.T, data []byte, off int64) {
		p := &pack{data: data, idx: data}
		if typ, size, dataOff, _, _, err := p.header(off); err == nil && typ != plumbing.OFSDeltaObject && typ != plumbing.REFDeltaObject {
			_, _ = p.inflate(dataOff, size)
		}
		if p.checkIndex() == nil {
			var h plumbing.Hash
			copy(h[:], data)
			p.find(h)
		}
	})
}
