package results

import (
	"encoding/binary"
	"hash/crc32"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/assaylab/assay/runner"
)

// commitByHand commits files onto the results branch as someone with
// the git CLI would: no segment is written for them.
func commitByHand(t *testing.T, s *Store, adds []entryAdd) {
	t.Helper()
	unlock, err := s.lock()
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.commitLocal(adds, func([]string) string { return "by hand" })
	unlock()
	if err != nil {
		t.Fatal(err)
	}
}

// replaceSegment puts data in place of the segment at path, in a commit
// by hand that also adds a note (a commit that changes only index/ is
// not made).
func replaceSegment(t *testing.T, s *Store, path string, data []byte) {
	t.Helper()
	h, err := writeBlob(s.repo.Storer, data)
	if err != nil {
		t.Fatal(err)
	}
	note, err := writeBlob(s.repo.Storer, []byte("segment "+path+" replaced\n"))
	if err != nil {
		t.Fatal(err)
	}
	commitByHand(t, s, []entryAdd{{Path: path, Blob: h, Replace: true}, {Path: "NOTES", Blob: note}})
}

// cutBehindChecksum returns the segment data with its entries' last 10
// bytes cut off and both checksums made right again: it passes
// parseSegment but does not decode.
func cutBehindChecksum(t *testing.T, data []byte) []byte {
	t.Helper()
	sd, err := parseSegment(data)
	if err != nil {
		t.Fatal(err)
	}
	body := append([]byte(nil), sd.body[:len(sd.body)-4-10]...)
	body = binary.LittleEndian.AppendUint32(body, crc32.ChecksumIEEE(body))
	bad := append([]byte(nil), data[:len(data)-4-len(sd.body)]...)
	bad = append(bad, body...)
	bad = binary.LittleEndian.AppendUint32(bad, crc32.ChecksumIEEE(bad))
	if _, err := parseSegment(bad); err != nil {
		t.Fatalf("the crafted segment does not pass its checksum: %v", err)
	}
	return bad
}

// TestAWarmReadReadsNoRecordAgain: records no segment covers (committed
// by hand) are read from the branch by the first command, and the next
// finds them in the cache: it reads nothing from the branch, and after
// another such commit only the new record; one of them rewritten by hand
// is read again, with its new content.
func TestAWarmReadReadsNoRecordAgain(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	deliverBatches(t, s, 2, 3)
	byHand := func(ids ...string) {
		t.Helper()
		var files []File
		for i, id := range ids {
			f, err := RunFiles(testRun(id, "exp9", int64(90+i)))
			if err != nil {
				t.Fatal(err)
			}
			files = append(files, f[0])
		}
		adds, err := writeFiles(s.repo.Storer, files)
		if err != nil {
			t.Fatal(err)
		}
		commitByHand(t, s, adds)
	}
	byHand("20260302T000000.000Z-byhand1", "20260302T000001.000Z-byhand2")
	s.dropCache()
	if cold := checkIndex(t, dir, 8); cold.recordReads != 2 {
		t.Errorf("the cold read took %d records from the branch, want the 2 committed by hand", cold.recordReads)
	}
	if warm := checkIndex(t, dir, 8); warm.recordReads != 0 || warm.branchPartReads != 0 {
		t.Errorf("the warm read took %d records and %d segments from the branch, want none", warm.recordReads, warm.branchPartReads)
	}
	// One more by hand: the update reads it alone, and keeps the two.
	byHand("20260302T000002.000Z-byhand3")
	if up := checkIndex(t, dir, 9); up.recordReads != 1 || up.branchPartReads != 0 {
		t.Errorf("the update took %d records and %d segments from the branch, want the 1 new record", up.recordReads, up.branchPartReads)
	}
	// The first one rewritten by hand: read again, with its new content.
	r := testRun("20260302T000000.000Z-byhand1", "exp9", 90)
	r.Result.Metrics["val_acc"] = 0.01
	files, err := RunFiles(r)
	if err != nil {
		t.Fatal(err)
	}
	adds, err := writeFiles(s.repo.Storer, files[:1])
	if err != nil {
		t.Fatal(err)
	}
	adds[0].Replace = true
	commitByHand(t, s, adds)
	up := checkIndex(t, dir, 9)
	idx, err := up.Index()
	if err != nil {
		t.Fatal(err)
	}
	if e := idx.Lookup("20260302T000000.000Z-byhand1"); up.recordReads != 1 || len(e) != 1 || e[0].Metrics["val_acc"] != 0.01 {
		t.Errorf("after the rewrite: %d records read, the run reads %+v; want 1 read and val_acc 0.01", up.recordReads, e)
	}
}

// TestCachedSegmentDamagedBehindItsChecksum: a cached segment that passes
// its checksum but does not decode (changed after it was checked) is
// caught while the runs are read. Index reads the branch again and
// answers in full; Scan, which has handed runs out already, says the
// cache was damaged and removed, and the next command reads in full.
func TestCachedSegmentDamagedBehindItsChecksum(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	deliverBatches(t, openStore(t, dir, Options{}), 2, 3)
	s := checkIndex(t, dir, 6)
	segs := cachedSegments(t, s)
	if len(segs) == 0 {
		t.Fatal("nothing cached")
	}
	path := s.partPath(plumbing.NewHash(segs[0]))
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := cutBehindChecksum(t, good)

	os.WriteFile(path, bad, 0o644)
	idx, err := openStore(t, dir, Options{}).Index()
	if err != nil || len(idx.Entries) != 6 {
		t.Fatalf("Index over the damaged cache: %v, %v; want the 6 runs", idx, err)
	}

	os.WriteFile(path, bad, 0o644)
	n := 0
	_, err = openStore(t, dir, Options{}).Scan(func(*Entry) bool { n++; return true })
	if err == nil || !strings.Contains(err.Error(), "was damaged and has been removed; run the command again") {
		t.Errorf("Scan over the damaged cache (%d runs): %v, want the cache named as damaged and removed", n, err)
	}
	if _, err := os.Stat(s.manifestPath()); !os.IsNotExist(err) {
		t.Errorf("the damaged cache's manifest is still there (%v)", err)
	}
	checkIndex(t, dir, 6)
}

// TestWhyARecordIsSkipped pins the warning a record that cannot be
// indexed gets: a schema this assay does not read is named as such even
// when the rest does not decode as this schema's record would; a record
// of this schema that does not decode is not valid.
func TestWhyARecordIsSkipped(t *testing.T) {
	files, err := RunFiles(testRun("20260301T120000.000Z-aaaa", "resnet", 1))
	if err != nil {
		t.Fatal(err)
	}
	good := files[0]
	for _, tc := range []struct {
		name, path, data string
		want             string // the problem's start (Go's JSON error follows)
	}{
		{name: "a good record", path: good.Path, data: string(good.Data)},
		{name: "not JSON", path: good.Path, data: `{not json`,
			want: "is not a valid record ("},
		{name: "another schema", path: good.Path, data: `{"schema": "assay.run/v9", "run_id": "x"}`,
			want: `has schema "assay.run/v9", which this assay does not read (it reads "` + runner.ResultSchema + `"); skipped`},
		{name: "another schema that does not decode as this one", path: good.Path, data: `{"schema": "assay.run/v2", "seed": "one"}`,
			want: `has schema "assay.run/v2", which this assay does not read (it reads "` + runner.ResultSchema + `"); skipped`},
		{name: "this schema, not decoding", path: good.Path, data: `{"schema": "` + runner.ResultSchema + `", "seed": "one"}`,
			want: "is not a valid record ("},
		{name: "a record at another run's path", path: RecordPath("resnet", "ab12cd34ef56ab12", "20260301T120000.000Z-bbbb"), data: string(good.Data),
			want: "holds run 20260301T120000.000Z-aaaa of resnet (key "},
	} {
		e, problem := entryFromRecord(tc.path, []byte(tc.data))
		if tc.want == "" {
			if problem != "" || e == nil || e.RunID != "20260301T120000.000Z-aaaa" {
				t.Errorf("%s: entry %+v, problem %q; want the run and no problem", tc.name, e, problem)
			}
			continue
		}
		if e != nil || !strings.HasPrefix(problem, tc.want) || !strings.HasSuffix(problem, "; skipped") {
			t.Errorf("%s: entry %+v, problem\n%q\nwant\n%q", tc.name, e, problem, tc.want)
		}
	}
}

// TestASegmentNotInOrder: a segment another tool wrote, its entries out
// of order and one run listed twice, still reads as every run once, in
// run id order, two runs of one id in trial key order.
func TestASegmentNotInOrder(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	deliverBatches(t, s, 1, 4)
	want := recordsTruth(t, dir).Entries
	_, segs := splitSegments(branchFiles(t, dir, "assay/results"))
	if len(segs) != 1 {
		t.Fatalf("segments %v, want 1", segs)
	}
	blob := strings.TrimSpace(git_(t, dir, "rev-parse", "assay/results:"+segs[0]))
	seg, err := decodeSegment([]byte(git_(t, dir, "cat-file", "blob", blob)))
	if err != nil {
		t.Fatal(err)
	}
	// A run of the third's id under another key, sorting before it.
	twin := *seg.entries[2]
	if twin.TrialKey[0] != '0' {
		twin.TrialKey = "0" + twin.TrialKey[1:]
	} else {
		twin.TrialKey = "f" + twin.TrialKey[1:]
	}
	want = append(want, &twin)
	sort.SliceStable(want, func(i, j int) bool {
		if want[i].RunID != want[j].RunID {
			return want[i].RunID < want[j].RunID
		}
		return want[i].TrialKey < want[j].TrialKey
	})
	out := &segment{covers: seg.covers}
	for _, i := range []int{3, 1, 2, 1, 0} {
		out.entries = append(out.entries, seg.entries[i])
		out.blobs = append(out.blobs, seg.blobs[i])
	}
	out.entries = append(out.entries, &twin)
	out.blobs = append(out.blobs, seg.blobs[2])
	replaceSegment(t, s, segs[0], encodeSegment(out))
	s.dropCache()

	idx, err := openStore(t, dir, Options{}).Index()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, idx.Entries, cmpopts.EquateEmpty()); d != "" {
		t.Errorf("runs (-want +got):\n%s", d)
	}
}
