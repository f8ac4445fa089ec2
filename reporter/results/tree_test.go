package results

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assaylab/assay/runner"
)

// A report folder beside a report file of the same stem: git orders a
// folder as if its name ended in "/", so reports/nightly.md comes before
// reports/nightly/; a tree in any other order is one git fsck refuses.
func TestReportFileBesideAFolderOfTheSameStem(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	files := []File{
		{Path: "reports/nightly/plot.md", Data: []byte("plot\n")},
		{Path: "reports/nightly.md", Data: []byte("# nightly\n")},
		{Path: "reports/nightly-2.md", Data: []byte("# second\n")},
	}
	if err := s.commitReports(files); err != nil {
		t.Fatal(err)
	}
	git_(t, dir, "fsck", "--strict", "--no-dangling")
	for _, f := range files {
		if got := git_(t, dir, "show", "assay/results:"+f.Path); got != string(f.Data) {
			t.Errorf("%s = %q, want %q", f.Path, got, f.Data)
		}
	}
}

// A report where the branch has a folder, or in a folder where the branch
// has a file, is refused with the path, and the branch stays as it was.
func TestReportThatCollidesWithTheBranch(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	if err := s.commitReports([]File{{Path: "reports/a/b.md", Data: []byte("b\n")}, {Path: "reports/c.md", Data: []byte("c\n")}}); err != nil {
		t.Fatal(err)
	}
	tip := git_(t, dir, "rev-parse", "assay/results")
	for _, c := range []struct{ path, want string }{
		{"reports/a", "reports/a is a folder on the results branch, not a file"},
		{"reports/c.md/d.md", "reports/c.md is a file on the results branch, not a folder"},
	} {
		err := s.commitReports([]File{{Path: c.path, Data: []byte("x\n")}})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.path, err, c.want)
		}
	}
	if got := git_(t, dir, "rev-parse", "assay/results"); got != tip {
		t.Errorf("the branch moved from %s to %s", tip, got)
	}
}

// Someone replaces a run's folder with a file on the remote, and deletes
// a run beside it: each run's files are reported deleted, by path, and
// the file in the folder's place is not mistaken for a changed record.
func TestARunFolderReplacedByAFileIsReported(t *testing.T) {
	requireGit(t)
	bare, dirs := sharedRemote(t, 1)
	dir := dirs[0]
	s := openStore(t, dir, Options{})
	ctx := context.Background()
	r2, r3 := testRun("r2", "exp", 2), testRun("r3", "exp", 3)
	r3.Result.TrialKey = r2.Result.TrialKey[:len(r2.Result.TrialKey)-1] + "0" // the same folder of keys
	if _, err := s.Deliver(ctx, putRuns(t, s, testRun("r1", "exp", 1), r2, r3)); err != nil {
		t.Fatal(err)
	}
	work := filepath.Join(t.TempDir(), "fix")
	git_(t, filepath.Dir(work), "clone", "-q", "--branch", "assay/results", bare, work)
	runDir := RunDir("exp", r2.Result.TrialKey)
	git_(t, work, "rm", "-q", "-r", runDir, RunDir("exp", r3.Result.TrialKey))
	note := filepath.Join(work, filepath.FromSlash(runDir))
	os.MkdirAll(filepath.Dir(note), 0o755) // git rm took the emptied folder above
	if err := os.WriteFile(note, []byte("gone\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git_(t, work, "add", runDir)
	git_(t, work, "commit", "-q", "-m", "replace a run with a note")
	git_(t, work, "push", "-q", "origin", "assay/results")

	var warnings bytes.Buffer
	s = openStore(t, dir, Options{})
	s.SetWarnings(&warnings)
	if err := s.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	want := "4 files deleted:"
	for _, r := range []*runner.Run{r3, r2} { // in path order
		k, id := r.Result.TrialKey, r.Result.RunID
		want += "\n    " + RecordPath("exp", k, id) + "\n    " + SeriesPath("exp", k, id)
	}
	want += "\n  assay follows"
	if w := warnings.String(); !strings.Contains(w, want) || strings.Contains(w, "changed") {
		t.Errorf("the warning reads:\n%s\nwant it to hold:\n%s", w, want)
	}
}

// A clone pushes two commits and stops before it notes that the remote
// has them; someone then deletes the first commit's run on the remote.
// The clone's next sync finds its newer commit's files already there and
// puts nothing back: the deleted run stays deleted.
func TestAPushThatWasNotNotedBringsNothingDeletedBack(t *testing.T) {
	requireGit(t)
	bare, dirs := sharedRemote(t, 1)
	dir := dirs[0]
	s := openStore(t, dir, Options{})
	ctx := context.Background()
	var before string
	for _, id := range []string{"r0", "r1", "r2"} { // a commit each
		if _, err := s.Deliver(ctx, putRuns(t, s, testRun(id, "exp", 1))); err != nil {
			t.Fatal(err)
		}
		if id == "r0" {
			before = strings.TrimSpace(git_(t, dir, "rev-parse", "assay/results"))
		}
	}
	// The pushes of r1 and r2 as if never noted: the remote-tracking ref
	// and the last fetched tip go back to r0's commit.
	for _, ref := range []string{"refs/remotes/origin/assay/results", "refs/assay/seen/assay/results"} {
		git_(t, dir, "update-ref", ref, before)
	}
	idx, err := s.Index()
	if err != nil {
		t.Fatal(err)
	}
	del := idx.Lookup("r1")[0]
	work := filepath.Join(t.TempDir(), "fix")
	git_(t, filepath.Dir(work), "clone", "-q", "--branch", "assay/results", bare, work)
	git_(t, work, "rm", "-q", "-r", RunDir(del.Experiment, del.TrialKey))
	git_(t, work, "commit", "-q", "-m", "drop a bad run")
	git_(t, work, "push", "-q", "origin", "assay/results")

	if _, err := openStore(t, dir, Options{}).Sync(ctx); err != nil {
		t.Fatal(err)
	}
	for _, f := range branchFiles(t, bare, "assay/results") {
		if strings.HasPrefix(f, RunDir(del.Experiment, del.TrialKey)+"/") {
			t.Errorf("%s, deleted on the remote, came back", f)
		}
	}
	checkRemote(t, bare)
}
