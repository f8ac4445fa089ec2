package results

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// rewriteRemote plays someone else rewriting the results branch of the
// bare repository with the git CLI: in a clone of it, delete the files of
// run del, change run chg's record, and push, as a new commit on top
// (force false) or as rewritten history pushed with --force.
func rewriteRemote(t *testing.T, bare string, del, chg *Entry, force bool) {
	t.Helper()
	work := filepath.Join(t.TempDir(), "rewrite")
	git_(t, filepath.Dir(work), "clone", "-q", "--branch", "assay/results", bare, work)
	for _, suffix := range []string{RecordSuffix, SeriesSuffix} {
		git_(t, work, "rm", "-q", filepath.Join(RunDir(del.Experiment, del.TrialKey), del.RunID+suffix))
	}
	p := filepath.Join(work, chg.Path())
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte(`"val_acc": `), []byte(`"val_acc": 0.99, "was": `), 1)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	git_(t, work, "add", "-A")
	if force {
		// A history with one commit: the branch as if assay's commits
		// had never been there.
		git_(t, work, "checkout", "-q", "--orphan", "rewritten")
		git_(t, work, "commit", "-q", "-m", "results, cleaned up")
		git_(t, work, "push", "-q", "--force", "origin", "rewritten:assay/results")
		return
	}
	git_(t, work, "commit", "-q", "-m", "drop a bad run, fix a metric")
	git_(t, work, "push", "-q", "origin", "assay/results")
}

func TestRewrittenRemoteIsReportedAndNothingDeletedComesBack(t *testing.T) {
	requireGit(t)
	for _, c := range []struct {
		name string
		// force pushes rewritten history; gitFetch has the user run a
		// plain `git fetch` before assay sees the remote again.
		force, gitFetch bool
	}{
		{"new commit on top", false, false},
		{"history rewritten and force-pushed", true, false},
		{"rewritten, then git fetch by the user", true, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := t.TempDir()
			bare := newBareRemote(t, base, "team.git")
			dir := newCodeRepo(t)
			setOrigin(t, dir, gitDaemon(t, base, 0)+"team.git")
			s := openStore(t, dir, Options{})
			ctx := context.Background()
			if _, err := s.Deliver(ctx, putRuns(t, s, testRun("r1", "exp", 1), testRun("r2", "exp", 2), testRun("r3", "exp", 3))); err != nil {
				t.Fatal(err)
			}
			idx, err := s.Index()
			if err != nil {
				t.Fatal(err)
			}
			del, chg := idx.Lookup("r1")[0], idx.Lookup("r2")[0]
			original := git_(t, dir, "show", "assay/results:"+chg.Path())

			rewriteRemote(t, bare, del, chg, c.force)
			if c.gitFetch {
				git_(t, dir, "fetch", "-q", "origin")
			}

			var warnings bytes.Buffer
			s = openStore(t, dir, Options{})
			s.SetWarnings(&warnings)
			rep, err := s.Deliver(ctx, putRuns(t, s, testRun("r4", "exp", 4)))
			if err != nil {
				t.Fatal(err)
			}
			if rep.Recorded != 1 || rep.Sync.Delivered != 1 {
				t.Errorf("recorded %d, delivered %d; one run ran, so both must be 1", rep.Recorded, rep.Sync.Delivered)
			}

			// The git CLI reads the remote: r1 stays deleted, r2 is the
			// remote's version, r4 arrived.
			files := branchFiles(t, bare, "assay/results")
			if contains(files, del.Path()) {
				t.Errorf("the deleted record %s is back on the remote", del.Path())
			}
			if countRecords(files) != 3 {
				t.Errorf("the remote has %d records, want r2, r3 and r4", countRecords(files))
			}
			if got := git_(t, bare, "show", "assay/results:"+chg.Path()); !strings.Contains(got, `"was": `) {
				t.Errorf("the remote's change to %s was overwritten:\n%s", chg.Path(), got)
			}
			if strings.Contains(git_(t, bare, "log", "--format=%B", "assay/results"), "r1 exp") && c.force {
				t.Errorf("a commit listing r1 was pushed again on top of the rewritten history")
			}

			// Reported, once, with both paths and where the originals are.
			if len(rep.Sync.Corrections) != 1 {
				t.Fatalf("%d corrections reported, want 1", len(rep.Sync.Corrections))
			}
			corr := rep.Sync.Corrections[0]
			if d, ch := corr.Records(); d != 1 || ch != 1 {
				t.Errorf("correction counts %d deleted and %d changed records, want 1 and 1: %+v", d, ch, corr)
			}
			if !contains(corr.Deleted, del.Path()) || !contains(corr.Changed, chg.Path()) {
				t.Errorf("correction %+v does not name %s deleted and %s changed", corr, del.Path(), chg.Path())
			}
			w := warnings.String()
			for _, want := range []string{"was rewritten by someone else", del.Path(), chg.Path(), corr.Kept, "git diff"} {
				if !strings.Contains(w, want) {
					t.Errorf("the warning does not mention %q:\n%s", want, w)
				}
			}

			// This clone's originals are kept, readable with git.
			if got := git_(t, dir, "show", corr.Kept+":"+chg.Path()); got != original {
				t.Errorf("the kept copy of %s is not this clone's original:\n%s", chg.Path(), got)
			}
			if got := git_(t, dir, "show", corr.Kept+":"+del.Path()); !strings.Contains(got, `"run_id": "r1"`) {
				t.Errorf("the kept copy of the deleted record is missing:\n%s", got)
			}
			// Reads follow the remote.
			idx, err = s.Index()
			if err != nil {
				t.Fatal(err)
			}
			if len(idx.Lookup("r1")) != 0 || idx.Lookup("r2")[0].Metrics["val_acc"] != 0.99 {
				t.Errorf("the index does not follow the remote: r1 %v, r2 %v", idx.Lookup("r1"), idx.Lookup("r2")[0].Metrics)
			}

			// Seen once, said once: the next sync finds nothing new.
			warnings.Reset()
			rep2, err := s.Sync(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(rep2.Corrections) != 0 || warnings.Len() != 0 || rep2.Delivered != 0 {
				t.Errorf("a second sync reported again: %+v\n%s", rep2, warnings.String())
			}
			git_(t, bare, "fsck", "--no-progress")
		})
	}
}

func TestFetchReportsARewriteToo(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	bare := newBareRemote(t, base, "team.git")
	dir := newCodeRepo(t)
	setOrigin(t, dir, gitDaemon(t, base, 0)+"team.git")
	s := openStore(t, dir, Options{})
	ctx := context.Background()
	if _, err := s.Deliver(ctx, putRuns(t, s, testRun("r1", "exp", 1), testRun("r2", "exp", 2))); err != nil {
		t.Fatal(err)
	}
	idx, _ := s.Index()
	rewriteRemote(t, bare, idx.Lookup("r1")[0], idx.Lookup("r2")[0], false)
	var warnings bytes.Buffer
	s = openStore(t, dir, Options{})
	s.SetWarnings(&warnings)
	if err := s.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(warnings.String(), "2 files deleted") {
		t.Errorf("Fetch did not warn about the deleted record:\n%s", warnings.String())
	}
	if n, _ := s.Pending(); n != 0 {
		t.Errorf("after the fetch %d runs are pending: the deleted one was queued again", n)
	}
}

func TestDeletedRemoteBranchStartsAgainWithTheOutboxOnly(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	bare := newBareRemote(t, base, "team.git")
	dir := newCodeRepo(t)
	setOrigin(t, dir, gitDaemon(t, base, 0)+"team.git")
	s := openStore(t, dir, Options{})
	ctx := context.Background()
	if _, err := s.Deliver(ctx, putRuns(t, s, testRun("r1", "exp", 1), testRun("r2", "exp", 2))); err != nil {
		t.Fatal(err)
	}
	// Someone deletes the whole branch on the remote.
	git_(t, bare, "branch", "-D", "assay/results")

	var warnings bytes.Buffer
	s = openStore(t, dir, Options{})
	s.SetWarnings(&warnings)
	rep, err := s.Deliver(ctx, putRuns(t, s, testRun("r3", "exp", 3)))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sync.Delivered != 1 {
		t.Errorf("delivered %d, want only r3, the run that ran", rep.Sync.Delivered)
	}
	files := branchFiles(t, bare, "assay/results")
	if countRecords(files) != 1 {
		t.Errorf("the remote has %d records, want r3 alone: %v", countRecords(files), files)
	}
	if !strings.Contains(warnings.String(), "4 files deleted") {
		t.Errorf("the deletion of r1 and r2 was not reported:\n%s", warnings.String())
	}
	if len(rep.Sync.Corrections) != 1 {
		t.Fatalf("corrections: %+v", rep.Sync.Corrections)
	}
	if got := git_(t, dir, "ls-tree", "-r", "--name-only", rep.Sync.Corrections[0].Kept); countRecords(strings.Split(strings.TrimSpace(got), "\n")) != 2 {
		t.Errorf("the kept copy does not hold r1 and r2:\n%s", got)
	}
	git_(t, bare, "fsck", "--no-progress")
}

// The remote's results branch is deleted while this clone has nothing
// left to deliver: a fetch follows, the local branch goes too, the
// deletion is reported and the old records are kept under a ref; the
// index is empty.
func TestDeletedRemoteBranchWithNothingToDeliver(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	bare := newBareRemote(t, base, "team.git")
	dir := newCodeRepo(t)
	setOrigin(t, dir, gitDaemon(t, base, 0)+"team.git")
	s := openStore(t, dir, Options{})
	ctx := context.Background()
	if _, err := s.Deliver(ctx, putRuns(t, s, testRun("r1", "exp", 1))); err != nil {
		t.Fatal(err)
	}
	git_(t, bare, "branch", "-D", "assay/results")

	var warnings bytes.Buffer
	s = openStore(t, dir, Options{})
	s.SetWarnings(&warnings)
	if err := s.Fetch(ctx); err != nil {
		t.Fatalf("fetch after the remote branch was deleted: %v", err)
	}
	if refs := git_(t, dir, "for-each-ref", "--format=%(refname)", "refs/heads/assay"); refs != "" {
		t.Errorf("the local results branch is still there: %s", refs)
	}
	if !strings.Contains(warnings.String(), "2 files deleted") {
		t.Errorf("the deletion was not reported:\n%s", warnings.String())
	}
	if kept := git_(t, dir, "for-each-ref", "--format=%(refname)", "refs/assay/original"); kept == "" {
		t.Error("the deleted records were not kept under refs/assay/original")
	}
	if idx, err := s.Index(); err != nil || len(idx.Entries) != 0 {
		t.Errorf("index after the deletion: %v, %v", idx, err)
	}
}

// TestCorrectionWarningText is the warning as a user reads it: counts,
// at most ten paths of each kind and how many more, and the git command
// to compare, with --git-dir where the branch is in results_repo's copy.
func TestCorrectionWarningText(t *testing.T) {
	var deleted []string
	for i := 0; i < 12; i++ {
		deleted = append(deleted, fmt.Sprintf("runs/exp/aa/key/r%02d.json", i))
	}
	c := Correction{
		Remote: "git://example.com/team.git", Branch: "assay/results",
		Deleted: deleted, Changed: []string{"runs/exp/bb/key/r99.json"},
		Kept: "refs/assay/original/assay/results/0123456789ab",
	}
	want := `the results branch assay/results on git://example.com/team.git was rewritten by someone else since this clone last fetched it:
  12 files deleted:
    runs/exp/aa/key/r00.json
    runs/exp/aa/key/r01.json
    runs/exp/aa/key/r02.json
    runs/exp/aa/key/r03.json
    runs/exp/aa/key/r04.json
    runs/exp/aa/key/r05.json
    runs/exp/aa/key/r06.json
    runs/exp/aa/key/r07.json
    runs/exp/aa/key/r08.json
    runs/exp/aa/key/r09.json
    ... and 2 more
  1 file changed:
    runs/exp/bb/key/r99.json
  assay follows the remote and puts nothing back. This clone's copy is kept at refs/assay/original/assay/results/0123456789ab;
  compare with: git diff --stat refs/assay/original/assay/results/0123456789ab assay/results -- runs/`
	if got := c.String(); got != want {
		t.Errorf("the warning reads\n%s\nwant\n%s", got, want)
	}
	// Ten paths are all listed; the results_repo copy is named.
	c.Deleted, c.Changed, c.GitDir = deleted[:10], nil, ".git/assay/results.git"
	got := c.String()
	if !strings.Contains(got, "  10 files deleted:\n") || !strings.Contains(got, "r09.json\n  assay follows") || strings.Contains(got, "changed") {
		t.Errorf("ten deleted files and none changed read\n%s", got)
	}
	if !strings.HasSuffix(got, "compare with: git --git-dir .git/assay/results.git diff --stat refs/assay/original/assay/results/0123456789ab assay/results -- runs/") {
		t.Errorf("the compare command does not name results_repo's copy:\n%s", got)
	}
}

// TestAChangeAloneIsReported: a rewrite that deletes nothing and only
// changes a record is reported too, the change is what reads see, and
// the git command the warning gives finds this clone's copy, in the
// code repository or in results_repo's.
func TestAChangeAloneIsReported(t *testing.T) {
	requireGit(t)
	for _, resultsRepo := range []bool{false, true} {
		t.Run(fmt.Sprintf("results_repo=%t", resultsRepo), func(t *testing.T) {
			base := t.TempDir()
			bare := newBareRemote(t, base, "team.git")
			dir := newCodeRepo(t)
			var opts Options
			if resultsRepo {
				opts.ResultsRepo = gitDaemon(t, base, 0) + "team.git"
			} else {
				setOrigin(t, dir, gitDaemon(t, base, 0)+"team.git")
			}
			s := openStore(t, dir, opts)
			ctx := context.Background()
			if _, err := s.Deliver(ctx, putRuns(t, s, testRun("r1", "exp", 1), testRun("r2", "exp", 2))); err != nil {
				t.Fatal(err)
			}
			idx, _ := s.Index()
			chg := idx.Lookup("r2")[0]
			work := filepath.Join(t.TempDir(), "fix")
			git_(t, filepath.Dir(work), "clone", "-q", "--branch", "assay/results", bare, work)
			p := filepath.Join(work, chg.Path())
			b, _ := os.ReadFile(p)
			os.WriteFile(p, bytes.Replace(b, []byte(`"val_acc": `), []byte(`"val_acc": 0.99, "was": `), 1), 0o644)
			git_(t, work, "commit", "-q", "-am", "fix a metric")
			git_(t, work, "push", "-q", "origin", "assay/results")

			var warnings bytes.Buffer
			s = openStore(t, dir, opts)
			s.SetWarnings(&warnings)
			if err := s.Fetch(ctx); err != nil {
				t.Fatal(err)
			}
			w := warnings.String()
			if !strings.Contains(w, "1 file changed:\n    "+chg.Path()) || strings.Contains(w, "deleted") {
				t.Errorf("the warning for one changed record reads:\n%s", w)
			}
			if idx, _ = s.Index(); idx.Lookup("r2")[0].Metrics["val_acc"] != 0.99 {
				t.Errorf("the index does not follow the remote's change: %v", idx.Lookup("r2")[0].Metrics)
			}
			// Run the command the warning gives, with git show in place
			// of diff --stat.
			i := strings.Index(w, "compare with: git ")
			if i < 0 {
				t.Fatalf("the warning gives no command:\n%s", w)
			}
			args := strings.Fields(w[i+len("compare with: git "):])
			gitDir := args[:0]
			if args[0] == "--git-dir" {
				gitDir = args[:2]
				args = args[2:]
			}
			if resultsRepo != (len(gitDir) == 2) {
				t.Errorf("results_repo %t, but the command names git dir %v", resultsRepo, gitDir)
			}
			kept := args[2]
			show := append(append([]string{}, gitDir...), "show", kept+":"+chg.Path())
			if got := git_(t, dir, show...); !strings.Contains(got, `"run_id": "r2"`) || strings.Contains(got, `"was"`) {
				t.Errorf("git %s does not show this clone's copy:\n%s", strings.Join(show, " "), got)
			}
		})
	}
}

// TestARewriteBeforeTheFirstFetchIsReported: a clone made with git
// clone has the results branch's remote-tracking ref but has never been
// fetched by assay; a rewrite of the remote after the clone is still
// reported, measured from what git clone fetched.
func TestARewriteBeforeTheFirstFetchIsReported(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	bare := newBareRemote(t, base, "team.git")
	url := gitDaemon(t, base, 0) + "team.git"
	writer := newCodeRepo(t)
	setOrigin(t, writer, url)
	s := openStore(t, writer, Options{})
	ctx := context.Background()
	if _, err := s.Deliver(ctx, putRuns(t, s, testRun("r1", "exp", 1), testRun("r2", "exp", 2))); err != nil {
		t.Fatal(err)
	}
	git_(t, writer, "push", "-q", "origin", "main")
	reader := filepath.Join(t.TempDir(), "reader")
	git_(t, filepath.Dir(reader), "clone", "-q", url, reader)
	git_(t, reader, "rev-parse", "--verify", "-q", "refs/remotes/origin/assay/results")

	idx, _ := s.Index()
	del := idx.Lookup("r1")[0]
	rewriteRemote(t, bare, del, idx.Lookup("r2")[0], true)

	var warnings bytes.Buffer
	s = openStore(t, reader, Options{})
	s.SetWarnings(&warnings)
	if err := s.Fetch(ctx); err != nil {
		t.Fatal(err)
	}
	if w := warnings.String(); !strings.Contains(w, "was rewritten by someone else") || !strings.Contains(w, del.Path()) {
		t.Errorf("a rewrite after git clone is not reported:\n%s", w)
	}
}
