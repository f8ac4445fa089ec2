package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/assaylab/assay/reporter/results"
	"github.com/assaylab/assay/runner/spool"
)

func requireGit(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH: the test reads the branches with it")
	}
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-C", dir}, args...)...)
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return string(out)
}

// smallRun is a branch of three commits, the last one short, with every
// file assay records (series and logs too; failed runs among them).
var smallRun = batchOptions{n: 2*results.BatchSize + 37, perCommit: results.BatchSize}

// TestRepoIsWhatAssayWrites: the branch written straight into a pack
// (-git-dir) has, commit by commit, the trees and messages of the branch
// assay's own writer commits from the same runs delivered through a
// spool (records, series, log tails, index segments, trailers), git fsck
// finds nothing wrong with it, and assay lists every run from a fresh
// clone of it.
func TestRepoIsWhatAssayWrites(t *testing.T) {
	requireGit(t)
	dir := t.TempDir()
	const steps = 40

	// assay's writer: the runs spooled, then committed by the results store.
	code := filepath.Join(dir, "code")
	git(t, dir, "init", "-q", "-b", "main", code)
	sp := filepath.Join(code, ".git", "assay", "spool")
	if err := writeSpool(sp, newGen(7, 0, steps, 0, 0), smallRun); err != nil {
		t.Fatal(err)
	}
	wantIDs, err := (&spool.Spool{Dir: sp}).List()
	if err != nil || len(wantIDs) != smallRun.n {
		t.Fatalf("spooled %d runs (%v), want %d", len(wantIDs), err, smallRun.n)
	}
	store, err := results.Open(code, results.Options{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := store.Commit(&spool.Spool{Dir: sp})
	store.Close()
	if err != nil || rep.Recorded != smallRun.n {
		t.Fatalf("assay recorded %d runs (%v), want %d", rep.Recorded, err, smallRun.n)
	}

	// The generator's pack, from the same seed.
	gen := filepath.Join(dir, "gen.git")
	git(t, dir, "init", "-q", "--bare", gen)
	g := newGen(7, 0, steps, 0, 0)
	// The local artifact store assay's delivery put the full logs in.
	g.artifactStore = "file://" + filepath.ToSlash(filepath.Join(code, ".git", "assay", "blobs")) + "/"
	if err := writeRepo(gen, g, smallRun, "refs/heads/assay/results", ""); err != nil {
		t.Fatal(err)
	}

	const format = "--format=%T%n%B%x00"
	want := git(t, code, "log", format, "assay/results")
	got := git(t, gen, "log", format, "assay/results")
	if got != want {
		t.Errorf("generated branch differs from assay's (trees and messages, newest first):\n--- assay\n%.3000s\n--- generated\n%.3000s", want, got)
	}
	if n := strings.Count(got, "\x00"); n != 3 {
		t.Errorf("%d commits, want 3", n)
	}
	if !strings.Contains(got, results.TrailerIndex+": ") || !strings.Contains(got, "series.json") && !strings.Contains(git(t, gen, "ls-tree", "-r", "--name-only", "assay/results"), results.SeriesSuffix) {
		t.Errorf("the branch lacks index trailers or series files")
	}
	git(t, gen, "fsck", "--strict", "--no-dangling")

	// Read back through assay on a fresh clone (the index built from
	// the segments that travel with the branch).
	clone := filepath.Join(dir, "clone")
	git(t, dir, "clone", "-q", "--no-local", gen, clone)
	reader, err := results.Open(clone, results.Options{Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	var ids []string
	sum, err := reader.Scan(func(e *results.Entry) bool {
		ids = append(ids, e.RunID)
		return true
	})
	if err != nil || sum.Unreadable(reader.Branch(), nil) != nil {
		t.Fatalf("scan: %v; unreadable: %v", err, sum.Unreadable(reader.Branch(), nil))
	}
	slices.Sort(ids)
	if !slices.Equal(ids, wantIDs) {
		t.Errorf("assay lists %d runs from the generated branch, want the %d generated", len(ids), len(wantIDs))
	}
}

// TestRepoMatchesStream: the pack and the fast-import stream make the same
// commits, to the id (a default branch of empty commits and pull-request
// runs included), and the pack refuses a branch that exists.
func TestRepoMatchesStream(t *testing.T) {
	requireGit(t)
	dir := t.TempDir()
	o := batchOptions{n: 1234, perCommit: 100, recordsOnly: true}
	const results, main = "refs/heads/assay/results", "refs/heads/main"

	viaStream := filepath.Join(dir, "stream.git")
	git(t, dir, "init", "-q", "--bare", viaStream)
	var stream bytes.Buffer
	if err := writeStream(&stream, newGen(3, 0, 10, 5, 0.2), o, results, main); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("git", "-C", viaStream, "fast-import", "--quiet")
	cmd.Stdin = &stream
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git fast-import: %v\n%s", err, out)
	}

	viaPack := filepath.Join(dir, "pack.git")
	git(t, dir, "init", "-q", "--bare", viaPack)
	if err := writeRepo(viaPack, newGen(3, 0, 10, 5, 0.2), o, results, main); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{results, main} {
		if s, p := git(t, viaStream, "rev-parse", ref), git(t, viaPack, "rev-parse", ref); s != p {
			t.Errorf("%s: stream %s, pack %s", ref, s, p)
		}
	}
	if n := strings.Count(git(t, viaPack, "rev-list", results), "\n"); n != 13 {
		t.Errorf("%d results commits, want 13", n)
	}
	git(t, viaPack, "fsck", "--strict", "--no-dangling")

	err := writeRepo(viaPack, newGen(3, 0, 10, 5, 0.2), o, results, "")
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("writing onto an existing branch: %v, want an error that says it exists", err)
	}
}
