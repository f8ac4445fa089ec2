package results

import (
	"strings"
	"testing"

	"github.com/assaylab/assay/runner"
)

// TestRunsThatCannotBeRecordedStayInTheSpool: a spooled run whose id,
// experiment or trial key would escape or break the layout, or whose
// record is of another schema, is refused with the reason and stays in
// the spool; the good run beside it is recorded.
func TestRunsThatCannotBeRecordedStayInTheSpool(t *testing.T) {
	requireGit(t)
	for _, c := range []struct {
		name string
		edit func(r *runner.Result)
		want string
	}{
		{"empty experiment", func(r *runner.Result) { r.Experiment = "" }, "run r2: run has no experiment"},
		{"experiment ..", func(r *runner.Result) { r.Experiment = ".." }, `run r2: run experiment ".." cannot be a file name`},
		{"experiment .", func(r *runner.Result) { r.Experiment = "." }, `run r2: run experiment "." cannot be a file name`},
		{"experiment with a slash", func(r *runner.Result) { r.Experiment = "a/b" }, `run r2: run experiment "a/b" cannot be a file name`},
		{"experiment with a NUL", func(r *runner.Result) { r.Experiment = "a\x00b" }, `run r2: run experiment "a\x00b" cannot be a file name`},
		{"empty trial key", func(r *runner.Result) { r.TrialKey = "" }, "run r2: run has no trial key"},
		{"hidden trial key", func(r *runner.Result) { r.TrialKey = ".k" }, `run r2: run trial key ".k" cannot be a file name`},
		{"other schema", func(r *runner.Result) { r.Schema = "assay.run/v2" }, `run r2 has schema "assay.run/v2"; this assay writes "assay.run/v1"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := newCodeRepo(t)
			s := openStore(t, dir, Options{})
			bad := testRun("r2", "exp", 2)
			c.edit(bad.Result)
			sp := putRuns(t, s, testRun("r1", "exp", 1))
			if err := sp.Put(bad); err != nil {
				t.Fatal(err)
			}
			rep, err := s.Commit(sp)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Recorded != 1 || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Error(), c.want) {
				t.Fatalf("recorded %d, problems %v; want r1 recorded and a problem saying %s", rep.Recorded, rep.Problems, c.want)
			}
			if ids, _ := sp.List(); len(ids) != 1 {
				t.Errorf("the spool holds %v, want the refused run alone", ids)
			}
			if n := countRecords(branchFiles(t, dir, "assay/results")); n != 1 {
				t.Errorf("git sees %d records, want r1's", n)
			}
		})
	}
}

// TestRunIDsThatCannotBeFileNames: the spool refuses these ids itself;
// RunFiles, which also records runs from elsewhere, refuses them too.
func TestRunIDsThatCannotBeFileNames(t *testing.T) {
	for id, want := range map[string]string{
		"":    "run has no id",
		".":   `run id "." cannot be a file name on the results branch`,
		"..":  `run id ".." cannot be a file name`,
		".r2": `run id ".r2" cannot be a file name`,
		`r\2`: `run id "r\\2" cannot be a file name`,
		"r/2": `run id "r/2" cannot be a file name`,
	} {
		r := testRun("r2", "exp", 2)
		r.Result.RunID = id
		if _, err := RunFiles(r); err == nil || err.Error() != want && !strings.HasPrefix(err.Error(), want) {
			t.Errorf("RunFiles of id %q: %v, want %s", id, err, want)
		}
	}
	if _, err := RunFiles(&runner.Run{}); err == nil || err.Error() != "run has no record" {
		t.Errorf("RunFiles of a run without a record: %v", err)
	}
}

// TestRecordPaths: the layout a reader walks, and the files it does not
// take for records.
func TestRecordPaths(t *testing.T) {
	if got := RecordPath("exp", "k", "r1"); got != "runs/exp/k/k/r1.json" {
		t.Errorf("a one-character key's record is at %s", got)
	}
	if got := RecordPath("exp", "ab", "r1"); got != "runs/exp/ab/ab/r1.json" {
		t.Errorf("a two-character key's record is at %s", got)
	}
	if got := LogPath("exp", "abc", "r1"); got != "runs/exp/ab/abc/r1.log" {
		t.Errorf("a log is at %s", got)
	}
	for _, c := range []struct {
		path string
		want RecordLocation
		ok   bool
	}{
		{"runs/exp/ab/abc/r1.json", RecordLocation{"exp", "abc", "r1"}, true},
		{"runs/exp/k/k/r1.json", RecordLocation{"exp", "k", "r1"}, true},
		{"runs/exp/ab/abc/r1.series.json", RecordLocation{}, false},
		{"runs/exp/ab/abc/r1.log", RecordLocation{}, false},
		{"other/exp/ab/abc/r1.json", RecordLocation{}, false},
		{"runs/exp/ab/abc/deeper/r1.json", RecordLocation{}, false},
		{"runs/ab/abc/r1.json", RecordLocation{}, false},
		{"runs/exp/xy/abc/r1.json", RecordLocation{}, false},
		{"runs//ab/abc/r1.json", RecordLocation{}, false},
		{"runs/exp///r1.json", RecordLocation{}, false},
		{"runs/exp/ab/abc/.json", RecordLocation{}, false},
	} {
		got, ok := ParseRecordPath(c.path)
		if ok != c.ok || got != c.want {
			t.Errorf("ParseRecordPath(%q) = %+v, %t; want %+v, %t", c.path, got, ok, c.want, c.ok)
		}
	}
}
