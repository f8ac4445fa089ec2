package results

import (
	"encoding/binary"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

func manifestState() *indexState {
	h := func(b byte) (x plumbing.Hash) {
		for i := range x {
			x[i] = b
		}
		return x
	}
	recs := []segmentEntry{
		{entry: &Entry{RunID: "r1", TrialKey: "k1", Experiment: "e", Params: map[string]any{"lr": 0.1}}, blob: h(7)},
		{entry: &Entry{RunID: "r2", TrialKey: "k2", Experiment: "e", Metrics: map[string]float64{"acc": 0.5}}, blob: h(8)},
	}
	return &indexState{
		tip:   h(1),
		parts: []indexPart{{blob: h(2)}, {blob: h(3)}},
		covered: map[segmentID]bool{
			{9, 9, 9, 9, 9, 9, 9, 9}: true, {1, 2, 3, 4, 5, 6, 7, 8}: true, {5}: true,
		},
		masked: map[recordID]plumbing.Hash{
			{Experiment: "e", TrialKey: "k0", RunID: "r0"}: {},
			{Experiment: "e", TrialKey: "k3", RunID: "r3"}: h(4),
		},
		recordsData: encodeRecords(recs, []Warning{{Path: "runs/e/k9/r9.json", Problem: "is not a valid record"}}),
	}
}

// TestManifestRoundTripAndDamage: a manifest reads back as it was
// written, every field; one damaged behind a good checksum (cut anywhere,
// or a count past what follows) is refused, never read in part, so the
// index is built again.
func TestManifestRoundTripAndDamage(t *testing.T) {
	st := manifestState()
	b := encodeManifest(st)
	got, err := decodeManifest(b)
	if err != nil {
		t.Fatalf("the undamaged manifest: %v", err)
	}
	if got.tip != st.tip || len(got.parts) != 2 || got.parts[0].blob != st.parts[0].blob || got.parts[1].blob != st.parts[1].blob {
		t.Errorf("tip %v and parts %+v, want %v and %+v", got.tip, got.parts, st.tip, st.parts)
	}
	if d := cmp.Diff(st.covered, got.covered); d != "" {
		t.Errorf("covered (-want +got):\n%s", d)
	}
	if d := cmp.Diff(st.masked, got.masked); d != "" {
		t.Errorf("masked (-want +got):\n%s", d)
	}
	if d := cmp.Diff(st.recordsData, got.recordsData); d != "" {
		t.Errorf("records (-want +got):\n%s", d)
	}
	if len(got.warnings) != 1 || got.warnings[0].Path != "runs/e/k9/r9.json" {
		t.Errorf("warnings %v, want the one written", got.warnings)
	}
	recs, err := decodeRecords(got.recordsData)
	if err != nil || len(recs) != 2 || recs[0].entry.RunID != "r1" || recs[1].blob != (plumbing.Hash{8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8}) ||
		recs[1].entry.Metrics["acc"] != 0.5 {
		t.Errorf("records read back as %+v, %v", recs, err)
	}

	body := b[:len(b)-4]
	for n := 0; n < len(body); n++ {
		if _, err := decodeManifest(withCRC(cat(body[:n]))); err == nil {
			t.Errorf("a manifest cut to %d of %d bytes was read", n, len(body))
		}
	}
	head := len(manifestMagic) + 1 + 20 // magic, version, tip
	huge := binary.AppendUvarint(nil, 1<<40)
	for _, tc := range []struct {
		name string
		body []byte
	}{
		{"a parts count past the end", cat(body[:head], huge)},
		{"a covered count past the end", cat(body[:head], uv(0), huge)},
		{"a masked count past the end", cat(body[:head], uv(0, 0), huge)},
		// One record blob announced, 19 bytes after the count.
		{"records cut inside their blobs", cat(body[:head], uv(0, 0, 0, 20, 1), make([]byte, 19))},
		{"records with no index after their blobs", cat(body[:head], uv(0, 0, 0, 21, 1), make([]byte, 20))},
		{"a byte after the records", cat(body, []byte{0})},
		{"another version", cat([]byte(manifestMagic), uv(manifestVersion+1), body[len(manifestMagic)+1:])},
	} {
		if _, err := decodeManifest(withCRC(cat(tc.body))); err == nil {
			t.Errorf("%s: read", tc.name)
		}
	}
}
