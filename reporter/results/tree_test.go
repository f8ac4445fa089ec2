package results

import (
	"strings"
	"testing"
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
