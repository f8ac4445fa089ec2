package collect

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assaylab/assay/runner"
)

func write(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func sum(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func byPath(files []runner.ArtifactFile) map[string]runner.ArtifactFile {
	m := map[string]runner.ArtifactFile{}
	for _, f := range files {
		m[f.Path] = f
	}
	return m
}

func TestArtifactsCopiesHashesAndKeepsWhatTheTrialWrote(t *testing.T) {
	work, dir := t.TempDir(), t.TempDir()
	write(t, filepath.Join(work, "out/model.pt"), "weights")
	write(t, filepath.Join(work, "out/curve.png"), "\x89PNG\r\n\x1a\nrest")
	write(t, filepath.Join(work, "out/notes"), "plain words")
	write(t, filepath.Join(work, "out/report.json"), "from the workdir")
	write(t, filepath.Join(dir, "out/report.json"), "from the trial")
	write(t, filepath.Join(dir, "confusion.csv"), "a,b\n1,2\n")

	files, warns := Artifacts(work, []string{"out/*", "missing/*.pt"}, dir)
	if len(warns) > 0 {
		t.Fatalf("warnings: %q", warns)
	}
	got := byPath(files)
	want := map[string]string{
		"out/model.pt": "weights", "out/curve.png": "\x89PNG\r\n\x1a\nrest", "out/notes": "plain words",
		"out/report.json": "from the trial", "confusion.csv": "a,b\n1,2\n",
	}
	if len(got) != len(want) {
		t.Fatalf("manifest %v, want %d files", files, len(want))
	}
	for p, data := range want {
		f := got[p]
		if f.SHA256 != sum(data) || f.Size != int64(len(data)) {
			t.Errorf("%s: %+v, want sha256 %s size %d", p, f, sum(data), len(data))
		}
		b, err := os.ReadFile(filepath.Join(dir, p))
		if err != nil || string(b) != data {
			t.Errorf("%s in the artifacts dir = %q, %v; want %q", p, b, err, data)
		}
	}
	for p, mt := range map[string]string{"out/model.pt": "application/octet-stream", "out/curve.png": "image/png",
		"out/notes": "text/plain; charset=utf-8", "confusion.csv": "text/csv"} {
		if got[p].MediaType != mt {
			t.Errorf("%s media type %q, want %q", p, got[p].MediaType, mt)
		}
	}
	// sha256sum is an independent reader of what was hashed.
	if out, err := exec.Command("sha256sum", filepath.Join(dir, "out/model.pt")).Output(); err == nil {
		if !strings.HasPrefix(string(out), got["out/model.pt"].SHA256) {
			t.Errorf("sha256sum says %s, manifest %s", out, got["out/model.pt"].SHA256)
		}
	}
	for i := 1; i < len(files); i++ {
		if files[i-1].Path >= files[i].Path {
			t.Fatalf("manifest not sorted by path: %v", files)
		}
	}
}

func TestArtifactsRefuseWhatLeavesTheWorkdir(t *testing.T) {
	outside := t.TempDir()
	write(t, filepath.Join(outside, "secret"), "private key")
	write(t, filepath.Join(outside, "dir/key.pt"), "private weights")
	work, dir := t.TempDir(), t.TempDir()
	write(t, filepath.Join(work, "out/ok.pt"), "fine")
	write(t, filepath.Join(work, "out/inside-target"), "linked inside")
	must(t, os.Symlink(filepath.Join(outside, "secret"), filepath.Join(work, "out/stolen.pt")))
	must(t, os.Symlink(filepath.Join(outside, "dir"), filepath.Join(work, "linked")))
	must(t, os.Symlink("inside-target", filepath.Join(work, "out/alias.pt")))
	// The trial itself plants links in its artifacts directory.
	write(t, filepath.Join(dir, "real.txt"), "kept")
	must(t, os.Symlink(filepath.Join(outside, "secret"), filepath.Join(dir, "leak.txt")))
	must(t, os.Symlink("real.txt", filepath.Join(dir, "copy.txt")))

	files, warns := Artifacts(work, []string{"out/*.pt", "linked/key.pt", "../outside/secret", "/etc/passwd", "sub/../../x"}, dir)
	got := byPath(files)
	for _, p := range []string{"out/stolen.pt", "linked/key.pt", "leak.txt"} {
		if _, ok := got[p]; ok {
			t.Errorf("%s was kept though it leads outside", p)
		}
	}
	if got["out/ok.pt"].SHA256 != sum("fine") || got["out/alias.pt"].SHA256 != sum("linked inside") {
		t.Errorf("files inside the workdir not kept right: %v", files)
	}
	if got["copy.txt"].SHA256 != sum("kept") {
		t.Errorf("a link inside the artifacts dir should become a copy: %v", files)
	}
	if info, err := os.Lstat(filepath.Join(dir, "copy.txt")); err != nil || info.Mode()&os.ModeSymlink != 0 {
		t.Errorf("copy.txt is still a link: %v %v", info, err)
	}
	for _, b := range []string{"out/stolen.pt", "/etc/passwd", "sub/../../x"} {
		if _, err := os.Stat(filepath.Join(dir, b)); err == nil && !strings.HasPrefix(b, "/") {
			t.Errorf("%s landed in the artifacts dir", b)
		}
	}
	joined := strings.Join(warns, "\n")
	for _, want := range []string{
		"out/stolen.pt is a symlink to " + filepath.Join(outside, "secret") + ", outside the workdir",
		"linked/key.pt leads outside the workdir through a symlinked directory",
		`glob "../outside/secret" climbs out of the workdir`,
		`glob "/etc/passwd" is absolute`,
		`glob "sub/../../x" climbs out of the workdir`,
		"leak.txt in ASSAY_ARTIFACTS_DIR is a symlink to " + filepath.Join(outside, "secret") + ", outside the artifacts directory",
	} {
		if !strings.Contains(joined, want) {
			t.Errorf("warnings lack %q:\n%s", want, joined)
		}
	}
}

func TestFinishFillsTheRecord(t *testing.T) {
	work, state := t.TempDir(), t.TempDir()
	dir := filepath.Join(state, "artifacts")
	write(t, filepath.Join(work, "out/model.pt"), "weights")
	logPath := filepath.Join(state, "log")
	write(t, logPath, "epoch 1\nepoch 2\n")
	run := &runner.Run{Result: &runner.Result{}, LogPath: logPath}
	lineage := []runner.ArtifactOrigin{{Experiment: "pretrain", Path: "out/model.pt", SHA256: sum("x"), RunID: "r1"}}
	Finish(run, &runner.Job{Artifacts: []string{"out/*.pt"}, InputArtifacts: lineage}, work, dir)
	res := run.Result
	if len(res.Manifest) != 1 || res.Manifest[0].Path != "out/model.pt" || len(res.Artifacts) != 1 || res.Artifacts[0] != "out/model.pt" {
		t.Fatalf("manifest %v names %v", res.Manifest, res.Artifacts)
	}
	if run.ArtifactsDir != dir {
		t.Errorf("ArtifactsDir %q, want %q", run.ArtifactsDir, dir)
	}
	if res.FullLog == nil || res.FullLog.SHA256 != sum("epoch 1\nepoch 2\n") || res.FullLog.Size != 16 {
		t.Errorf("full log %+v", res.FullLog)
	}
	if len(res.InputArtifacts) != 1 || res.InputArtifacts[0].RunID != "r1" {
		t.Errorf("lineage %v", res.InputArtifacts)
	}

	// A trial that never ran: nothing kept, no artifacts dir named.
	empty := &runner.Run{Result: &runner.Result{}}
	Finish(empty, &runner.Job{Artifacts: []string{"**"}}, "", filepath.Join(state, "none"))
	if empty.ArtifactsDir != "" || len(empty.Result.Manifest) != 0 || empty.Result.FullLog != nil {
		t.Errorf("a run with nothing kept: %+v %+v", empty, empty.Result)
	}
}

func TestMediaTypeSniffsUnknownExtensions(t *testing.T) {
	if got := MediaType("plot", []byte("\x89PNG\r\n\x1a\n")); got != "image/png" {
		t.Errorf("sniffed %q", got)
	}
	if got := MediaType("weights.PT", nil); got != "application/octet-stream" {
		t.Errorf("by extension %q", got)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
