package metrics

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/assaylab/assay/runner/metrics/tfevents"
)

// BenchmarkReadEventFile reads an event file of 100,000 scalars (10 MB)
// through a trial's metrics_from, as bench/tfevents.sh does at 1 GiB.
func BenchmarkReadEventFile(b *testing.B) {
	src := b.TempDir()
	var file []byte
	file = tfevents.AppendRecord(file, tfevents.FileVersionEvent(1))
	for i := range 100_000 {
		tag := fmt.Sprintf("train/losses/cross_entropy_component_%02d_with_label_smoothing_on", i%10)
		file = tfevents.AppendRecord(file, tfevents.ScalarEvent(1, int64(i/10), tag, float32(i%1000)/1000))
	}
	path := filepath.Join(src, "events")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		dir := b.TempDir()
		c := watchingB(b, dir)
		os.Mkdir(filepath.Join(dir, "logs"), 0o755)
		os.Link(path, filepath.Join(dir, "logs/events.out.tfevents.1"))
		if out := c.Finish(); len(out.Summaries) != 10 {
			b.Fatalf("summaries %v", out.Summaries)
		}
	}
}
