package results

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// Reports go on the branch beside the runs, pushed like them; writing the
// same report again adds nothing, a newer one replaces it, and runs are
// never touched.
func TestPutReportOverGitDaemon(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	bare := newBareRemote(t, base, "team.git")
	url := gitDaemon(t, base, freePort(t)) + "team.git"
	dir := newCodeRepo(t)
	setOrigin(t, dir, url)
	s := openStore(t, dir, Options{})
	ctx := context.Background()
	if _, err := s.Deliver(ctx, putRuns(t, s, testRun("20260301T120000.000Z-aaaa", "resnet", 1))); err != nil {
		t.Fatal(err)
	}
	const p = "reports/pr-7/0123456789abcdef0123456789abcdef01234567.md"
	if err := s.PutReports(ctx, []File{{Path: p, Data: []byte("# v1\n")}, {Path: strings.TrimSuffix(p, ".md") + ".html", Data: []byte("<p>v1</p>\n")}}); err != nil {
		t.Fatal(err)
	}
	if got := git_(t, bare, "show", "assay/results:"+p); got != "# v1\n" {
		t.Errorf("remote report = %q", got)
	}
	commits := func() string { return strings.TrimSpace(git_(t, bare, "rev-list", "--count", "assay/results")) }
	before := commits()
	if err := s.PutReport(ctx, p, []byte("# v1\n")); err != nil {
		t.Fatal(err)
	}
	if after := commits(); after != before {
		t.Errorf("rewriting the same report made a commit: %s → %s", before, after)
	}
	if err := s.PutReport(ctx, p, []byte("# v2\n")); err != nil {
		t.Fatal(err)
	}
	if got := git_(t, bare, "show", "assay/results:"+p); got != "# v2\n" {
		t.Errorf("remote report after an update = %q", got)
	}
	if n := countRecords(branchFiles(t, bare, "assay/results")); n != 1 {
		t.Errorf("remote holds %d records, want the one run", n)
	}
	checkRemote(t, bare)

	for _, bad := range []string{"runs/x/ab/abc/1.json", "reports/../runs/x.json", "/reports/x.md", "notes.md"} {
		err := s.PutReport(ctx, bad, []byte("x"))
		if want := fmt.Sprintf("report path %q must be a clean path under reports/", bad); err == nil || err.Error() != want {
			t.Errorf("PutReport(%q) = %v; want the error %q (only reports/ may be written)", bad, err, want)
		}
	}
}

// Two writers race on one report: the one that pushes last re-applies its
// report on the other's tip, so the newest report wins and both writers'
// runs stay.
func TestPutReportRaceNewestWins(t *testing.T) {
	requireGit(t)
	bare, dirs := sharedRemote(t, 2)
	alice, bob := dirs[0], dirs[1]
	ctx := context.Background()
	sa, sb := openStore(t, alice, Options{}), openStore(t, bob, Options{})
	const p = "reports/pr-1/abc.md"
	// Bob commits his run and an older report locally, before Alice pushes.
	if _, err := sb.Commit(putRuns(t, sb, testRun("20260301T120500.000Z-bbbb", "resnet", 2))); err != nil {
		t.Fatal(err)
	}
	if err := sb.commitReports([]File{{Path: p, Data: []byte("bob\n")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sa.Deliver(ctx, putRuns(t, sa, testRun("20260301T120000.000Z-aaaa", "resnet", 1))); err != nil {
		t.Fatal(err)
	}
	if err := sa.PutReport(ctx, p, []byte("alice\n")); err != nil {
		t.Fatal(err)
	}
	// Bob pushes last: rejected, re-applied on Alice's tip.
	if _, err := sb.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if got := git_(t, bare, "show", "assay/results:"+p); got != "bob\n" {
		t.Errorf("report = %q, want the last writer's", got)
	}
	if n := countRecords(branchFiles(t, bare, "assay/results")); n != 2 {
		t.Errorf("remote holds %d records, want both writers' runs", n)
	}
	checkRemote(t, bare)
}

// Two writers report on one pull request at different heads: the one
// who pushes last re-applies its report into the folder the other's
// already made, and both reports are on the branch.
func TestReportsOfOnePullRequestFromTwoWriters(t *testing.T) {
	requireGit(t)
	bare, dirs := sharedRemote(t, 2)
	alice, bob := dirs[0], dirs[1]
	ctx := context.Background()
	sa, sb := openStore(t, alice, Options{}), openStore(t, bob, Options{})
	if err := sb.commitReports([]File{{Path: "reports/pr-1/def.md", Data: []byte("bob\n")}}); err != nil {
		t.Fatal(err)
	}
	if err := sa.PutReport(ctx, "reports/pr-1/abc.md", []byte("alice\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.Sync(ctx); err != nil {
		t.Fatalf("the second writer's sync: %v", err)
	}
	for p, want := range map[string]string{"reports/pr-1/abc.md": "alice\n", "reports/pr-1/def.md": "bob\n"} {
		if got := git_(t, bare, "show", "assay/results:"+p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	checkRemote(t, bare)
}
