package results

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/runner"
)

func TestRunReadsASpooledRunUntilItIsRecorded(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	run := testRun("20260301T120000.000Z-spool", "resnet", 1)
	log := filepath.Join(t.TempDir(), "log")
	os.WriteFile(log, []byte("epoch 1\nboom: out of memory\n"), 0o644)
	run.LogPath = log
	sp := putRuns(t, s, run)

	// assay run prints "assay show ID" for a failed trial before the run
	// is recorded: the spool answers.
	d, err := s.Run("20260301T120000.000Z-sp")
	if err != nil {
		t.Fatal(err)
	}
	if d.Path != filepath.Join(sp.Dir, run.Result.RunID) || !strings.Contains(string(d.Log), "boom") {
		t.Errorf("spooled run: path %s, log %q", d.Path, d.Log)
	}
	if _, err := s.Deliver(context.Background(), sp); err != nil {
		t.Fatal(err)
	}
	// Once recorded, the branch answers, and the spool's copy is gone.
	d, err = s.Run(run.Result.RunID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Path != RecordPath("resnet", run.Result.TrialKey, run.Result.RunID) || !strings.Contains(string(d.Log), "boom") {
		t.Errorf("recorded run: path %s, log %q", d.Path, d.Log)
	}
}

func TestUnreadableRecordIsAnErrorNotAMissingRun(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	good, bad := testRun("r-good", "exp", 1), testRun("r-bad", "exp", 2)
	if _, err := s.Deliver(context.Background(), putRuns(t, s, good, bad)); err != nil {
		t.Fatal(err)
	}
	// Someone breaks a record with the git CLI.
	work := filepath.Join(t.TempDir(), "w")
	git_(t, dir, "worktree", "add", "-q", work, "assay/results")
	p := RecordPath("exp", bad.Result.TrialKey, "r-bad")
	os.WriteFile(filepath.Join(work, p), []byte(`{"schema": "assay.run/v1", "run_id": `), 0o644)
	git_(t, work, "commit", "-q", "-am", "edit by hand")
	git_(t, dir, "worktree", "remove", work)

	// Every reader, every time: a fresh Store reads the index file the
	// first one wrote, and still sees the problem.
	for i := 0; i < 2; i++ {
		s := openStore(t, dir, Options{})
		var ue *UnreadableError
		if _, err := s.Run("r-bad"); !errors.As(err, &ue) || ue.Records[0].Path != p {
			t.Fatalf("reader %d: Run of the broken record: %v, want an *UnreadableError naming %s", i, err, p)
		}
		if !strings.Contains(ue.Error(), "git show assay/results:"+p) {
			t.Errorf("the error does not say how to look at it: %v", ue)
		}
		if err := s.UnreadableKeys(map[string]bool{bad.Result.TrialKey: true}); !errors.As(err, &ue) {
			t.Errorf("reader %d: the broken trial's key: %v", i, err)
		}
		if err := s.UnreadableKeys(map[string]bool{good.Result.TrialKey: true}); err != nil {
			t.Errorf("reader %d: a good trial's key is refused: %v", i, err)
		}
		if _, err := s.Run("r-good"); err != nil {
			t.Errorf("reader %d: the good run: %v", i, err)
		}
	}
}

// TestRunPrefixes pins what `assay show PREFIX` answers: an id that is
// whole wins over the longer ids it starts, an ambiguous prefix names
// the first ten matches and how many more there are, and the spool
// answers the same way for runs not yet recorded.
func TestRunPrefixes(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	var runs []*runner.Run
	for i := 0; i < 12; i++ {
		runs = append(runs, testRun(fmt.Sprintf("20260301T120000.000Z-a%02d", i), "resnet", int64(i)))
	}
	// r-1 is a whole id and the start of r-10.
	runs = append(runs, testRun("r-1", "resnet", 20), testRun("r-10", "resnet", 21))
	if _, err := s.Deliver(context.Background(), putRuns(t, s, runs...)); err != nil {
		t.Fatal(err)
	}

	var amb *AmbiguousError
	_, err := s.Run("20260301T120000.000Z-a")
	if !errors.As(err, &amb) || len(amb.Matches) != 12 {
		t.Fatalf("a prefix of twelve runs: %v, want an *AmbiguousError with 12 matches", err)
	}
	msg := err.Error()
	want := "run id prefix \"20260301T120000.000Z-a\" is ambiguous; it matches 12 runs:\n  20260301T120000.000Z-a00\n"
	if !strings.HasPrefix(msg, want) || !strings.HasSuffix(msg, "  20260301T120000.000Z-a09\n  ... and 2 more\nGive more of the id.") {
		t.Errorf("the ambiguity is told as\n%s\nwant the first ten ids, \"... and 2 more\" and what to do", msg)
	}
	if strings.Contains(msg, "a10") || strings.Contains(msg, "a11") {
		t.Errorf("more than ten ids are listed:\n%s", msg)
	}
	// Exactly ten matches are all listed, with no "more".
	amb = &AmbiguousError{Prefix: "x", Matches: []string{"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9"}}
	if m := amb.Error(); !strings.Contains(m, "  x9\nGive") || strings.Contains(m, "... and") {
		t.Errorf("ten matches are told as\n%s", m)
	}

	for _, tc := range []struct{ prefix, want string }{
		{"r-1", "r-1"}, {"r-10", "r-10"}, {"20260301T120000.000Z-a11", "20260301T120000.000Z-a11"},
	} {
		d, err := s.Run(tc.prefix)
		if err != nil || d.Result.RunID != tc.want {
			t.Errorf("Run(%q): %v, %v; want run %s", tc.prefix, d, err, tc.want)
		}
	}
	// One store reads many runs in a row (a site reads thousands), each
	// its own.
	for round := 0; round < 2; round++ {
		for _, r := range runs {
			d, err := s.Run(r.Result.RunID)
			if err != nil || d.Result.RunID != r.Result.RunID || d.Result.Seed != r.Result.Seed || len(d.Series["val_acc"]) != 20 {
				t.Fatalf("round %d: Run(%s): %+v, %v", round, r.Result.RunID, d, err)
			}
		}
	}
	if _, err := s.Run(""); !errors.Is(err, ErrNoRun) {
		t.Errorf("an empty prefix: %v, want ErrNoRun", err)
	}

	// Runs still in the spool answer to their prefixes the same way.
	sp := putRuns(t, s, testRun("s-1", "resnet", 30), testRun("s-10", "resnet", 31), testRun("s-2", "resnet", 32))
	if d, err := s.Run("s-1"); err != nil || d.Path != filepath.Join(sp.Dir, "s-1") {
		t.Errorf("spooled s-1: %v, %v", d, err)
	}
	if d, err := s.Run("s-2"); err != nil || d.Path != filepath.Join(sp.Dir, "s-2") || d.Result.Seed != 32 {
		t.Errorf("spooled s-2: %v, %v", d, err)
	}
	if _, err := s.Run("s-"); !errors.As(err, &amb) || len(amb.Matches) != 3 {
		t.Errorf("a prefix of three spooled runs: %v, want an *AmbiguousError with 3 matches", err)
	}
	if _, err := s.Run("s-3"); !errors.Is(err, ErrNoRun) || !strings.Contains(err.Error(), `no run id starts with "s-3" on assay/results`) {
		t.Errorf("a prefix nothing has: %v", err)
	}
}

// TestOneStoreReadsRunsRecordedAfterItsLastRead: a long-lived reader
// (assay ui) reads a run, more runs are recorded, and it reads those.
func TestOneStoreReadsRunsRecordedAfterItsLastRead(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	ctx := context.Background()
	if _, err := s.Deliver(ctx, putRuns(t, s, testRun("r-first", "exp", 1))); err != nil {
		t.Fatal(err)
	}
	if d, err := s.Run("r-first"); err != nil || d.Result.Seed != 1 {
		t.Fatalf("the first run: %v, %v", d, err)
	}
	if _, err := s.Deliver(ctx, putRuns(t, s, testRun("r-second", "exp", 2))); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"r-second", "r-first"} {
		d, err := s.Run(id)
		if err != nil || d.Result.RunID != id || len(d.Series["val_acc"]) != 20 {
			t.Errorf("Run(%s) after the second delivery: %+v, %v", id, d, err)
		}
	}
}

// TestPrefixOfAnUnreadableRecordIsAnError: a prefix that matches one
// readable run and one whose record is broken does not quietly answer
// with the readable one.
func TestPrefixOfAnUnreadableRecordIsAnError(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	good, bad := testRun("r-good", "exp", 1), testRun("r-gone", "exp", 2)
	if _, err := s.Deliver(context.Background(), putRuns(t, s, good, bad)); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(t.TempDir(), "w")
	git_(t, dir, "worktree", "add", "-q", work, "assay/results")
	p := RecordPath("exp", bad.Result.TrialKey, "r-gone")
	os.WriteFile(filepath.Join(work, p), []byte(`{"schema": `), 0o644)
	git_(t, work, "commit", "-q", "-am", "edit by hand")
	git_(t, dir, "worktree", "remove", work)

	s = openStore(t, dir, Options{})
	var ue *UnreadableError
	if d, err := s.Run("r-go"); !errors.As(err, &ue) || ue.Records[0].Path != p {
		t.Fatalf("Run(r-go): %v, %v; want an *UnreadableError naming %s", d, err, p)
	}
	if d, err := s.Run("r-goo"); err != nil || d.Result.RunID != "r-good" {
		t.Errorf("Run(r-goo), which only the good run starts with: %v, %v", d, err)
	}
}

// TestManyUnreadableRecordsAreCounted: the error for broken records
// counts them, names the first ten and how many more, and says how to
// look at the first; one broken record is told in the singular.
func TestManyUnreadableRecordsAreCounted(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	var runs []*runner.Run
	for i := 0; i < 13; i++ {
		runs = append(runs, testRun(fmt.Sprintf("r%02d", i), "exp", int64(i)))
	}
	if _, err := s.Deliver(context.Background(), putRuns(t, s, runs...)); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(t.TempDir(), "w")
	git_(t, dir, "worktree", "add", "-q", work, "assay/results")
	var broken []string
	for _, r := range runs[:12] {
		p := RecordPath("exp", r.Result.TrialKey, r.Result.RunID)
		broken = append(broken, p)
		os.WriteFile(filepath.Join(work, p), []byte(`{"schema": `), 0o644)
	}
	git_(t, work, "commit", "-q", "-am", "edit by hand")
	git_(t, dir, "worktree", "remove", work)

	s = openStore(t, dir, Options{})
	err := s.Unreadable(nil)
	var ue *UnreadableError
	if !errors.As(err, &ue) || len(ue.Records) != 12 {
		t.Fatalf("Unreadable: %v, want 12 records", err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "12 run records on assay/results cannot be read, so assay cannot tell what they hold:\n  ") ||
		!strings.Contains(msg, "\n  ... and 2 more\nLook at it with: git show assay/results:"+ue.Records[0].Path) {
		t.Errorf("the error reads\n%s", msg)
	}
	if n := strings.Count(msg, "\n  runs/exp/"); n != 10 {
		t.Errorf("the error names %d records, want the first 10:\n%s", n, msg)
	}
	if err := s.UnreadableKeys(map[string]bool{runs[12].Result.TrialKey: true}); err != nil {
		t.Errorf("the readable run's key: %v", err)
	}
	if err := s.UnreadableKeys(nil); err != nil {
		t.Errorf("no keys: %v", err)
	}
	err = s.UnreadableKeys(map[string]bool{runs[3].Result.TrialKey: true})
	if err == nil || !strings.HasPrefix(err.Error(), "1 run record on assay/results cannot be read, so assay cannot tell what it holds:\n  "+broken[3]) {
		t.Errorf("one broken record reads: %v", err)
	}
	// Exactly ten are all named.
	ue.Records = ue.Records[:10]
	if m := ue.Error(); strings.Contains(m, "... and") || strings.Count(m, "\n  runs/exp/") != 10 {
		t.Errorf("ten broken records read\n%s", m)
	}
}

// A store that read the index scans it from memory while the tip stays,
// stopping where the caller stops, and scans the runs recorded since once
// the tip moves.
func TestScanOfOneStoreFollowsTheTip(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	ctx := context.Background()
	if _, err := s.Deliver(ctx, putRuns(t, s, testRun("r-1", "exp", 1), testRun("r-2", "exp", 2))); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Index(); err != nil {
		t.Fatal(err)
	}
	scan := func(stopAfter int) ([]string, int) {
		t.Helper()
		var ids []string
		sum, err := s.Scan(func(e *Entry) bool {
			ids = append(ids, e.RunID)
			return len(ids) < stopAfter
		})
		if err != nil {
			t.Fatal(err)
		}
		return ids, sum.Runs
	}
	if ids, runs := scan(1); !cmp.Equal(ids, []string{"r-1"}) || runs != 1 {
		t.Errorf("a scan stopped after one run saw %v and counted %d runs, want [r-1] and 1", ids, runs)
	}
	if _, err := s.Deliver(ctx, putRuns(t, s, testRun("r-3", "exp", 3))); err != nil {
		t.Fatal(err)
	}
	if ids, runs := scan(10); !cmp.Equal(ids, []string{"r-1", "r-2", "r-3"}) || runs != 3 {
		t.Errorf("a scan after r-3 was recorded saw %v and counted %d runs, want [r-1 r-2 r-3] and 3", ids, runs)
	}
}
