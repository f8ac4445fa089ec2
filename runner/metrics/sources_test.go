package metrics

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/runner/metrics/tfevents"
)

const tbSpec = `experiment "e" {
  command = ["python", "train.py"]
  metrics_from { tensorboard = "logs" }
}`

// eventBytes is an event file: a version record and one loss per step.
func eventBytes(steps ...int64) (file []byte, ends []int64) {
	file = tfevents.AppendRecord(nil, tfevents.FileVersionEvent(1))
	ends = append(ends, int64(len(file)))
	for _, s := range steps {
		file = tfevents.AppendRecord(file, tfevents.ScalarEvent(1, s, "loss", float32(s)/4))
		ends = append(ends, int64(len(file)))
	}
	return file, ends
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func lossPoints(steps ...int64) []runner.Point {
	var out []runner.Point
	for _, s := range steps {
		out = append(out, runner.Point{Step: s, Value: float64(s) / 4})
	}
	return out
}

// TestTruncatedLastRecordIsAWarning: a trial killed while writing leaves
// half a record; the points before it are kept, and the record says what
// was skipped and where.
func TestTruncatedLastRecordIsAWarning(t *testing.T) {
	dir := t.TempDir()
	c := watching(t, tbSpec, dir)
	file, ends := eventBytes(1, 2, 3)
	writeFile(t, filepath.Join(dir, "logs/events.out.tfevents.1.host"), file[:ends[2]+10])
	got := c.Finish()
	if diff := cmp.Diff(lossPoints(1, 2), got.Series["loss"]); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
	want := []string{fmt.Sprintf("metrics_from: logs/events.out.tfevents.1.host: the last record (at offset %d, 10 bytes before the end) is incomplete, as if the writer was stopped mid-write; skipped", ends[2])}
	if diff := cmp.Diff(want, got.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestCorruptEventFilesNameFileAndOffset: a record whose data fails its
// check is skipped and the rest read; a broken length stops the file;
// a file that is no event file at all says so at offset 0. None of it
// fails the trial.
func TestCorruptEventFilesNameFileAndOffset(t *testing.T) {
	dir := t.TempDir()
	c := watching(t, tbSpec, dir)
	a, ends := eventBytes(1, 2, 3)
	a[ends[1]+20] ^= 0xff // inside the data of the record of step 2
	writeFile(t, filepath.Join(dir, "logs/events.out.tfevents.1"), a)
	b, endsB := eventBytes(10, 11, 12)
	b[endsB[2]+1] ^= 0xff // inside the length of step 12's record
	writeFile(t, filepath.Join(dir, "logs/events.out.tfevents.2"), b)
	writeFile(t, filepath.Join(dir, "logs/events.out.tfevents.3"), []byte("step,loss\n1,0.5\n"))
	got := c.Finish()
	if diff := cmp.Diff(lossPoints(1, 3, 10, 11), got.Series["loss"]); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
	want := []string{
		fmt.Sprintf("metrics_from: logs/events.out.tfevents.1: 1 record failed the CRC check of its data (first at offset %d); skipped", ends[1]),
		fmt.Sprintf("metrics_from: logs/events.out.tfevents.2: offset %d: the record's length fails its CRC check (not a TFRecord file, or damaged); the rest of the file (%d bytes) was not read", endsB[2], int64(len(b))-endsB[2]),
		"metrics_from: logs/events.out.tfevents.3: offset 0: the record's length fails its CRC check (not a TFRecord file, or damaged); the rest of the file (16 bytes) was not read",
	}
	if diff := cmp.Diff(want, got.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestLiveTail: a writer appends records, some in two halves, while the
// collector polls. Each poll sees every whole record written so far and
// never half of one; what the trial wrote last is there at the end.
func TestLiveTail(t *testing.T) {
	dir := t.TempDir()
	c := watching(t, tbSpec, dir)
	path := filepath.Join(dir, "logs/version_0/events.out.tfevents.1.host.7")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	write := func(b []byte) {
		if _, err := f.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	write(tfevents.AppendRecord(nil, tfevents.FileVersionEvent(1)))
	if got := c.Poll(); len(got) != 0 {
		t.Errorf("Poll after the version record = %q", got)
	}
	for step := int64(1); step <= 50; step++ {
		rec := tfevents.AppendRecord(nil, tfevents.ScalarEvent(1, step, "loss", float32(step)/4))
		if step%3 == 0 {
			// Half a record: the writer is mid-write when we poll.
			write(rec[:len(rec)/2])
			c.Poll()
			if v, _ := c.Latest("loss"); step > 1 && v != float64(step-1)/4 {
				t.Fatalf("step %d half written: latest %v", step, v)
			}
			write(rec[len(rec)/2:])
		} else {
			write(rec)
		}
		if got := c.Poll(); !cmp.Equal(got, []string{"loss"}) {
			t.Fatalf("step %d: Poll = %q", step, got)
		}
		if v, ok := c.Latest("loss"); !ok || v != float64(step)/4 {
			t.Fatalf("step %d: Latest = %v, %v", step, v, ok)
		}
	}
	// The trial is killed mid-record: the partial series is kept.
	write(tfevents.AppendRecord(nil, tfevents.ScalarEvent(1, 51, "loss", 1))[:9])
	got := c.Finish()
	var steps []int64
	for s := int64(1); s <= 50; s++ {
		steps = append(steps, s)
	}
	if diff := cmp.Diff(lossPoints(steps...), got.Series["loss"]); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], "the last record") {
		t.Errorf("warnings %q", got.Warnings)
	}
}

// TestLiveTailConcurrentWriter runs the writer on its own goroutine, as a
// trial runs beside assay, polling all the while.
func TestLiveTailConcurrentWriter(t *testing.T) {
	dir := t.TempDir()
	c := watching(t, tbSpec, dir)
	path := filepath.Join(dir, "logs/events.out.tfevents.2")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	const n = 2000
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		f.Write(tfevents.AppendRecord(nil, tfevents.FileVersionEvent(1)))
		for step := int64(1); step <= n; step++ {
			rec := tfevents.AppendRecord(nil, tfevents.ScalarEvent(1, step, "loss", float32(step)/4))
			// Two writes per record, so polls land inside records.
			f.Write(rec[:7])
			f.Write(rec[7:])
		}
	}()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	last := 0.0
	for polling := true; polling; {
		select {
		case <-done:
			polling = false
		default:
		}
		c.Poll()
		if v, ok := c.Latest("loss"); ok {
			if v < last {
				t.Fatalf("latest went back from %v to %v", last, v)
			}
			last = v
		}
	}
	got := c.Finish()
	pts := got.Series["loss"]
	if len(got.Warnings) != 0 || got.Summaries["loss"] != float64(n)/4 || len(pts) > MaxPoints || pts[0].Step != 1 || pts[len(pts)-1].Step != n {
		t.Errorf("summary %v, %d points, warnings %q", got.Summaries["loss"], len(pts), got.Warnings)
	}
}

// TestFilesFromBeforeTheTrialAreNotRead: an earlier run's event file
// stays unread, and said so when nothing else came; a file appended to
// during the trial is read from where it stood.
func TestFilesFromBeforeTheTrialAreNotRead(t *testing.T) {
	dir := t.TempDir()
	old, _ := eventBytes(1, 2)
	writeFile(t, filepath.Join(dir, "logs/version_0/events.out.tfevents.1"), old)
	c := watching(t, tbSpec, dir)
	got := c.Finish()
	if len(got.Series) != 0 {
		t.Errorf("series %v", got.Series)
	}
	want := []string{"metrics_from: 1 file matched but predate the trial and did not change while it ran (first: logs/version_0/events.out.tfevents.1), so they were not read; they are an earlier run's"}
	if diff := cmp.Diff(want, got.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}

	// MLflow appends to a resumed run's files: only the new lines count.
	const mlSpec = `experiment "e" {
  command = ["python", "train.py"]
  metrics_from { mlflow = "mlruns" }
}`
	path := filepath.Join(dir, "mlruns/0/abc/metrics/loss")
	writeFile(t, path, []byte("1 0.5 1\n2 0.4 2\n"))
	c = watching(t, mlSpec, dir)
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("3 0.3 3\n")
	f.Close()
	got = c.Finish()
	if diff := cmp.Diff(map[string][]runner.Point{"loss": {{Step: 3, Value: 0.3}}}, got.Series); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
}

// TestTwoTrialsOneDirectory: trials running side by side whose globs
// match the same new file: one reads it, and both records say so.
func TestTwoTrialsOneDirectory(t *testing.T) {
	dir := t.TempDir()
	a := watching(t, tbSpec, dir)
	b := watching(t, tbSpec, dir)
	file, _ := eventBytes(1, 2)
	writeFile(t, filepath.Join(dir, "logs/events.out.tfevents.1"), file)
	a.Poll()
	gotB := b.Finish()
	gotA := a.Finish()
	if len(gotA.Series["loss"]) != 2 || len(gotB.Series) != 0 {
		t.Errorf("a read %v, b read %v", gotA.Series, gotB.Series)
	}
	if len(gotB.Warnings) == 0 || !strings.Contains(gotB.Warnings[0], "logs/events.out.tfevents.1 is being read for another trial running at the same time") {
		t.Errorf("b's warnings %q", gotB.Warnings)
	}
	if len(gotA.Warnings) != 1 || !strings.Contains(gotA.Warnings[0], "was also matched by another trial running at the same time") {
		t.Errorf("a's warnings %q", gotA.Warnings)
	}
	// Both are done: a third trial may read the file (it predates it,
	// so it does not).
	c := watching(t, tbSpec, dir)
	if got := c.Finish(); len(got.Series) != 0 || strings.Contains(strings.Join(got.Warnings, " "), "another trial") {
		t.Errorf("third trial: %v %q", got.Series, got.Warnings)
	}
}

// TestLightningCSVRewrite follows metrics.csv as Lightning writes it:
// rows appended, then the whole file rewritten with a wider header when a
// new metric appears, then more rows. No row counts twice.
func TestLightningCSVRewrite(t *testing.T) {
	dir := t.TempDir()
	c := watching(t, `experiment "e" {
  command = ["python", "train.py"]
  metrics_from { csv = "lightning_logs" }
}`, dir)
	path := filepath.Join(dir, "lightning_logs/version_0/metrics.csv")
	writeFile(t, path, []byte("epoch,step,train_loss\r\n0,0,0.9\r\n0,1,0.8\r\n"))
	if got := c.Poll(); !cmp.Equal(got, []string{"train_loss", "epoch"}) && !cmp.Equal(got, []string{"epoch", "train_loss"}) {
		t.Errorf("Poll = %q", got)
	}
	// Rewritten mid-poll: truncated first.
	writeFile(t, path, []byte("epoch,step,train_loss,val/acc\r\n0,0,0.9,\r\n"))
	c.Poll()
	writeFile(t, path, []byte("epoch,step,train_loss,val/acc\r\n0,0,0.9,\r\n0,1,0.8,\r\n0,1,,0.5\r\n"))
	c.Poll()
	f, _ := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString("1,2,0.7,\r\n1,3,,0.75\r\n1,4,0.6") // the last row torn
	f.Close()
	got := c.Finish()
	want := map[string][]runner.Point{
		"epoch":      {{Step: 0, Value: 0}, {Step: 1, Value: 0}, {Step: 1, Value: 0}, {Step: 2, Value: 1}, {Step: 3, Value: 1}},
		"train_loss": {{Step: 0, Value: 0.9}, {Step: 1, Value: 0.8}, {Step: 2, Value: 0.7}},
		"val_acc":    {{Step: 1, Value: 0.5}, {Step: 3, Value: 0.75}},
	}
	if diff := cmp.Diff(want, got.Series); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
	if len(got.Warnings) != 1 || got.Warnings[0] != "metrics_from: lightning_logs/version_0/metrics.csv: the last line (7) is incomplete, as if the writer was stopped mid-write; ignored" {
		t.Errorf("warnings %q", got.Warnings)
	}
}

// TestSourcesProblems: a glob that matches nothing, a trainer state that
// is not JSON, and a declared metric never reported are each said once.
func TestSourcesProblems(t *testing.T) {
	dir := t.TempDir()
	c := watching(t, `experiment "e" {
  command = ["python", "train.py"]
  metrics_from {
    tensorboard   = "runs/**"
    trainer_state = "out/trainer_state.json"
  }
  metric "val_acc" { tag = "val/acc" }
}`, dir)
	writeFile(t, filepath.Join(dir, "out/trainer_state.json"), []byte(`{"log_history": [{"loss": 1, "step": 1}, {"loss": NaN, "step": 2}, `))
	got := c.Finish()
	want := []string{
		`metrics_from: out/trainer_state.json: is not a valid trainer state (unexpected end of JSON input); not read`,
		`metrics_from: tensorboard "runs/**" matched no event (tfevents) file in the workdir`,
		`metric "val_acc" is declared but the metrics file or metrics_from (tag "val/acc") never reported it`,
	}
	if diff := cmp.Diff(want, got.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestTagsAcrossDirectories: Keras writes epoch_loss under logs/train and
// logs/validation. A metric block picks one by DIR/TAG; an undeclared
// repeat is named apart from the first.
func TestTagsAcrossDirectories(t *testing.T) {
	dir := t.TempDir()
	c := watching(t, `experiment "e" {
  command = ["python", "train.py"]
  metrics_from { tensorboard = "logs" }
  metric "val_loss" { tag = "validation/epoch_loss" }
}`, dir)
	ev := func(step int64, tag string, v float32) []byte {
		return tfevents.AppendRecord(nil, tfevents.ScalarEvent(1, step, tag, v))
	}
	writeFile(t, filepath.Join(dir, "logs/train/events.out.tfevents.1"), append(ev(0, "epoch_loss", 1), ev(0, "epoch_accuracy", 0.5)...))
	writeFile(t, filepath.Join(dir, "logs/validation/events.out.tfevents.2"), append(ev(0, "epoch_loss", 2), ev(0, "epoch_accuracy", 0.25)...))
	got := c.Finish()
	want := map[string][]runner.Point{
		"epoch_loss":                {{Step: 0, Value: 1}},
		"epoch_accuracy":            {{Step: 0, Value: 0.5}},
		"val_loss":                  {{Step: 0, Value: 2}},
		"validation_epoch_accuracy": {{Step: 0, Value: 0.25}},
	}
	if diff := cmp.Diff(want, got.Series); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
}

func TestSanitizeName(t *testing.T) {
	for raw, want := range map[string]string{
		"val_acc":                 "val_acc",
		"val/acc":                 "val_acc",
		"eval/samples_per_second": "eval_samples_per_second",
		"Loss/train":              "Loss_train",
		"lr-Adam":                 "lr_Adam",
		"a//b..c":                 "a_b_c",
		"/loss/":                  "loss",
		"_hparams_/x":             "hparams_x",
		"///":                     "///",
		"":                        "",
	} {
		if got := sanitizeName(raw); got != want {
			t.Errorf("sanitizeName(%q) = %q, want %q", raw, got, want)
		}
	}
}

// TestDeletedSourceKeepsWhatWasRead: a trial that removes its logs when
// it ends loses nothing that a poll already read.
func TestDeletedSourceKeepsWhatWasRead(t *testing.T) {
	dir := t.TempDir()
	c := watching(t, tbSpec, dir)
	file, _ := eventBytes(1, 2)
	writeFile(t, filepath.Join(dir, "logs/events.out.tfevents.1"), file)
	c.Poll()
	if err := os.RemoveAll(filepath.Join(dir, "logs")); err != nil {
		t.Fatal(err)
	}
	got := c.Finish()
	if diff := cmp.Diff(lossPoints(1, 2), got.Series["loss"]); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
	if len(got.Warnings) != 0 {
		t.Errorf("warnings %q", got.Warnings)
	}
}

// TestScanIsThrottled: a glob over a large tree is walked again only
// after ten times as long as the last walk took.
func TestScanIsThrottled(t *testing.T) {
	dir := t.TempDir()
	c := watching(t, tbSpec, dir)
	c.Poll()
	w := c.watch
	w.scanCost = time.Hour
	file, _ := eventBytes(1)
	writeFile(t, filepath.Join(dir, "logs/events.out.tfevents.1"), file)
	if got := c.Poll(); len(got) != 0 {
		t.Errorf("a throttled poll found %q", got)
	}
	if got := c.Finish(); len(got.Series["loss"]) != 1 {
		t.Errorf("Finish always scans: %v", got.Series)
	}
}
