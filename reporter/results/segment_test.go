package results

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/assaylab/assay/runner"
)

// deliverBatches records batches × per runs, one Deliver (one commit) per
// batch, and returns the runs' ids.
func deliverBatches(t *testing.T, s *Store, batches, per int) []string {
	t.Helper()
	var ids []string
	for b := 0; b < batches; b++ {
		var runs []*runner.Run
		for i := 0; i < per; i++ {
			id := fmt.Sprintf("20260301T12%04d.000Z-b%03dr%02d", b*per+i, b, i)
			runs = append(runs, testRun(id, fmt.Sprintf("exp%d", i%3), int64(b*per+i)))
			ids = append(ids, id)
		}
		sp := putRuns(t, s, runs...)
		if _, err := s.Deliver(context.Background(), sp); err != nil {
			t.Fatal(err)
		}
	}
	return ids
}

// coldIndex builds the index of the clone at dir with no local cache, as
// a fresh clone does, and checks it against the index built from the
// records alone (the source of truth). It returns the records it read.
func coldIndexReads(t *testing.T, dir string, wantRuns int) int {
	t.Helper()
	s := openStore(t, dir, Options{})
	os.RemoveAll(filepath.Join(s.gitDir, "assay", "index"))
	got, err := s.Index()
	if err != nil {
		t.Fatal(err)
	}
	truth := openStore(t, dir, Options{})
	truth.noSegments = true
	os.RemoveAll(filepath.Join(s.gitDir, "assay", "index"))
	want, err := truth.Index()
	if err != nil {
		t.Fatal(err)
	}
	if len(want.Entries) != wantRuns {
		t.Fatalf("the branch holds %d runs, want %d", len(want.Entries), wantRuns)
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(Index{}), cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("index from segments differs from the records (-records +segments):\n%s", diff)
	}
	return s.recordReads
}

// TestFreshCloneReadsNoRecords: a clone of a branch written by this assay
// builds its whole index from the segments, reading no record, and gets
// exactly what the records say.
func TestFreshCloneReadsNoRecords(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	deliverBatches(t, s, 3, 5)
	_, segs := splitSegments(branchFiles(t, dir, "assay/results"))
	if len(segs) != 3 {
		t.Errorf("segments %v, want one per commit", segs)
	}
	if reads := coldIndexReads(t, dir, 15); reads != 0 {
		t.Errorf("read %d records, want 0", reads)
	}
}

// TestSegmentsCompact: 20 commits leave at most segmentFanIn-1 segments
// of each level, the index still covers every run without reading one,
// and git fsck is clean.
func TestSegmentsCompact(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	deliverBatches(t, s, 20, 2)
	_, segs := splitSegments(branchFiles(t, dir, "assay/results"))
	levels := map[int]int{}
	for _, p := range segs {
		lv, _ := segmentLevel(p)
		levels[lv]++
	}
	// 20 = 2×8 + 4: two level-1 segments and four of level 0.
	if levels[0] != 4 || levels[1] != 2 || len(segs) != 6 {
		t.Errorf("segments by level %v (%v), want 4 of level 0 and 2 of level 1", levels, segs)
	}
	if reads := coldIndexReads(t, dir, 40); reads != 0 {
		t.Errorf("read %d records, want 0", reads)
	}
	git_(t, dir, "fsck", "--strict", "--no-dangling")
}

// TestDamagedOrMissingSegmentFallsBackToRecords: a segment replaced by
// garbage, one removed, and a record rewritten in place under a segment
// that still describes the old one: the index reads exactly the records
// no good segment describes and matches the records.
func TestDamagedOrMissingSegmentFallsBackToRecords(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	ids := deliverBatches(t, s, 3, 4)
	_, segs := splitSegments(branchFiles(t, dir, "assay/results"))
	if len(segs) != 3 {
		t.Fatalf("segments %v", segs)
	}
	garbage, err := writeBlob(s.repo.Storer, []byte("assayseg not really"))
	if err != nil {
		t.Fatal(err)
	}
	// The third batch's first record, rewritten by hand.
	r := testRun(ids[8], "exp0", 8)
	r.Result.Metrics["val_acc"] = 0.01
	files, err := RunFiles(r)
	if err != nil {
		t.Fatal(err)
	}
	rewritten, err := writeBlob(s.repo.Storer, files[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := s.lock()
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.commitLocal([]entryAdd{
		{Path: segs[0], Blob: garbage, Replace: true},
		{Path: segs[1], Remove: true},
		{Path: files[0].Path, Blob: rewritten, Replace: true},
	}, func([]string) string { return "damage" })
	unlock()
	if err != nil {
		t.Fatal(err)
	}
	// 4 records under the damaged segment, 4 under the removed one, 1
	// rewritten.
	if reads := coldIndexReads(t, dir, 12); reads != 9 {
		t.Errorf("read %d records, want 9", reads)
	}
	idx, err := s.Index()
	if err != nil {
		t.Fatal(err)
	}
	if e := idx.Lookup(ids[8]); len(e) != 1 || e[0].Metrics["val_acc"] != 0.01 {
		t.Errorf("the rewritten record reads %+v, want val_acc 0.01 from the record, not the segment", e)
	}
}

// TestOlderBranchWithoutSegments: records an older assay wrote (no
// segments) are read, and a later commit's segment covers only its own.
func TestOlderBranchWithoutSegments(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	var adds []entryAdd
	for i := 0; i < 3; i++ {
		files, err := RunFiles(testRun(fmt.Sprintf("20260201T120000.000Z-old%d", i), "exp", int64(i)))
		if err != nil {
			t.Fatal(err)
		}
		a, err := writeFiles(s.repo.Storer, files)
		if err != nil {
			t.Fatal(err)
		}
		adds = append(adds, a...)
	}
	unlock, _ := s.lock()
	if _, err := s.commitLocal(adds, func([]string) string { return "older assay" }); err != nil {
		t.Fatal(err)
	}
	unlock()
	deliverBatches(t, s, 1, 2)
	if reads := coldIndexReads(t, dir, 5); reads != 3 {
		t.Errorf("read %d records, want the 3 no segment covers", reads)
	}
}

// TestCrashBetweenCommitAndPushKeepsSegment: runs committed but not pushed
// (the writer died before its push) are delivered by a later sync with
// their segment, and a fresh clone of the remote reads no record.
func TestCrashBetweenCommitAndPushKeepsSegment(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	bare := newBareRemote(t, base, "team.git")
	dir := newCodeRepo(t)
	setOrigin(t, dir, bare)
	s := openStore(t, dir, Options{})
	sp := putRuns(t, s, testRun("20260301T120000.000Z-crash1", "exp", 1), testRun("20260301T120001.000Z-crash2", "exp", 2))
	if _, err := s.Commit(sp); err != nil { // committed; the push never happened
		t.Fatal(err)
	}
	// Someone else pushes meanwhile, so the outbox must be re-applied.
	other := newCodeRepo(t)
	setOrigin(t, other, bare)
	deliverBatches(t, openStore(t, other, Options{}), 1, 3)

	later := openStore(t, dir, Options{})
	if _, err := later.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	clone := t.TempDir()
	git_(t, base, "clone", "-q", "--no-checkout", bare, clone)
	git_(t, clone, "branch", "-q", "assay/results", "origin/assay/results")
	if reads := coldIndexReads(t, clone, 5); reads != 0 {
		t.Errorf("read %d records, want 0", reads)
	}
	_, segs := splitSegments(branchFiles(t, clone, "assay/results"))
	if len(segs) != 2 || !strings.Contains(strings.Join(segs, " "), "crash1") {
		t.Errorf("segments %v, want the other writer's and the crashed writer's", segs)
	}
}

// TestSegmentWriterMatchesStore: a branch written through SegmentWriter
// (as bench/cmd/resultsgen writes one, here with git fast-import) indexes
// without reading a record, as one written by Deliver does.
func TestSegmentWriterMatchesStore(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	w := NewSegmentWriter()
	var stream strings.Builder
	for c := 0; c < 10; c++ {
		var files, records []File
		for i := 0; i < 3; i++ {
			fs, err := RunFiles(testRun(fmt.Sprintf("20260301T12%04d.000Z-w", c*3+i), "exp", int64(c*3+i)))
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, fs...)
			records = append(records, fs[0])
		}
		add, remove, trailer := w.Commit(records)
		msg := "record\n\n" + trailer + "\n"
		fmt.Fprintf(&stream, "commit refs/heads/assay/results\ncommitter a <a@b> %d +0000\ndata %d\n%s\n", 1700000000+c, len(msg), msg)
		for _, p := range remove {
			fmt.Fprintf(&stream, "D %s\n", p)
		}
		for _, f := range append(files, add...) {
			fmt.Fprintf(&stream, "M 100644 inline %s\ndata %d\n%s\n", f.Path, len(f.Data), f.Data)
		}
		stream.WriteString("\n")
	}
	cmd := exec.Command("git", "-C", dir, "fast-import", "--quiet")
	cmd.Stdin = strings.NewReader(stream.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}
	_, segs := splitSegments(branchFiles(t, dir, "assay/results"))
	if len(segs) != 3 { // 10 = 8 + 2: one of level 1, two of level 0
		t.Errorf("segments %v, want 3", segs)
	}
	if reads := coldIndexReads(t, dir, 30); reads != 0 {
		t.Errorf("read %d records, want 0", reads)
	}
}

// One run id recorded under several trials (runs from two machines that
// drew the same id, or a record copied by hand), each in a batch of its
// own, until the segments are compacted: the index lists every record
// once, cold and after each update.
func TestOneRunIDUnderSeveralTrialsAcrossACompaction(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	const shared = "20260301T120000.000Z-same"
	for b := range segmentFanIn {
		r := testRun(shared, fmt.Sprintf("exp%d", b%2), int64(b))
		r.Result.TrialKey = fmt.Sprintf("%064x", 7-b) // later batches sort first
		other := testRun(fmt.Sprintf("20260301T12%04d.000Z-oth%d", b, b), "exp0", int64(b))
		if _, err := s.Deliver(context.Background(), putRuns(t, s, r, other)); err != nil {
			t.Fatal(err)
		}
		checkIndex(t, dir, 2*(b+1))
	}
	if _, segs := splitSegments(branchFiles(t, dir, "assay/results")); len(segs) != 1 {
		t.Fatalf("%d segments after %d batches, want the one they were compacted into", len(segs), segmentFanIn)
	}
	got := coldIndexReads(t, dir, 2*segmentFanIn)
	if got != 0 {
		t.Errorf("a cold index read %d records, want every one from the segment", got)
	}
	idx, _ := openStore(t, dir, Options{}).Index()
	if n := len(idx.Lookup(shared)); n != segmentFanIn {
		t.Errorf("the shared run id finds %d records, want %d", n, segmentFanIn)
	}
}
