package results

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assaylab/assay/runner"
)

// TestCommitsAreWrittenAsGitWouldWriteThem: the results commits carry
// the identity git would use, GIT_COMMITTER_* first, then the user's git
// config, then "assay", each of name and email on its own.
func TestCommitsAreWrittenAsGitWouldWriteThem(t *testing.T) {
	requireGit(t)
	for _, c := range []struct {
		name              string
		envName, envEmail string
		cfgName, cfgEmail string
		want              string
	}{
		{"environment over config", "Env", "env@example.com", "Cfg", "cfg@example.com", "Env <env@example.com>"},
		{"environment name, config email", "Env", "", "Cfg", "cfg@example.com", "Env <cfg@example.com>"},
		{"config name, environment email", "", "env@example.com", "Cfg", "cfg@example.com", "Cfg <env@example.com>"},
		{"config alone", "", "", "Cfg", "cfg@example.com", "Cfg <cfg@example.com>"},
		{"config name alone", "", "", "Cfg", "", "Cfg <assay@localhost>"},
		{"config email alone", "", "", "", "cfg@example.com", "assay <cfg@example.com>"},
		{"nothing set", "", "", "", "", "assay <assay@localhost>"},
	} {
		t.Run(c.name, func(t *testing.T) {
			home := t.TempDir()
			t.Setenv("HOME", home)
			t.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			var cfg strings.Builder
			if c.cfgName != "" || c.cfgEmail != "" {
				cfg.WriteString("[user]\n")
			}
			if c.cfgName != "" {
				fmt.Fprintf(&cfg, "\tname = %s\n", c.cfgName)
			}
			if c.cfgEmail != "" {
				fmt.Fprintf(&cfg, "\temail = %s\n", c.cfgEmail)
			}
			if err := os.WriteFile(filepath.Join(home, ".gitconfig"), []byte(cfg.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			dir := newCodeRepo(t)
			s := openStore(t, dir, Options{Getenv: func(k string) string {
				switch k {
				case "GIT_COMMITTER_NAME":
					return c.envName
				case "GIT_COMMITTER_EMAIL":
					return c.envEmail
				}
				return ""
			}})
			if _, err := s.Deliver(context.Background(), putRuns(t, s, testRun("r1", "exp", 1))); err != nil {
				t.Fatal(err)
			}
			got := strings.TrimSpace(git_(t, dir, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "assay/results"))
			if got != c.want+"|"+c.want {
				t.Errorf("the results commit is by %q, want %q as author and committer", got, c.want)
			}
		})
	}
}

// TestASpoolOfMoreThanABatchIsRecordedWhole: a spool of BatchSize+1
// runs (a long sweep that had no remote) is recorded in two commits,
// every run on the branch and none left in the spool, and each commit
// message lists the first forty of its runs.
func TestASpoolOfMoreThanABatchIsRecordedWhole(t *testing.T) {
	requireGit(t)
	dir := newCodeRepo(t)
	s := openStore(t, dir, Options{})
	var runs []*runner.Run
	for i := 0; i <= BatchSize; i++ {
		r := testRun(fmt.Sprintf("20260301T120000.000Z-%04d", i), "sweep", int64(i))
		r.Series = nil
		r.Result.PR = 0
		runs = append(runs, r)
	}
	sp := putRuns(t, s, runs...)
	rep, err := s.Commit(sp)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Recorded != BatchSize+1 || len(rep.Problems) != 0 {
		t.Errorf("recorded %d (problems %v), want all %d", rep.Recorded, rep.Problems, BatchSize+1)
	}
	if ids, _ := sp.List(); len(ids) != 0 {
		t.Errorf("%d runs are left in the spool", len(ids))
	}
	if n := countRecords(branchFiles(t, dir, "assay/results")); n != BatchSize+1 {
		t.Errorf("git sees %d records, want %d", n, BatchSize+1)
	}
	subjects := strings.TrimSpace(git_(t, dir, "log", "--format=%s", "assay/results"))
	if want := "assay: record 1 run of sweep\nassay: record 500 runs of sweep"; subjects != want {
		t.Errorf("the commits are\n%s\nwant\n%s", subjects, want)
	}
	first := git_(t, dir, "log", "-1", "--format=%B", "assay/results~1")
	lines := strings.Split(first, "\n")
	if len(lines) < 43 || lines[2] != "20260301T120000.000Z-0000 sweep seed=0 succeeded "+runs[0].Result.TrialKey[:12] ||
		lines[41] != "20260301T120000.000Z-0039 sweep seed=39 succeeded "+runs[39].Result.TrialKey[:12] ||
		lines[42] != "... and 460 more" {
		t.Errorf("the first commit's message does not list the first 40 runs and how many more:\n%s", strings.Join(lines[:min(len(lines), 45)], "\n"))
	}
	if strings.Contains(first, "Assay-PR") || !strings.Contains(first, "\nAssay-Source-Commit: 0123456789abcdef0123456789abcdef01234567\nAssay-Trigger: pr\n") {
		t.Errorf("runs of no pull request, one source commit and one trigger give the trailers\n%s", first[strings.Index(first, "... and"):])
	}
}
