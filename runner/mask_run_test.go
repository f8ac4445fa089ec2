package runner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// What has no secret in it is kept as it was: a warning without one
// stays beside a masked one, and a log whose last line is cut off inside
// what could begin a secret keeps that tail.
func TestMaskRunKeepsWhatHasNoSecret(t *testing.T) {
	const secret = "tok-9f8e7d6c5b4a"
	m := NewMask(secret)
	logPath := filepath.Join(t.TempDir(), "log")
	if err := os.WriteFile(logPath, []byte("token "+secret+"\nlast tok-9f"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := &Run{
		Result:  &Result{Warnings: []string{"retried once", "saw " + secret}, Labels: []string{"gpu"}},
		LogPath: logPath,
	}
	m.Run(run)
	if got := strings.Join(run.Result.Warnings, " | "); got != "retried once | saw ***" {
		t.Errorf("warnings %q", got)
	}
	if got := strings.Join(run.Result.Labels, " "); got != "gpu" {
		t.Errorf("labels %q", got)
	}
	if b, _ := os.ReadFile(logPath); string(b) != "token ***\nlast tok-9f" {
		t.Errorf("log %q, want the secret masked and the cut-off tail kept", b)
	}
}

// A log that cannot be read is not kept, with a warning; an artifact
// whose masked name is taken is not kept either: a secret never leaves
// unmasked.
func TestMaskRunDropsWhatItCannotMask(t *testing.T) {
	const secret = "tok-9f8e7d6c5b4a"
	m := NewMask(secret)
	dir := t.TempDir()
	logDir := filepath.Join(dir, "log") // a directory: reading it fails
	arts := filepath.Join(dir, "artifacts")
	for _, d := range []string{logDir, arts} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"out-" + secret + ".txt", "out-***.txt", "plain.txt"} {
		if err := os.WriteFile(filepath.Join(arts, name), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	run := &Run{
		Result: &Result{
			Manifest:  []ArtifactFile{{Path: "out-" + secret + ".txt"}, {Path: "plain.txt"}},
			Artifacts: []string{"out-" + secret + ".txt", "plain.txt"},
			FullLog:   &ArtifactFile{Path: "log"},
		},
		LogPath:      logDir,
		ArtifactsDir: arts,
	}
	m.Run(run)
	r := run.Result
	if run.LogPath != "" || r.FullLog != nil || !run.LogMasked {
		t.Errorf("unreadable log kept: path %q, entry %+v", run.LogPath, r.FullLog)
	}
	if len(r.Manifest) != 1 || r.Manifest[0].Path != "plain.txt" || strings.Join(r.Artifacts, " ") != "plain.txt" {
		t.Errorf("manifest %+v, artifacts %q: want plain.txt only", r.Manifest, r.Artifacts)
	}
	if _, err := os.Stat(filepath.Join(arts, "out-"+secret+".txt")); !os.IsNotExist(err) {
		t.Errorf("the artifact with a secret in its name is still there: %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(arts, "out-***.txt")); string(b) != "out-***.txt" {
		t.Errorf("the file already named out-***.txt was overwritten: %q", b)
	}
	var log, art bool
	for _, w := range r.Warnings {
		if strings.Contains(w, secret) {
			t.Errorf("warning holds the secret: %q", w)
		}
		log = log || strings.HasPrefix(w, "log: secrets in it could not be masked")
		art = art || strings.Contains(w, "artifacts: out-***.txt has a secret in its name and could not be renamed (out-***.txt exists)")
	}
	if !log || !art {
		t.Errorf("warnings %q: want one for the log and one for the artifact", r.Warnings)
	}
}

// Progress events reach the observer with metric names masked; with no
// secrets, the observer is the one given.
func TestMaskObserver(t *testing.T) {
	var got []string
	obs := ObserverFunc(func(ev Event) { got = append(got, ev.Metric) })
	MaskObserver(obs, NewMask("tok-9f8e7d6c5b4a")).Observe(Event{Kind: EventMetric, Metric: "loss_tok-9f8e7d6c5b4a"})
	MaskObserver(obs, NewMask()).Observe(Event{Kind: EventMetric, Metric: "acc"})
	if strings.Join(got, " ") != "loss_*** acc" {
		t.Errorf("observed %q", got)
	}
	if MaskObserver(nil, NewMask("tok-9f8e7d6c5b4a")) != nil {
		t.Error("no observer became one")
	}
}
