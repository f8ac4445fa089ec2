package results

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// recordsTruth is the index at the tip read from the records alone, with
// the cache left as it is.
func recordsTruth(t *testing.T, dir string) *Index {
	t.Helper()
	s := openStore(t, dir, Options{})
	tip, err := s.Tip()
	if err != nil {
		t.Fatal(err)
	}
	tree, err := s.treeOf(tip)
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.stateFromRecords(&indexState{tip: tip}, tree)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := s.materialize(st)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// checkIndex reads the index through a new Store, as a new command does,
// checks both readers (Index, and Scan run by another Store) against the
// records, and returns the Store that read it.
func checkIndex(t *testing.T, dir string, wantRuns int) *Store {
	t.Helper()
	want := recordsTruth(t, dir)
	if len(want.Entries) != wantRuns {
		t.Fatalf("the branch holds %d runs, want %d", len(want.Entries), wantRuns)
	}
	s := openStore(t, dir, Options{})
	got, err := s.Index()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Index{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("index differs from the records (-records +index):\n%s", diff)
	}
	var scanned []*Entry
	sum, err := openStore(t, dir, Options{}).Scan(func(e *Entry) bool {
		scanned = append(scanned, e.Clone())
		return true
	})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Entries, scanned, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("Scan differs from the records (-records +scan):\n%s", diff)
	}
	if sum.Runs != wantRuns || len(sum.Warnings) != len(want.Warnings) {
		t.Errorf("Scan summary %d runs, %d warnings; want %d and %d", sum.Runs, len(sum.Warnings), wantRuns, len(want.Warnings))
	}
	return s
}

// cachedSegments lists the blob ids of the segments in the local cache.
func cachedSegments(t *testing.T, s *Store) []string {
	t.Helper()
	ents, err := os.ReadDir(s.partsDir())
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		out = append(out, strings.TrimSuffix(e.Name(), segmentSuffix))
	}
	return out
}

// branchSegmentBlobs lists the blob ids of the segments at the branch tip.
func branchSegmentBlobs(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(git_(t, dir, "ls-tree", "assay/results", IndexDir+"/")), "\n") {
		if f := strings.Fields(line); len(f) == 4 {
			out = append(out, f[2])
		}
	}
	sort.Strings(out)
	return out
}

// TestCacheHoldsTheSegmentsAsTheyAre: after a cold read the cache holds
// exactly the branch's segments, byte for byte, and the next command
// reads them from there: no segment and no record from the branch.
func TestCacheHoldsTheSegmentsAsTheyAre(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	deliverBatches(t, openStore(t, dir, Options{}), 10, 2)
	cold := openStore(t, dir, Options{})
	cold.dropCache()
	if _, err := cold.Index(); err != nil {
		t.Fatal(err)
	}
	want := branchSegmentBlobs(t, dir)
	if got := cachedSegments(t, cold); !cmp.Equal(got, want) {
		t.Errorf("cached segments %v, want the branch's %v", got, want)
	}
	if cold.branchPartReads != len(want) || cold.recordReads != 0 {
		t.Errorf("the cold read took %d segments and %d records from the branch, want %d and 0", cold.branchPartReads, cold.recordReads, len(want))
	}
	for _, b := range want {
		got, err := os.ReadFile(filepath.Join(cold.partsDir(), b+segmentSuffix))
		if err != nil {
			t.Fatal(err)
		}
		if blob := git_(t, dir, "cat-file", "blob", b); !bytes.Equal(got, []byte(blob)) {
			t.Errorf("cached segment %s is not its blob", b)
		}
	}
	warm := checkIndex(t, dir, 20)
	if warm.branchPartReads != 0 || warm.recordReads != 0 {
		t.Errorf("the warm read took %d segments and %d records from the branch, want none", warm.branchPartReads, warm.recordReads)
	}
}

// TestDamagedCacheIsReadAgain: a cached segment that is cut, flipped or
// gone is read again from the branch (only that one) and written back;
// a damaged manifest rebuilds the cache. The answers never change.
func TestDamagedCacheIsReadAgain(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	deliverBatches(t, openStore(t, dir, Options{}), 10, 2)
	s := checkIndex(t, dir, 20)
	segs := cachedSegments(t, s)
	if len(segs) != 3 {
		t.Fatalf("cached segments %v, want 3", segs)
	}
	path := filepath.Join(s.partsDir(), segs[0]+segmentSuffix)
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	flipped := append([]byte(nil), good...)
	flipped[len(flipped)/2] ^= 0x40
	for name, damage := range map[string]func(){
		"flipped": func() { os.WriteFile(path, flipped, 0o644) },
		"cut":     func() { os.WriteFile(path, good[:len(good)/2], 0o644) },
		"gone":    func() { os.Remove(path) },
	} {
		damage()
		s := checkIndex(t, dir, 20)
		if s.branchPartReads != 1 || s.recordReads != 0 {
			t.Errorf("%s: read %d segments and %d records from the branch, want 1 and 0", name, s.branchPartReads, s.recordReads)
		}
		if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, good) {
			t.Errorf("%s: the cached segment was not written back (%v)", name, err)
		}
	}
	if err := os.WriteFile(s.manifestPath(), []byte("assaylix garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	checkIndex(t, dir, 20)
	if b, err := os.ReadFile(s.manifestPath()); err != nil || decodeManifestOK(b) != nil {
		t.Errorf("the damaged manifest was not rebuilt (%v)", err)
	}
}

func decodeManifestOK(b []byte) error {
	_, err := decodeManifest(b)
	return err
}

// TestCacheOfAnOlderTip: the cache describes an older tip whose segments
// were since compacted away. The next read brings it up to date without
// reading a record, and keeps only the new tip's segments.
func TestCacheOfAnOlderTip(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	deliverBatches(t, s, 7, 2)
	old := checkIndex(t, dir, 14)
	before := cachedSegments(t, old)
	if len(before) != 7 {
		t.Fatalf("cached %v, want 7 level-0 segments", before)
	}
	// The eighth batch merges the seven into one level-1 segment.
	var more []string
	for i := 0; i < 2; i++ {
		more = append(more, "20260302T1200"+string(rune('0'+i))+"0.000Z-late")
	}
	sp := putRuns(t, s, testRun(more[0], "exp1", 100), testRun(more[1], "exp2", 101))
	if _, err := s.Commit(sp); err != nil {
		t.Fatal(err)
	}
	if got := branchSegmentBlobs(t, dir); len(got) != 1 {
		t.Fatalf("segments at the tip %v, want the one merged", got)
	}
	up := checkIndex(t, dir, 16)
	if up.recordReads != 0 {
		t.Errorf("the update read %d records, want 0", up.recordReads)
	}
	if got, want := cachedSegments(t, up), branchSegmentBlobs(t, dir); !cmp.Equal(got, want) {
		t.Errorf("cached segments %v, want only the tip's %v", got, want)
	}
}

// TestUpdateFollowsHandEdits: commits made by hand on top of a cached tip
// (a record deleted, one rewritten, one added with no segment) are
// applied incrementally: only the changed and new records are read.
func TestUpdateFollowsHandEdits(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	ids := deliverBatches(t, s, 3, 3)
	checkIndex(t, dir, 9)
	idx, err := s.Index()
	if err != nil {
		t.Fatal(err)
	}
	gone, changed := idx.Lookup(ids[1])[0], idx.Lookup(ids[4])[0]
	r := testRun(ids[4], changed.Experiment, changed.Seed)
	r.Result.Metrics["val_acc"] = 0.01
	files, err := RunFiles(r)
	if err != nil {
		t.Fatal(err)
	}
	newFiles, err := RunFiles(testRun("20260302T000000.000Z-byhand", "exp9", 9))
	if err != nil {
		t.Fatal(err)
	}
	adds, err := writeFiles(s.repo.Storer, append(files[:1], newFiles[0]))
	if err != nil {
		t.Fatal(err)
	}
	adds[0].Replace = true
	adds = append(adds, entryAdd{Path: gone.Path(), Remove: true})
	unlock, err := s.lock()
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.commitLocal(adds, func([]string) string { return "by hand" })
	unlock()
	if err != nil {
		t.Fatal(err)
	}
	up := checkIndex(t, dir, 9)
	if up.recordReads != 2 || up.branchPartReads != 0 {
		t.Errorf("the update read %d records and %d segments from the branch, want 2 and 0", up.recordReads, up.branchPartReads)
	}
	got, _ := up.Index()
	if e := got.Lookup(ids[4]); len(e) != 1 || e[0].Metrics["val_acc"] != 0.01 {
		t.Errorf("the rewritten record reads %+v, want val_acc 0.01", e)
	}
	// The same branch read cold agrees.
	up.dropCache()
	checkIndex(t, dir, 9)
}

// TestRewriteThatKeepsSegments: a history rewritten by hand into one
// commit that keeps index/ but drops a record: a fresh clone must not
// list the record the segments still describe.
func TestRewriteThatKeepsSegments(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	ids := deliverBatches(t, s, 2, 3)
	idx, err := s.Index()
	if err != nil {
		t.Fatal(err)
	}
	gone := idx.Lookup(ids[0])[0]
	tree := strings.TrimSpace(git_(t, dir, "rev-parse", "assay/results^{tree}"))
	work := t.TempDir()
	git_(t, dir, "worktree", "add", "-q", "--detach", work, "assay/results")
	git_(t, work, "rm", "-q", gone.Path())
	git_(t, work, "commit", "-q", "-m", "unused "+tree)
	rewritten := strings.TrimSpace(git_(t, work, "commit-tree", "-m", "results, cleaned up", "HEAD^{tree}"))
	git_(t, dir, "update-ref", "refs/heads/assay/results", rewritten)
	cold := openStore(t, dir, Options{})
	cold.dropCache()
	checkIndex(t, dir, 5)
}

// TestSegmentThatPassesItsChecksumButDoesNotDecode: a segment whose
// checksum is right but whose entries are cut short is set aside like a
// damaged one, and its records are read.
func TestSegmentThatPassesItsChecksumButDoesNotDecode(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	deliverBatches(t, s, 2, 3)
	_, segs := splitSegments(branchFiles(t, dir, "assay/results"))
	blob := strings.TrimSpace(git_(t, dir, "rev-parse", "assay/results:"+segs[0]))
	data := []byte(git_(t, dir, "cat-file", "blob", blob))
	sd, err := parseSegment(data)
	if err != nil {
		t.Fatal(err)
	}
	// The entries lose their last 10 bytes; both checksums are made right.
	body := append([]byte(nil), sd.body[:len(sd.body)-4-10]...)
	body = binary.LittleEndian.AppendUint32(body, crc32.ChecksumIEEE(body))
	bad := append([]byte(nil), data[:len(data)-4-len(sd.body)]...)
	bad = append(bad, body...)
	bad = binary.LittleEndian.AppendUint32(bad, crc32.ChecksumIEEE(bad))
	if _, err := parseSegment(bad); err != nil {
		t.Fatalf("the crafted segment does not pass its checksum: %v", err)
	}
	h, err := writeBlob(s.repo.Storer, bad)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := s.lock()
	if err != nil {
		t.Fatal(err)
	}
	note, err := writeBlob(s.repo.Storer, []byte("a commit that changes only index/ is not made\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.commitLocal([]entryAdd{{Path: segs[0], Blob: h, Replace: true}, {Path: "NOTES", Blob: note}}, func([]string) string { return "bad segment" })
	unlock()
	if err != nil {
		t.Fatal(err)
	}
	s.dropCache()
	if got := checkIndex(t, dir, 6); got.recordReads != 3 {
		t.Errorf("read %d records, want the 3 of the bad segment", got.recordReads)
	}
}
