package results

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Reports lists the pull requests' reports newest first, as the branch's
// history wrote them, and reads each one back; files that do not follow
// the layout (pr-0 included) are left out, reports written by one commit
// (a markdown report and its HTML twin) are listed by path, and those
// written by hand (no report commit names them) come last, by path.
func TestReportsNewestFirst(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	ctx := context.Background()
	put := func(p, body string) {
		t.Helper()
		if err := s.PutReport(ctx, p, []byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	put("reports/pr-7/aaaa.html", "<p>7 a</p>")
	put("reports/pr-8/bbbb.md", "# 8 b")
	put("reports/pr-7/cccc.html", "<p>7 c</p>")
	put("reports/pr-x/dddd.html", "not a pull request")
	put("reports/pr-8/bbbb.md", "# 8 b, rewritten")
	put("reports/pr-9/eeee.txt", "not a report")
	put("reports/pr-0/0000.md", "no pull request is number 0")
	if err := s.PutReports(ctx, []File{
		{Path: "reports/pr-5/gggg.md", Data: []byte("# 5 g")},
		{Path: "reports/pr-5/gggg.html", Data: []byte("<p>5 g</p>")},
	}); err != nil {
		t.Fatal(err)
	}

	// Reports added by hand, with a commit that does not name them.
	wt := t.TempDir()
	git_(t, dir, "worktree", "add", "-q", wt, "assay/results")
	for _, pr := range []string{"pr-3", "pr-2"} {
		os.MkdirAll(filepath.Join(wt, "reports", pr), 0o755)
		os.WriteFile(filepath.Join(wt, "reports", pr, "ffff.md"), []byte("# by hand"), 0o644)
	}
	git_(t, wt, "add", "-A")
	git_(t, wt, "commit", "-q", "-m", "add a report by hand")
	git_(t, dir, "worktree", "remove", "--force", wt)

	got, err := s.Reports()
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, f := range got {
		paths = append(paths, f.Path)
	}
	want := []string{
		"reports/pr-5/gggg.html", "reports/pr-5/gggg.md",
		"reports/pr-8/bbbb.md", "reports/pr-7/cccc.html", "reports/pr-7/aaaa.html",
		"reports/pr-2/ffff.md", "reports/pr-3/ffff.md",
	}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Fatalf("reports (-want +got):\n%s", diff)
	}
	if f := got[3]; f.PR != 7 || f.HeadSHA != "cccc" || f.Format != "html" || f.Written.IsZero() {
		t.Errorf("report %+v", f)
	}
	if !got[6].Written.IsZero() {
		t.Errorf("a report no report commit names has a time: %v", got[6].Written)
	}
	var b bytes.Buffer
	if err := s.ReadReport(got[2], &b); err != nil || b.String() != "# 8 b, rewritten" {
		t.Errorf("ReadReport = %q, %v", b.String(), err)
	}
}

// TestReportsOfAShallowCopy: a copy of the results branch fetched with
// --depth still lists its reports when one was added by hand, whose
// search runs past the oldest commit the copy has: those whose report
// commit lies beyond it come last, with no time, as hand-added ones do.
func TestReportsOfAShallowCopy(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	ctx := context.Background()
	for _, p := range []string{"reports/pr-1/aaaa.md", "reports/pr-2/bbbb.md", "reports/pr-3/cccc.md"} {
		if err := s.PutReport(ctx, p, []byte("# "+p)); err != nil {
			t.Fatal(err)
		}
	}
	wt := t.TempDir()
	git_(t, dir, "worktree", "add", "-q", wt, "assay/results")
	os.MkdirAll(filepath.Join(wt, "reports", "pr-4"), 0o755)
	os.WriteFile(filepath.Join(wt, "reports", "pr-4", "dddd.md"), []byte("# by hand"), 0o644)
	git_(t, wt, "add", "-A")
	git_(t, wt, "commit", "-q", "-m", "add a report by hand")
	git_(t, dir, "worktree", "remove", "--force", wt)

	clone := filepath.Join(t.TempDir(), "clone")
	git_(t, dir, "clone", "-q", "--depth", "1", "file://"+dir, clone)
	git_(t, clone, "fetch", "-q", "--depth", "2", "origin", "assay/results:refs/remotes/origin/assay/results")
	if n := git_(t, clone, "rev-list", "--count", "origin/assay/results"); n != "2\n" && n != "2" {
		t.Fatalf("the shallow copy holds %q commits of the branch, want 2", n)
	}
	got, err := openStore(t, clone, Options{}).Reports()
	if err != nil {
		t.Fatalf("Reports of a shallow copy: %v", err)
	}
	var paths []string
	for _, f := range got {
		paths = append(paths, f.Path)
	}
	want := []string{"reports/pr-3/cccc.md", "reports/pr-1/aaaa.md", "reports/pr-2/bbbb.md", "reports/pr-4/dddd.md"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Fatalf("reports (-want +got):\n%s", diff)
	}
	if got[0].Written.IsZero() || !got[1].Written.IsZero() {
		t.Errorf("times: %v and %v, want the first only", got[0].Written, got[1].Written)
	}
}
