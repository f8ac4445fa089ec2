package results

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/assaylab/assay/runner"
)

// TestIndexCodecKeepsEveryField round-trips entries that use every field
// and every kind of param, next to one that leaves everything empty: a
// field the index loses is a column `assay results` shows wrong.
func TestIndexCodecKeepsEveryField(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 0, 0, 123456789, time.UTC)
	shared := map[string]any{"lr": 0.01, "opt": "adam"}
	full := &Entry{
		RunID: "20260301T120000.000Z-aaaa", TrialKey: "k1", Experiment: "resnet", Status: runner.StatusFailed,
		ExitCode: -9, Attempt: 3, Seed: -42,
		Params: map[string]any{
			"none": nil, "lr": 3e-4, "opt": "sgd", "aug": true, "ema": false,
			"layers": []any{64.0, 128.0}, "sched": map[string]any{"kind": "cosine"},
		},
		Metrics: map[string]float64{"val_acc": 0.91, "loss": -1.5, "inf": math.Inf(1)},
		Started: at, Finished: at.Add(90 * time.Second), DurationS: 90.25, Host: "gpu-7", GPUs: 4,
		SourceCommit: "0123456789abcdef0123456789abcdef01234567", Trigger: runner.TriggerPR, PR: 12,
		Batch: "nightly-3", Search: &runner.SearchOrigin{Round: 2, Proposal: 5},
	}
	empty := &Entry{RunID: "20260301T120001.000Z-bbbb", TrialKey: "k2", Experiment: "resnet", Status: runner.StatusStopped}
	first := &Entry{RunID: "20260301T120002.000Z-cccc", TrialKey: "k3", Experiment: "vit", Params: shared,
		Metrics: map[string]float64{"val_acc": 0.5}, Search: &runner.SearchOrigin{Round: 0, Proposal: 0}}
	second := &Entry{RunID: "20260301T120003.000Z-dddd", TrialKey: "k3", Experiment: "vit", Params: shared, Attempt: 2}
	var tip [20]byte
	for i := range tip {
		tip[i] = byte(i + 1)
	}
	for _, tc := range []struct {
		name string
		idx  *Index
	}{
		{"no runs", &Index{}},
		{"every field", &Index{Tip: tip, Entries: []*Entry{full}}},
		{"nothing set", &Index{Entries: []*Entry{empty}}},
		{"shared params", &Index{Entries: []*Entry{first, second}}},
		{"warnings", &Index{Tip: tip, Entries: []*Entry{empty, full},
			Warnings: []Warning{{Path: "runs/x/k/r.json", Problem: "not JSON"}, {Path: "runs/y", Problem: "not JSON"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeIndex(encodeIndex(tc.idx))
			if err != nil {
				t.Fatal(err)
			}
			want := *tc.idx
			if want.Entries == nil {
				want.Entries = []*Entry{}
			}
			if d := cmp.Diff(&want, got, cmpopts.IgnoreUnexported(Index{})); d != "" {
				t.Errorf("the index came back changed (-wrote +read):\n%s", d)
			}
		})
	}
}

// TestIndexScanDoesNotCarryMetricsOver reads entries one at a time into
// one Entry, as a query does: a run must not show the metrics of the run
// read before it.
func TestIndexScanDoesNotCarryMetricsOver(t *testing.T) {
	idx := &Index{Entries: []*Entry{
		{RunID: "a", Metrics: map[string]float64{"val_acc": 0.9, "loss": 0.1}},
		{RunID: "b", Metrics: map[string]float64{"loss": 0.3}},
		{RunID: "c"},
	}}
	x, err := openIndex(encodeIndex(idx))
	if err != nil {
		t.Fatal(err)
	}
	var e Entry
	var got []map[string]float64
	for x.next(&e) {
		got = append(got, map[string]float64{})
		for k, v := range e.Metrics {
			got[len(got)-1][k] = v
		}
	}
	if err := x.done(); err != nil {
		t.Fatal(err)
	}
	want := []map[string]float64{{"val_acc": 0.9, "loss": 0.1}, {"loss": 0.3}, {}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("metrics read one entry at a time (-want +got):\n%s", d)
	}
}

// craftedIndex writes an index file by hand, so that a test can damage one
// part of it and keep the checksum right, as a segment whose checksum
// passes but whose contents are wrong would be.
type craftedIndex struct {
	magic   string
	version uint64
	strings []string
	// missingStrings is added to the table's count.
	missingStrings uint64
	params         []byte // the sets' count and the sets
	warnings       []byte // the count and the pairs
	runs           uint64
	entries        []byte
}

func uv(vs ...uint64) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.AppendUvarint(b, v)
	}
	return b
}

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// craftedEntry is one entry whose strings are all string s, with params
// set p and the metrics given as written (count first).
func craftedEntry(s, p uint64, metrics []byte) []byte {
	return cat(uv(s, s, s, s), // run id, trial key, experiment, status
		uv(0, 0, 0, 0, 0),    // exit code, attempt, seed, started, finished (zig-zag 0)
		make([]byte, 8),      // duration
		uv(s, 0, s, s, 0, s), // host, GPUs, commit, trigger, PR, batch
		uv(0, p), metrics)    // no search, params
}

func (c craftedIndex) bytes() []byte {
	b := cat([]byte(c.magic), uv(c.version), make([]byte, 20), uv(uint64(len(c.strings))+c.missingStrings))
	for _, s := range c.strings {
		b = cat(b, uv(uint64(len(s))), []byte(s))
	}
	b = cat(b, c.params, c.warnings, uv(c.runs), c.entries)
	return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b))
}

func goodCrafted() craftedIndex {
	return craftedIndex{
		magic: indexMagic, version: indexVersion, strings: []string{"x", "acc"},
		// one set {x: true}
		params:   cat(uv(1, 1, 0), []byte{paramBool, 1}),
		warnings: uv(1, 0, 0),
		runs:     1,
		entries:  craftedEntry(0, 0, cat(uv(1, 1), make([]byte, 8))),
	}
}

// TestIndexDamageBehindAGoodChecksum: a file whose checksum is right but
// whose contents are not is reported damaged (and so rebuilt from the
// records), never read as runs that are not there and never a crash.
func TestIndexDamageBehindAGoodChecksum(t *testing.T) {
	good := goodCrafted()
	idx, err := decodeIndex(good.bytes())
	if err != nil {
		t.Fatalf("the undamaged file: %v", err)
	}
	if len(idx.Entries) != 1 || idx.Entries[0].RunID != "x" || idx.Entries[0].Params["x"] != true ||
		idx.Entries[0].Metrics["acc"] != 0 || len(idx.Warnings) != 1 {
		t.Fatalf("the undamaged file read as %+v", idx)
	}
	for _, tc := range []struct {
		name   string
		damage func(c *craftedIndex)
	}{
		{"another magic", func(c *craftedIndex) { c.magic = "assayidy" }},
		{"another version", func(c *craftedIndex) { c.version = indexVersion - 1 }},
		{"a string number past the table", func(c *craftedIndex) { c.entries = craftedEntry(2, 0, uv(0)) }},
		{"a params number past the sets", func(c *craftedIndex) { c.entries = craftedEntry(0, 1, uv(0)) }},
		{"a warning's string past the table", func(c *craftedIndex) { c.warnings = uv(1, 0, 2) }},
		{"a param of no known kind", func(c *craftedIndex) { c.params = cat(uv(1, 1, 0), []byte{paramJSON + 1}) }},
		{"a JSON param that is not JSON", func(c *craftedIndex) { c.params = cat(uv(1, 1, 0), []byte{paramJSON}, uv(1)) }},
		{"a param with its value cut", func(c *craftedIndex) {
			c.params = cat(uv(1, 1, 0), []byte{paramNumber}, []byte{1, 2, 3})
			c.warnings, c.runs, c.entries = nil, 0, nil
		}},
		{"more runs than entries", func(c *craftedIndex) { c.runs = 2 }},
		{"an entry after the last run", func(c *craftedIndex) { c.entries = cat(c.entries, craftedEntry(0, 0, uv(0))) }},
		{"a byte after the entries", func(c *craftedIndex) { c.entries = cat(c.entries, []byte{0}) }},
		{"a metric count past the end", func(c *craftedIndex) { c.entries = craftedEntry(0, 0, uv(1000)) }},
		{"a metric value cut short", func(c *craftedIndex) { c.entries = craftedEntry(0, 0, cat(uv(1, 1), make([]byte, 7))) }},
		{"a string count past the end", func(c *craftedIndex) { c.missingStrings = 1000 }},
		{"a string count one past the table", func(c *craftedIndex) { c.missingStrings = 1 }},
		{"a string's length past the end", func(c *craftedIndex) {
			c.strings = nil
			c.params = cat(uv(1000), c.params)
		}},
		{"a params count past the end", func(c *craftedIndex) { c.params = uv(1000) }},
		{"the last entry's last field missing", func(c *craftedIndex) { c.entries = craftedEntry(0, 0, nil) }},
		{"a varint that never ends", func(c *craftedIndex) { c.entries = cat(c.entries, []byte{0x80}) }},
		{"a varint too long", func(c *craftedIndex) {
			c.runs = 0
			c.entries = []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := goodCrafted()
			tc.damage(&c)
			idx, err := decodeIndex(c.bytes())
			if !errors.Is(err, errBadIndex) {
				t.Errorf("decoded with error %v, want %v: %+v", err, errBadIndex, idx)
			}
		})
	}
}
