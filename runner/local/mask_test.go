package local

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/spool"
)

// Secrets are masked at the source: in the log while the trial still
// runs (the trial reads its own log), in progress events, and in the
// record, for a secret that comes from ASSAY_SECRETS alone.
func TestMaskingAtTheSource(t *testing.T) {
	const secret = "sk-live-5up3r-s3cr3t-v4lue"
	root, state := t.TempDir(), t.TempDir()
	sp, _ := spool.Open(filepath.Join(state, "spool"))
	script := `echo "key=$API_TOKEN"; echo "err key=$API_TOKEN" >&2
printf '{"step": 1, "loss_%s": 1}\n' "$API_TOKEN" >> "$ASSAY_METRICS_FILE"
sleep 0.5
log="$(dirname "$ASSAY_METRICS_FILE")/log"
if grep -qF "$API_TOKEN" "$log"; then echo leaked > leak; fi
grep -c 'key=\*\*\*' "$log" > masked-lines
echo "${#API_TOKEN}" > trial-saw-it`
	j := trial("masked", script)
	j.Trial.SecretEnv = []string{"API_TOKEN"}
	secrets := runner.Secrets{"API_TOKEN": secret}
	mask, _ := runner.BatchMask(nil, secrets, []*runner.Job{j}, nil)
	var mu sync.Mutex
	var names []string
	obs := runner.ObserverFunc(func(ev runner.Event) {
		mu.Lock()
		defer mu.Unlock()
		if ev.Kind == runner.EventMetric {
			names = append(names, ev.Metric)
		}
	})
	x := New(Config{Parallel: 1, Environ: os.Environ(), PollInterval: 20 * time.Millisecond, Supervisor: SupervisorCommand()})
	b := &runner.Batch{Jobs: []*runner.Job{j}, Root: root, StateDir: state, Secrets: secrets, Mask: mask}
	if err := x.Execute(context.Background(), b, sp, obs); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		b, _ := os.ReadFile(filepath.Join(root, name))
		return strings.TrimSpace(string(b))
	}
	if read("trial-saw-it") != strconv.Itoa(len(secret)) {
		t.Fatal("the trial did not get its secret from ASSAY_SECRETS")
	}
	if read("leak") != "" || read("masked-lines") != "2" {
		t.Errorf("while the trial ran, its log held the secret (%q) or not both masked lines (%q)", read("leak"), read("masked-lines"))
	}
	ids, _ := sp.List()
	run, _ := sp.Get(ids[0])
	data, _ := os.ReadFile(filepath.Join(sp.Dir, ids[0], "result.json"))
	series, _ := os.ReadFile(filepath.Join(sp.Dir, ids[0], "series.json"))
	log, _ := os.ReadFile(run.LogPath)
	for what, text := range map[string]string{"record": string(data), "series": string(series), "log": string(log), "events": strings.Join(names, " ")} {
		if strings.Contains(text, "sk-live") {
			t.Errorf("the %s holds the secret: %s", what, text)
		}
	}
	if _, ok := run.Result.Metrics["loss_***"]; !ok || len(names) == 0 || names[0] != "loss_***" {
		t.Errorf("metrics %v, events %q", run.Result.Metrics, names)
	}
}

// A symlinked workdir that leads outside the repository is refused: the
// trial never starts there.
func TestSymlinkedWorkdirOutsideIsRefused(t *testing.T) {
	base := t.TempDir()
	root, state, outside := filepath.Join(base, "repo"), filepath.Join(base, "state"), filepath.Join(base, "outside")
	os.MkdirAll(filepath.Join(root, "models"), 0o755)
	os.MkdirAll(outside, 0o755)
	if err := os.Symlink(outside, filepath.Join(root, "models", "resnet")); err != nil {
		t.Fatal(err)
	}
	sp, _ := spool.Open(filepath.Join(state, "spool"))
	j := trial("escape", `touch ran-here`)
	j.Trial.Workdir = "models/resnet"
	j.SpecFile = "experiments/escape.hcl"
	x := New(Config{Parallel: 1, Environ: os.Environ(), Supervisor: SupervisorCommand()})
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{j}, Root: root, StateDir: state}, sp, nil); err != nil {
		t.Fatal(err)
	}
	ids, _ := sp.List()
	run, _ := sp.Get(ids[0])
	if run.Result.Status != runner.StatusFailed || run.Result.ExitCode != -1 ||
		!strings.Contains(run.Result.Error, `workdir "models/resnet" leads outside the repository through a symlink`) ||
		!strings.Contains(run.Result.Error, "experiments/escape.hcl") {
		t.Errorf("status %s exit %d error %q", run.Result.Status, run.Result.ExitCode, run.Result.Error)
	}
	if _, err := os.Stat(filepath.Join(outside, "ran-here")); err == nil {
		t.Error("the trial ran outside the repository")
	}
	// A symlink to a directory inside the repository is fine.
	os.MkdirAll(filepath.Join(root, "real"), 0o755)
	os.Symlink(filepath.Join(root, "real"), filepath.Join(root, "inside"))
	j2 := trial("inside", `touch ran-here`)
	j2.Trial.Workdir = "inside"
	if err := x.Execute(context.Background(), &runner.Batch{Jobs: []*runner.Job{j2}, Root: root, StateDir: state}, sp, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "real", "ran-here")); err != nil {
		t.Errorf("a workdir symlinked inside the repository did not run: %v", err)
	}
}
