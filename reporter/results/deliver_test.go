package results

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/runner"
)

func TestDeliverWithoutRemoteKeepsBranchLocally(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	headBefore := git_(t, dir, "rev-parse", "HEAD")
	s := openStore(t, dir, Options{})
	log := filepath.Join(t.TempDir(), "log")
	os.WriteFile(log, []byte(strings.Repeat("epoch line\n", 2000)), 0o644)
	r1, r2 := testRun("20260301T120000.000Z-aaaa", "resnet", 1), testRun("20260301T120100.000Z-bbbb", "mlp", 2)
	r1.LogPath = log
	sp := putRuns(t, s, r1, r2)

	rep, err := s.Deliver(context.Background(), sp)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Recorded != 2 || rep.AlreadyRecorded != 0 || len(rep.Problems) != 0 {
		t.Errorf("report = %+v", rep)
	}
	if ids, _ := sp.List(); len(ids) != 0 {
		t.Errorf("spool still holds %v", ids)
	}
	files, segs := splitSegments(branchFiles(t, dir, "assay/results"))
	if len(segs) != 1 || !strings.HasPrefix(segs[0], IndexDir+"/L0-20260301T120000.000Z-aaaa-") {
		t.Errorf("index segments %v, want one of level 0 named for the first run", segs)
	}
	want := []string{
		LogPath("resnet", r1.Result.TrialKey, r1.Result.RunID),
		RecordPath("resnet", r1.Result.TrialKey, r1.Result.RunID),
		SeriesPath("resnet", r1.Result.TrialKey, r1.Result.RunID),
		RecordPath("mlp", r2.Result.TrialKey, r2.Result.RunID),
		SeriesPath("mlp", r2.Result.TrialKey, r2.Result.RunID),
	}
	if diff := cmp.Diff(sortedCopy(want), sortedCopy(files)); diff != "" {
		t.Errorf("branch files (-want +got):\n%s", diff)
	}
	// The log tail is cut to LogTailBytes.
	tail := git_(t, dir, "show", "assay/results:"+LogPath("resnet", r1.Result.TrialKey, r1.Result.RunID))
	if len(tail) > LogTailBytes || !strings.HasPrefix(tail, "[assay: ") || !strings.HasSuffix(tail, "epoch line\n") {
		t.Errorf("log tail is %d bytes, starting %q", len(tail), tail[:40])
	}
	msg := git_(t, dir, "log", "-1", "--format=%B", "assay/results")
	for _, w := range []string{"assay: record 2 runs of mlp, resnet", "Assay-Source-Commit: 0123456789abcdef", "Assay-PR: 7", "Assay-Trigger: pr"} {
		if !strings.Contains(msg, w) {
			t.Errorf("commit message lacks %q:\n%s", w, msg)
		}
	}
	trailers := git_(t, dir, "log", "-1", "--format=%(trailers:key=Assay-PR,valueonly)", "assay/results")
	if strings.TrimSpace(trailers) != "7" {
		t.Errorf("git reads trailer Assay-PR as %q", trailers)
	}
	git_(t, dir, "fsck", "--strict", "--no-dangling")
	// The user's branch, index and work tree are untouched.
	if got := git_(t, dir, "rev-parse", "HEAD"); got != headBefore {
		t.Errorf("HEAD moved from %s to %s", headBefore, got)
	}
	if st := git_(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("work tree changed:\n%s", st)
	}
	if n := git_(t, dir, "rev-list", "--count", "assay/results"); strings.TrimSpace(n) != "1" {
		t.Errorf("results branch has %s commits", n)
	}
}

func TestRedeliveringARecordedRunChangesNothing(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	run := testRun("20260301T120000.000Z-aaaa", "resnet", 1)
	sp := putRuns(t, s, run)
	if _, err := s.Deliver(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	tip := git_(t, dir, "rev-parse", "assay/results")
	// A crash after the commit but before the spool was emptied leaves
	// the run spooled again.
	sp = putRuns(t, s, run)
	rep, err := s.Deliver(context.Background(), sp)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Recorded != 0 || rep.AlreadyRecorded != 1 {
		t.Errorf("report = %+v", rep)
	}
	if got := git_(t, dir, "rev-parse", "assay/results"); got != tip {
		t.Errorf("branch moved from %s to %s", tip, got)
	}
	if ids, _ := sp.List(); len(ids) != 0 {
		t.Errorf("spool still holds %v", ids)
	}
}

func TestBadSpooledRunStaysInTheSpool(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	good := testRun("20260301T120000.000Z-aaaa", "resnet", 1)
	bad := testRun("20260301T120000.000Z-bbbb", "../escape", 2)
	sp := putRuns(t, s, good, bad)
	rep, err := s.Deliver(context.Background(), sp)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Recorded != 1 || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Error(), "bbbb") {
		t.Errorf("report = %+v", rep)
	}
	if ids, _ := sp.List(); len(ids) != 1 || ids[0] != bad.Result.RunID {
		t.Errorf("spool holds %v, want the bad run only", ids)
	}
}

func TestIndexFollowsTheBranch(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	a := testRun("20260301T120000.000Z-aaaa", "resnet", 1)
	b := testRun("20260301T120100.000Z-bbbb", "resnet", 2)
	b.Result.Status = runner.StatusFailed
	if _, err := s.Deliver(context.Background(), putRuns(t, s, a, b)); err != nil {
		t.Fatal(err)
	}
	idx, err := s.Index()
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Entries) != 2 || !s.Recorded(a.Result.TrialKey) || s.Recorded(b.Result.TrialKey) {
		t.Fatalf("index has %d entries; recorded(a)=%v recorded(b)=%v", len(idx.Entries), s.Recorded(a.Result.TrialKey), s.Recorded(b.Result.TrialKey))
	}
	got := idx.Entries[0]
	if got.RunID != a.Result.RunID || got.Metrics["val_acc"] != a.Result.Metrics["val_acc"] || got.Params["opt"] != "adam" || got.PR != 7 {
		t.Errorf("entry = %+v", got)
	}

	// Someone commits a corrupt record and one of a future schema: both
	// are warnings naming the path, and the rest still reads.
	other := t.TempDir()
	git_(t, other, "clone", "-q", "--branch", "assay/results", dir, ".")
	bad := RecordPath("resnet", "ff00", "20260302T000000.000Z-cccc")
	future := RecordPath("resnet", "ff01", "20260302T000000.000Z-dddd")
	os.MkdirAll(filepath.Join(other, filepath.Dir(bad)), 0o755)
	os.MkdirAll(filepath.Join(other, filepath.Dir(future)), 0o755)
	os.WriteFile(filepath.Join(other, bad), []byte("{not json"), 0o644)
	os.WriteFile(filepath.Join(other, future), []byte(`{"schema":"assay.run/v9","run_id":"x"}`), 0o644)
	git_(t, other, "add", ".")
	git_(t, other, "commit", "-q", "-m", "hand-written records")
	git_(t, other, "push", "-q", "origin", "assay/results")

	c := testRun("20260301T120200.000Z-eeee", "mlp", 3)
	if _, err := s.Commit(putRuns(t, s, c)); err != nil {
		t.Fatal(err)
	}
	fresh := openStore(t, dir, Options{})
	idx, err = fresh.Index()
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Entries) != 3 {
		t.Errorf("index has %d entries after the update, want 3", len(idx.Entries))
	}
	var warned []string
	for _, w := range idx.Warnings {
		warned = append(warned, w.Path)
	}
	if diff := cmp.Diff(sortedCopy([]string{bad, future}), sortedCopy(warned)); diff != "" {
		t.Errorf("warnings (-want +got):\n%s\n%v", diff, idx.Warnings)
	}
	// A rebuild from scratch agrees with the incremental update.
	os.RemoveAll(filepath.Join(dir, ".git", "assay", "index"))
	rebuilt, err := openStore(t, dir, Options{}).Index()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(idx, rebuilt, cmp.AllowUnexported(Index{})); diff != "" {
		t.Errorf("rebuilt index differs (-incremental +rebuilt):\n%s", diff)
	}
}

func TestRunLookupByPrefix(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	a := testRun("20260301T120000.000Z-aaaa", "resnet", 1)
	b := testRun("20260301T120000.000Z-aabb", "resnet", 2)
	if _, err := s.Deliver(context.Background(), putRuns(t, s, a, b)); err != nil {
		t.Fatal(err)
	}
	d, err := s.Run("20260301T120000.000Z-aab")
	if err != nil {
		t.Fatal(err)
	}
	if d.Result.RunID != b.Result.RunID || len(d.Series["val_acc"]) != 20 {
		t.Errorf("got %s with %d points", d.Result.RunID, len(d.Series["val_acc"]))
	}
	var amb *AmbiguousError
	if _, err := s.Run("20260301T120000.000Z-aa"); !errors.As(err, &amb) || len(amb.Matches) != 2 {
		t.Errorf("ambiguous prefix: %v", err)
	}
	if _, err := s.Run("2027"); !errors.Is(err, ErrNoRun) {
		t.Errorf("unknown prefix: %v", err)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return out
}

func TestRefusesToMoveACheckedOutResultsBranch(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	if _, err := s.Deliver(context.Background(), putRuns(t, s, testRun("20260301T120000.000Z-aaaa", "resnet", 1))); err != nil {
		t.Fatal(err)
	}
	git_(t, dir, "checkout", "-q", "assay/results")
	sp := putRuns(t, s, testRun("20260301T120100.000Z-bbbb", "resnet", 2))
	_, err := s.Deliver(context.Background(), sp)
	if err == nil || !strings.Contains(err.Error(), "checked out") {
		t.Fatalf("err = %v", err)
	}
	if ids, _ := sp.List(); len(ids) != 1 {
		t.Errorf("the run left the spool: %v", ids)
	}
	if st := git_(t, dir, "status", "--porcelain"); st != "" {
		t.Errorf("work tree changed:\n%s", st)
	}
}

func TestASecondRunOfAKeyIsRecordedBesideTheFirst(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	first := testRun("20260301T120000.000Z-aaaa", "resnet", 1)
	again := testRun("20260302T120000.000Z-bbbb", "resnet", 1)
	again.Result.TrialKey = first.Result.TrialKey
	for _, r := range []*runner.Run{first, again} {
		if _, err := s.Deliver(context.Background(), putRuns(t, s, r)); err != nil {
			t.Fatal(err)
		}
	}
	idx, err := s.Index()
	if err != nil {
		t.Fatal(err)
	}
	if runs := idx.ByKey(first.Result.TrialKey); len(runs) != 2 || runs[0].RunID != first.Result.RunID {
		t.Errorf("runs of the key: %v", runs)
	}
	if got := idx.ByExperiment("resnet"); len(got) != 2 {
		t.Errorf("runs of the experiment: %d", len(got))
	}
	if got := idx.BySource("0123456"); len(got) != 2 {
		t.Errorf("runs of the source commit: %d", len(got))
	}
}

func TestArtifactsOutliveTheSpoolEntry(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	run := testRun("20260301T120000.000Z-aaaa", "resnet", 1)
	sp := putRuns(t, s, run)
	art := filepath.Join(sp.Dir, run.Result.RunID, "artifacts")
	os.MkdirAll(art, 0o755)
	os.WriteFile(filepath.Join(art, "model.pt"), []byte("weights"), 0o644)
	if _, err := s.Deliver(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(s.ArtifactsDir(run.Result.RunID), "model.pt"))
	if err != nil || string(b) != "weights" {
		t.Errorf("artifact after delivery: %q, %v", b, err)
	}
}
