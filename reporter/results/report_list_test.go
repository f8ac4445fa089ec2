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
// the layout are left out, and one written by hand (no report commit
// names it) comes last.
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

	// A report added by hand, with a commit that does not name it.
	wt := t.TempDir()
	git_(t, dir, "worktree", "add", "-q", wt, "assay/results")
	os.MkdirAll(filepath.Join(wt, "reports", "pr-3"), 0o755)
	os.WriteFile(filepath.Join(wt, "reports", "pr-3", "ffff.md"), []byte("# by hand"), 0o644)
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
	want := []string{"reports/pr-8/bbbb.md", "reports/pr-7/cccc.html", "reports/pr-7/aaaa.html", "reports/pr-3/ffff.md"}
	if diff := cmp.Diff(want, paths); diff != "" {
		t.Fatalf("reports (-want +got):\n%s", diff)
	}
	if f := got[1]; f.PR != 7 || f.HeadSHA != "cccc" || f.Format != "html" || f.Written.IsZero() {
		t.Errorf("report %+v", f)
	}
	if !got[3].Written.IsZero() {
		t.Errorf("a report no report commit names has a time: %v", got[3].Written)
	}
	var b bytes.Buffer
	if err := s.ReadReport(got[0], &b); err != nil || b.String() != "# 8 b, rewritten" {
		t.Errorf("ReadReport = %q, %v", b.String(), err)
	}
}
