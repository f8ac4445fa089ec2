// Package metrics collects a trial's metrics: JSON lines appended to
// ASSAY_METRICS_FILE, pattern metrics scraped from stdout, and the files
// a metrics_from block names (Collector.Watch): TensorBoard event files
// (read by the tfevents sub-package), CSV logs, the Hugging Face
// Trainer's trainer_state.json and MLflow's file store. docs/metrics.md
// describes the formats, how their names become metric names, and which
// files count as the trial's: those the globs match that were not there,
// unchanged, before it started; a file another running trial already
// reads is left to it, with a warning in both records.
//
// Bad input never fails a trial. A torn last line (a writer killed
// mid-write), a line that is not a JSON object, a value that is not a
// number, NaN or ±Inf (Python's json.dumps writes NaN and Infinity
// without complaint), and a metrics file deleted or replaced mid-run are
// each reported once, as a warning in the run record, with a count of the
// lines affected; every good point is kept. So are declared metrics; of the
// names no metric block declares, the first MaxUndeclared are kept and the
// points of the rest dropped with a warning.
//
// A line is one JSON object; "step" is its step, and every other numeric
// member is one point of the metric it names:
//
//	{"step": 10, "val_acc": 0.81, "train_loss": 0.4}
//
// A line without "step" takes the number of the object line it is (1, 2,
// ...). Numbers may also come as strings ("0.81"). Pattern metrics number
// their points by the matching line: 1, 2, ...
//
// Summaries (last, min, max, mean) are computed over every finite point as
// it arrives. The series kept beside the record is bounded: it keeps every
// point up to MaxPoints and beyond that an evenly thinned subset that
// always includes the first and the last point, in step order, so a run
// of a million steps costs a few kilobytes of memory.
package metrics
