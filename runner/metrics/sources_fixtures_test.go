package metrics

import (
	"encoding/json"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/assaylab/assay/runner"
	"github.com/assaylab/assay/spec"
)

const fixtures = "testdata/fixtures"

// experiment decodes one experiment and returns it with its first trial.
func experiment(t *testing.T, src string) (*spec.Experiment, *spec.Trial) {
	return experimentB(t, src)
}

func experimentB(t testing.TB, src string) (*spec.Experiment, *spec.Trial) {
	t.Helper()
	p, diags := spec.Load(fstest.MapFS{"experiments/e.hcl": {Data: []byte(src)}}, spec.LoadOptions{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	e := p.Experiments[0]
	trials, diags := e.Trials("")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return e, trials[0]
}

// watching returns a collector following the experiment's metrics_from
// in dir, as the local executor starts one: before the trial runs.
func watching(t *testing.T, src, dir string) *Collector {
	t.Helper()
	e, tr := experiment(t, src)
	c, err := NewCollector(e.Metrics, "")
	if err != nil {
		t.Fatal(err)
	}
	c.Watch(e.MetricsFrom, tr, dir)
	if !c.Watching() {
		t.Fatal("not watching")
	}
	return c
}

// copyTree copies a fixture folder into dir, as the trial would write it.
func copyTree(t *testing.T, from, dir string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}

// series builds expected series; add keeps the order values were logged.
type series map[string][]runner.Point

func (s series) add(name string, step int64, v float64) {
	s[name] = append(s[name], runner.Point{Step: step, Value: v})
}

// sorted orders each series by step as the record does, keeping the
// order of points that share a step.
func (s series) sorted() series {
	for _, pts := range s {
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].Step < pts[j].Step })
	}
	return s
}

func f32(v float64) float64 { return float64(float32(v)) }

// lightningRows is what a logger added beside Lightning's own received.
type lightningRows []struct {
	Step    int64
	Metrics map[string]float64
}

func TestLightningTensorBoardAndCSV(t *testing.T) {
	var rows lightningRows
	readJSON(t, filepath.Join(fixtures, "lightning/expected.json"), &rows)
	for _, format := range []string{"tensorboard", "csv"} {
		t.Run(format, func(t *testing.T) {
			dir := t.TempDir()
			glob := map[string]string{"tensorboard": "lightning_logs/**", "csv": "csv_logs/*/metrics.csv"}[format]
			c := watching(t, `experiment "e" {
  command = ["python", "train.py"]
  metrics_from { `+format+` = "`+glob+`" }
  metric "val_acc" {
    tag     = "val/acc"
    summary = "max"
  }
}`, dir)
			copyTree(t, filepath.Join(fixtures, "lightning"), dir)
			got := c.Finish()

			want := series{}
			if format == "tensorboard" {
				// TensorBoardLogger logs hp_metric = -1 with the
				// hyperparameters, beside what the loggers receive.
				want.add("hp_metric", 0, -1)
			}
			names := map[string]string{"val/acc": "val_acc"}
			for _, r := range rows {
				keys := make([]string, 0, len(r.Metrics))
				for k := range r.Metrics {
					keys = append(keys, k)
				}
				// TensorBoard files hold a row's values in the order
				// Lightning logged them, CSV in column order; the
				// series does not care, as each name is its own.
				sort.Strings(keys)
				for _, k := range keys {
					v := r.Metrics[k]
					if format == "tensorboard" {
						v = f32(v) // simple_value is a float32
					}
					name := k
					if n, ok := names[k]; ok {
						name = n
					}
					want.add(name, r.Step, v)
				}
			}
			if diff := cmp.Diff(map[string][]runner.Point(want.sorted()), got.Series); diff != "" {
				t.Errorf("series (-logged +read):\n%s", diff)
			}
			if got.Summaries["val_acc"] != 1 || got.Summaries["train_loss"] != want["train_loss"][len(want["train_loss"])-1].Value {
				t.Errorf("summaries %v", got.Summaries)
			}
			if len(got.Warnings) != 0 {
				t.Errorf("warnings: %q", got.Warnings)
			}
		})
	}
}

// hfRows is what a callback added to the Trainer received in on_log.
type hfRows []struct {
	Step int64
	Logs map[string]float64
}

func TestHuggingFaceTrainerStateAndEvents(t *testing.T) {
	var rows hfRows
	readJSON(t, filepath.Join(fixtures, "huggingface/expected.json"), &rows)

	t.Run("trainer_state", func(t *testing.T) {
		dir := t.TempDir()
		// The glob matches every checkpoint's state and the final one;
		// each entry counts once.
		c := watching(t, `experiment "e" {
  command = ["python", "train.py"]
  metrics_from { trainer_state = "out/**/trainer_state.json" }
  metric "eval_loss" { summary = "min" }
}`, dir)
		copyTree(t, filepath.Join(fixtures, "huggingface"), dir)
		got := c.Finish()
		want := series{}
		for _, r := range rows {
			for k, v := range r.Logs {
				want.add(k, r.Step, v)
			}
		}
		if diff := cmp.Diff(map[string][]runner.Point(want.sorted()), got.Series); diff != "" {
			t.Errorf("series (-logged +read):\n%s", diff)
		}
		if got.Summaries["eval_loss"] != 0.6921731233596802 {
			t.Errorf("eval_loss summary %v", got.Summaries["eval_loss"])
		}
		if len(got.Warnings) != 0 {
			t.Errorf("warnings: %q", got.Warnings)
		}
	})

	t.Run("tensorboard", func(t *testing.T) {
		dir := t.TempDir()
		c := watching(t, `experiment "e" {
  command = ["python", "train.py"]
  metrics_from { tensorboard = "out/runs" }
}`, dir)
		copyTree(t, filepath.Join(fixtures, "huggingface"), dir)
		got := c.Finish()
		// The Trainer's TensorBoard callback names eval_x eval/x and
		// everything else train/x; assay names those eval_x and train_x.
		want := series{}
		for _, r := range rows {
			for k, v := range r.Logs {
				name := "train_" + k
				if strings.HasPrefix(k, "eval_") {
					name = k
				}
				want.add(name, r.Step, f32(v))
			}
		}
		if diff := cmp.Diff(map[string][]runner.Point(want.sorted()), got.Series); diff != "" {
			t.Errorf("series (-logged +read):\n%s", diff)
		}
		if len(got.Warnings) != 0 {
			t.Errorf("warnings: %q", got.Warnings)
		}
	})
}

// writerRows is what make_fixtures.py logged through PyTorch's and
// TensorBoard's writers.
type writerRows []struct {
	Dir, Tag, Form string
	Step           int64
	Value          any
}

func TestPyTorchAndTensorBoardWriters(t *testing.T) {
	for _, lib := range []string{"torch_summarywriter", "tensorboard_writer"} {
		t.Run(lib, func(t *testing.T) {
			var rows writerRows
			readJSON(t, filepath.Join(fixtures, lib, "expected.json"), &rows)
			dir := t.TempDir()
			c := watching(t, `experiment "e" {
  command = ["python", "train.py"]
  metrics_from { tensorboard = "." }
}`, dir)
			copyTree(t, filepath.Join(fixtures, lib), dir)
			got := c.Finish()
			want := series{}
			for _, r := range rows {
				v, ok := r.Value.(float64)
				if !ok {
					continue // the NaN: dropped, with a warning
				}
				if r.Form != "tensor double_val" {
					v = f32(v)
				}
				name := sanitizeName(r.Tag)
				if r.Dir == "run/cmp_val" {
					// add_scalars' second folder repeats the tag "cmp".
					name = "cmp_val"
				}
				want.add(name, r.Step, v)
			}
			if diff := cmp.Diff(map[string][]runner.Point(want.sorted()), got.Series); diff != "" {
				t.Errorf("series (-logged +read):\n%s", diff)
			}
			var wantWarn []string
			if lib == "torch_summarywriter" {
				wantWarn = []string{`metrics_from: "bad" was NaN or infinite 1 time (first in run/` + eventFile(t, filepath.Join(fixtures, lib, "run")) + `); those points were dropped`}
			}
			if diff := cmp.Diff(wantWarn, got.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func eventFile(t *testing.T, dir string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "events.out.tfevents.*"))
	if len(m) != 1 {
		t.Fatalf("event files in %s: %v", dir, m)
	}
	return filepath.Base(m[0])
}

func TestMLflowFileStore(t *testing.T) {
	var rows []struct {
		Key   string
		Step  int64
		Value any
	}
	readJSON(t, filepath.Join(fixtures, "mlflow_filestore/expected.json"), &rows)
	dir := t.TempDir()
	c := watching(t, `experiment "e" {
  command = ["python", "train.py"]
  metrics_from { mlflow = "mlruns" }
  metric "acc" { tag = "val/acc" }
}`, dir)
	copyTree(t, filepath.Join(fixtures, "mlflow_filestore"), dir)
	got := c.Finish()
	want := series{}
	for _, r := range rows {
		v, ok := r.Value.(float64)
		if !ok {
			continue
		}
		name := r.Key
		if name == "val/acc" {
			name = "acc"
		}
		want.add(name, r.Step, v)
	}
	if diff := cmp.Diff(map[string][]runner.Point(want.sorted()), got.Series); diff != "" {
		t.Errorf("series (-logged +read):\n%s", diff)
	}
	if len(got.Warnings) != 1 || !strings.Contains(got.Warnings[0], `"lr" was NaN or infinite 1 time`) {
		t.Errorf("warnings: %q", got.Warnings)
	}
}

func TestKerasCSVLogger(t *testing.T) {
	dir := t.TempDir()
	// Keras' CSVLogger writes training.log: named exactly, it is read
	// whatever its extension; epoch (from 0) is the step.
	c := watching(t, `experiment "e" {
  command = ["python", "train.py"]
  metrics_from { csv = "training.log" }
  metric "val_accuracy" { summary = "max" }
}`, dir)
	copyTree(t, filepath.Join(fixtures, "keras_csvlogger"), dir)
	got := c.Finish()
	want := map[string][]runner.Point{
		"accuracy":     {{Step: 0, Value: 0.5}, {Step: 1, Value: 0.6}, {Step: 2, Value: 0.7}},
		"loss":         {{Step: 0, Value: 1}, {Step: 1, Value: 0.5}, {Step: 2, Value: 0.3333333333333333}},
		"val_accuracy": {{Step: 0, Value: 0.45}, {Step: 1, Value: 0.55}, {Step: 2, Value: 0.65}},
		"val_loss":     {{Step: 0, Value: 1.1}, {Step: 1, Value: 0.55}, {Step: 2, Value: 0.3666666666666667}},
	}
	if diff := cmp.Diff(want, got.Series); diff != "" {
		t.Errorf("series (-want +got):\n%s", diff)
	}
	if got.Summaries["val_accuracy"] != 0.65 || len(got.Warnings) != 0 {
		t.Errorf("summaries %v, warnings %q", got.Summaries, got.Warnings)
	}
	if math.IsNaN(got.Summaries["loss"]) {
		t.Error("NaN summary")
	}
}

func watchingB(b *testing.B, dir string) *Collector {
	e, tr := experimentB(b, tbSpec)
	c, err := NewCollector(e.Metrics, "")
	if err != nil {
		b.Fatal(err)
	}
	c.Watch(e.MetricsFrom, tr, dir)
	return c
}
