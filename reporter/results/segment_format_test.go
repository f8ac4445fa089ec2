package results

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/google/go-cmp/cmp"
)

func TestSegmentLevel(t *testing.T) {
	for _, tc := range []struct {
		path  string
		level int
		ok    bool
	}{
		{"index/L0-20260301T120000.000Z-aaaa-0123456789abcdef.seg", 0, true},
		{"index/L3-empty-0123456789abcdef.seg", 3, true},
		{"index/L12-x.seg", 12, true},
		{"index/L0.seg", 0, false},
		{"index/Lx-y.seg", 0, false},
		{"index/L-1-y.seg", 0, false},
		{"index/X0-y.seg", 0, false},
		{"index/L0-y.json", 0, false},
		{"index/sub/L0-y.seg", 0, false},
		{"other/L0-y.seg", 0, false},
		{"L0-y.seg", 0, false},
	} {
		lv, ok := segmentLevel(tc.path)
		if lv != tc.level || ok != tc.ok {
			t.Errorf("segmentLevel(%q) = %d, %v; want %d, %v", tc.path, lv, ok, tc.level, tc.ok)
		}
		if IsSegment(tc.path) != tc.ok {
			t.Errorf("IsSegment(%q) = %v", tc.path, !tc.ok)
		}
	}
}

// craftedSegment writes a segment by hand around an index body, with a
// right checksum, so that one part of it can be made wrong.
func craftedSegment(version, ncovers uint64, covers []byte, nblobs uint64, blobs, body []byte) []byte {
	return withCRC(cat([]byte(segmentMagic), uv(version, ncovers), covers, uv(nblobs), blobs, body))
}

func withCRC(b []byte) []byte { return binary.LittleEndian.AppendUint32(b, crc32.ChecksumIEEE(b)) }

// TestSegmentRoundTripAndDamage: a segment reads back as written (its
// entries, the blob of each, the level-0 segments it covers); one that is
// damaged, of another version or inconsistent is refused, so its records
// are read from the branch instead.
func TestSegmentRoundTripAndDamage(t *testing.T) {
	seg := &segment{
		entries: []*Entry{{RunID: "r1", TrialKey: "k1", Experiment: "e"}, {RunID: "r2", TrialKey: "k2", Experiment: "e"}},
		blobs:   []plumbing.Hash{blobOf(1), blobOf(2)},
		covers:  []segmentID{{1, 2, 3, 4, 5, 6, 7, 8}, {9, 9, 9, 9, 9, 9, 9, 9}},
	}
	got, err := decodeSegment(encodeSegment(seg))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(seg, got, cmp.AllowUnexported(segment{})); d != "" {
		t.Errorf("the segment came back changed (-wrote +read):\n%s", d)
	}

	body := encodeIndex(&Index{Entries: seg.entries})
	covers := append(append([]byte(nil), seg.covers[0][:]...), seg.covers[1][:]...)
	bl := blobs(1, 2)
	if _, err := decodeSegment(craftedSegment(segmentVersion, 2, covers, 2, bl, body)); err != nil {
		t.Fatalf("the hand-written segment: %v", err)
	}
	whole := encodeSegment(seg)
	flipped := append([]byte(nil), whole...)
	flipped[len(flipped)/2] ^= 1
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"shorter than a header", []byte(segmentMagic)},
		{"cut", whole[:len(whole)-1]},
		{"a flipped bit", flipped},
		{"another magic", append([]byte("assaysex"), whole[len(segmentMagic):]...)},
		{"another version", craftedSegment(segmentVersion+1, 2, covers, 2, bl, body)},
		{"no version", withCRC([]byte(segmentMagic))},
		{"no covers count", withCRC(cat([]byte(segmentMagic), uv(segmentVersion)))},
		{"no blobs count", withCRC(cat([]byte(segmentMagic), uv(segmentVersion, 0)))},
		{"more covers than bytes", craftedSegment(segmentVersion, 1000, covers, 2, bl, body)},
		{"more blobs than bytes", craftedSegment(segmentVersion, 2, covers, 1000, bl, body)},
		{"fewer blobs than entries", craftedSegment(segmentVersion, 2, covers, 1, bl[:20], body)},
		{"more blobs than entries", craftedSegment(segmentVersion, 2, covers, 3, blobs(1, 2, 3), body)},
		{"a body of the magic alone", craftedSegment(segmentVersion, 2, covers, 0, nil, []byte(indexMagic))},
		{"a damaged body", craftedSegment(segmentVersion, 2, covers, 2, bl, body[:len(body)-1])},
	} {
		if _, err := decodeSegment(tc.data); !errors.Is(err, errBadSegment) && !errors.Is(err, errBadIndex) {
			t.Errorf("%s: decoded with error %v", tc.name, err)
		}
		// A query reads a segment entry by entry (parseSegment, open,
		// next) and checks it at the end.
		if sd, err := parseSegment(tc.data); err == nil {
			if x, err := sd.open(); err == nil {
				var e Entry
				for x.next(&e) {
				}
				if x.done() == nil {
					t.Errorf("%s: read to the end without an error", tc.name)
				}
			}
		}
	}
}
