package results

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
)

// checkRemote asserts what the team's bare repository must always look
// like: fsck-clean, linear, and never force-updated.
func checkRemote(t *testing.T, bare string) {
	t.Helper()
	git_(t, bare, "fsck", "--strict", "--no-dangling")
	if merges := strings.TrimSpace(git_(t, bare, "rev-list", "--min-parents=2", "assay/results")); merges != "" {
		t.Errorf("history is not linear: merge commits %s", merges)
	}
	line := map[string]bool{}
	for _, h := range strings.Fields(git_(t, bare, "rev-list", "--first-parent", "assay/results")) {
		line[h] = true
	}
	// Every value the branch ever had is on its first-parent line: no
	// update ever threw a commit away.
	reflog := git_(t, bare, "reflog", "show", "--format=%H %gs", "refs/heads/assay/results")
	n := 0
	for _, l := range strings.Split(strings.TrimSpace(reflog), "\n") {
		n++
		h, msg, _ := strings.Cut(l, " ")
		if !line[h] {
			t.Errorf("reflog entry %s (%s) is not in the branch's history: a forced update", h, msg)
		}
		if strings.Contains(msg, "forced") {
			t.Errorf("forced update in the remote's reflog: %s", l)
		}
	}
	if n == 0 {
		t.Errorf("the remote's reflog is empty")
	}
}

func TestPushOverGitDaemonKeepsOthersCommits(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	bare := newBareRemote(t, base, "team.git")
	url := gitDaemon(t, base, freePort(t)) + "team.git"

	// Someone else starts the branch with files of their own.
	other := t.TempDir()
	git_(t, other, "init", "-q", "-b", "assay/results")
	os.WriteFile(filepath.Join(other, "NOTES.md"), []byte("hand-kept notes\n"), 0o644)
	git_(t, other, "add", ".")
	git_(t, other, "commit", "-q", "-m", "notes")
	git_(t, other, "push", "-q", url, "assay/results")

	dir := newCodeRepo(t)
	setOrigin(t, dir, url)
	s := openStore(t, dir, Options{})
	rep, err := s.Deliver(context.Background(), putRuns(t, s, testRun("20260301T120000.000Z-aaaa", "resnet", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if rep.Sync.Delivered != 1 {
		t.Errorf("delivered %d, want 1", rep.Sync.Delivered)
	}
	// They add more while we are not looking; our next run lands on top.
	os.WriteFile(filepath.Join(other, "MORE.md"), []byte("more notes\n"), 0o644)
	git_(t, other, "add", ".")
	git_(t, other, "commit", "-q", "-m", "more notes")
	git_(t, other, "pull", "-q", "--rebase", url, "assay/results")
	git_(t, other, "push", "-q", url, "assay/results")
	if _, err := s.Deliver(context.Background(), putRuns(t, s, testRun("20260301T120100.000Z-bbbb", "resnet", 2))); err != nil {
		t.Fatal(err)
	}
	files := branchFiles(t, bare, "assay/results")
	for _, f := range []string{"NOTES.md", "MORE.md"} {
		if !contains(files, f) {
			t.Errorf("%s was lost from the branch: %v", f, files)
		}
	}
	if countRecords(files) != 2 {
		t.Errorf("remote has %d records, want 2", countRecords(files))
	}
	if n, _ := s.Pending(); n != 0 {
		t.Errorf("outbox holds %d after delivery", n)
	}
	checkRemote(t, bare)
	// The code repository's own branches did not move.
	if heads := git_(t, dir, "for-each-ref", "--format=%(refname)", "refs/heads"); heads != "refs/heads/assay/results\nrefs/heads/main\n" {
		t.Errorf("local branches: %s", heads)
	}
}

func TestUnreachableRemoteKeepsResultsInTheOutbox(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	bare := newBareRemote(t, base, "team.git")
	port := freePort(t)
	url := fmt.Sprintf("git://127.0.0.1:%d/team.git", port)
	dir := newCodeRepo(t)
	setOrigin(t, dir, url)
	s := openStore(t, dir, Options{})
	sp := putRuns(t, s, testRun("20260301T120000.000Z-aaaa", "resnet", 1), testRun("20260301T120001.000Z-bbbb", "resnet", 2))

	_, err := s.Deliver(context.Background(), sp)
	var ob *OutboxError
	if !errors.As(err, &ob) {
		t.Fatalf("Deliver with the remote down: %v, want an OutboxError", err)
	}
	if ob.Pending != 2 || !strings.Contains(err.Error(), "assay sync") || !strings.Contains(err.Error(), "assay/results") {
		t.Errorf("error = %v (pending %d)", err, ob.Pending)
	}
	if ids, _ := sp.List(); len(ids) != 0 {
		t.Errorf("runs left the outbox for the spool? spool holds %v", ids)
	}
	// Reads work offline from the local copy.
	if idx, err := s.Index(); err != nil || len(idx.Entries) != 2 {
		t.Errorf("offline index: %v, %v", idx, err)
	}

	// The remote comes back; sync delivers.
	gitDaemon(t, base, port)
	rep, err := openStore(t, dir, Options{}).Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Delivered != 2 {
		t.Errorf("sync delivered %d, want 2", rep.Delivered)
	}
	if n := countRecords(branchFiles(t, bare, "assay/results")); n != 2 {
		t.Errorf("remote has %d records", n)
	}
	checkRemote(t, bare)
}

func TestFetchBringsOthersResultsAndKeepsTheOutbox(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	newBareRemote(t, base, "team.git")
	url := gitDaemon(t, base, freePort(t)) + "team.git"
	alice, bob := newCodeRepo(t), newCodeRepo(t)
	setOrigin(t, alice, url)
	sa := openStore(t, alice, Options{})
	if _, err := sa.Deliver(context.Background(), putRuns(t, sa, testRun("20260301T120000.000Z-aaaa", "resnet", 1))); err != nil {
		t.Fatal(err)
	}
	// Bob records offline first (no remote configured yet), then joins.
	sb := openStore(t, bob, Options{})
	if _, err := sb.Commit(putRuns(t, sb, testRun("20260301T120500.000Z-bbbb", "resnet", 2))); err != nil {
		t.Fatal(err)
	}
	setOrigin(t, bob, url)
	sb = openStore(t, bob, Options{})
	if err := sb.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	idx, err := sb.Index()
	if err != nil {
		t.Fatal(err)
	}
	if len(idx.Entries) != 2 {
		t.Errorf("after fetch bob sees %d runs, want his and alice's", len(idx.Entries))
	}
	if n, _ := sb.Pending(); n != 1 {
		t.Errorf("bob's outbox holds %d, want 1", n)
	}
	if _, err := sb.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := sa.Fetch(context.Background()); err != nil {
		t.Fatal(err)
	}
	if idx, _ := sa.Index(); len(idx.Entries) != 2 {
		t.Errorf("alice sees %d runs after fetch", len(idx.Entries))
	}
	checkRemote(t, filepath.Join(base, "team.git"))
}

// TestManyWritersRace is the contention fault: 32 writer processes, 20
// records each, pushing to one bare repository over git:// at once. Each
// writer delivers its runs as one batch, as `assay run` does after its
// trials finish.
func TestManyWritersRace(t *testing.T) {
	requireGit(t)
	if testing.Short() {
		t.Skip("-short: this test starts 32 writer processes; make test runs it")
	}
	const writers, records, batch = 32, 20, 20
	base := t.TempDir()
	bare := newBareRemote(t, base, "team.git")
	url := gitDaemon(t, base, freePort(t)) + "team.git"
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, writers)
	outs := make([]bytes.Buffer, writers)
	start := time.Now()
	for w := 0; w < writers; w++ {
		dir := t.TempDir()
		if _, err := git.PlainInit(dir, false); err != nil {
			t.Fatal(err)
		}
		setOrigin(t, dir, url)
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), "ASSAY_RESULTS_WRITER="+dir, fmt.Sprintf("ASSAY_WRITER_COUNT=%d", records),
			fmt.Sprintf("ASSAY_WRITER_BATCH=%d", batch), fmt.Sprintf("ASSAY_WRITER_NAME=20260301T120000.000Z-w%02d", w),
			"GIT_COMMITTER_NAME=writer", "GIT_COMMITTER_EMAIL=writer@example.com")
		cmd.Stdout, cmd.Stderr = &outs[w], &outs[w]
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = cmd.Run()
		}()
	}
	wg.Wait()
	attempts := 0
	for w := range errs {
		if errs[w] != nil {
			t.Errorf("writer %d: %v\n%s", w, errs[w], outs[w].String())
		}
		attempts += strings.Count(outs[w].String(), "attempts=")
	}
	files, segs := splitSegments(branchFiles(t, bare, "assay/results"))
	if n := countRecords(files); n != writers*records {
		t.Errorf("remote has %d records, want %d", n, writers*records)
	}
	if len(files) != 2*writers*records {
		t.Errorf("remote has %d files, want a record and a series for each of %d runs", len(files), writers*records)
	}
	checkRemote(t, bare)
	// The index segments the writers added and compacted concurrently
	// describe every record: a fresh clone reads none of them.
	clone := t.TempDir()
	git_(t, base, "clone", "-q", "--no-checkout", bare, clone)
	git_(t, clone, "branch", "-q", "assay/results", "origin/assay/results")
	reads := coldIndexReads(t, clone, writers*records)
	if reads != 0 {
		t.Errorf("a fresh clone read %d records to build its index; the %d segments (%v) should cover all %d", reads, len(segs), segs, writers*records)
	}
	t.Logf("%d writers × %d records in %s (%d deliveries)", writers, records, time.Since(start).Round(time.Millisecond), attempts)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestResultsRepoKeepsTheCodeRepositoryUntouched(t *testing.T) {
	requireGit(t)
	base := t.TempDir()
	code := newBareRemote(t, base, "code.git")
	res := newBareRemote(t, base, "results.git")
	dir := newCodeRepo(t)
	setOrigin(t, dir, code)
	git_(t, dir, "push", "-q", "origin", "main")
	refsBefore := git_(t, dir, "for-each-ref")
	s := openStore(t, dir, Options{ResultsRepo: res})
	if _, err := s.Deliver(context.Background(), putRuns(t, s, testRun("20260301T120000.000Z-aaaa", "resnet", 1))); err != nil {
		t.Fatal(err)
	}
	if n := countRecords(branchFiles(t, res, "assay/results")); n != 1 {
		t.Errorf("results repository has %d records", n)
	}
	if got := git_(t, dir, "for-each-ref"); got != refsBefore {
		t.Errorf("the code repository's refs changed:\n%s\nwas:\n%s", got, refsBefore)
	}
	if out := git_(t, code, "for-each-ref", "--format=%(refname)"); out != "refs/heads/main\n" {
		t.Errorf("the code remote gained refs: %s", out)
	}
	if idx, err := openStore(t, dir, Options{ResultsRepo: res}).Index(); err != nil || len(idx.Entries) != 1 {
		t.Errorf("index through results_repo: %v %v", idx, err)
	}
	checkRemote(t, res)
}
