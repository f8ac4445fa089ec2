package results

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/storer"
)

// The index travels with the branch: every commit that records runs also
// adds an index segment, index/L0-<first run id>-<hash>.seg, holding the
// index entries of the records it adds and each record's blob id. Names
// are unique per batch, so concurrent writers never touch the same file
// and re-applying a commit on a newer tip (integrate) carries its segment
// along with its records. A reader on a fresh clone merges the segments
// and learns from the branch's history which commits they cover
// (index_segments.go); only records no segment covers (those of an older
// assay, or of a damaged segment) are read and decoded. Records stay the
// source of truth: a commit the segments do not cover is read from the
// records, and what it removes or rewrites overrules the segments.
//
// Segments are compacted as they pile up, like the levels of an LSM tree:
// when a commit would leave segmentFanIn segments of one level, it merges
// them into one segment of the next level and removes them, so a branch of
// N runs holds at most segmentFanIn-1 segments per level, about
// log8(N/batch) levels, and each entry is rewritten once per level. These
// removals under index/ are the one exception to "files are only added":
// two writers compacting the same segments at once both add a merged
// segment, which readers merge by record path, and a later compaction
// folds the duplicates together.
const (
	IndexDir      = "index"
	segmentSuffix = ".seg"
	segmentMagic  = "assayseg"
	segmentFanIn  = 8
)

// segmentVersion changes when the segment format does; a reader ignores
// segments of another version and reads their records instead.
const segmentVersion = 1

// IsSegment reports whether p is an index segment on the results branch.
func IsSegment(p string) bool {
	_, ok := segmentLevel(p)
	return ok
}

// segmentLevel parses index/L<level>-<...>.seg.
func segmentLevel(p string) (int, bool) {
	name, ok := strings.CutPrefix(p, IndexDir+"/")
	if !ok || strings.Contains(name, "/") || !strings.HasSuffix(name, segmentSuffix) || !strings.HasPrefix(name, "L") {
		return 0, false
	}
	lv, _, ok := strings.Cut(name[1:], "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(lv)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// segment is one decoded segment: entries[i] describes the record whose
// blob is blobs[i]. covers are the ids of the level-0 segments it holds
// (its own id at level 0, the union of the merged ones' above): the
// commit that added a level-0 segment names its id in an Assay-Index
// trailer, which is how a reader knows the commit's records are indexed.
type segment struct {
	entries []*Entry
	blobs   []plumbing.Hash
	covers  []segmentID
}

// segmentID names a level-0 segment: the first 8 bytes of the sha256 of
// its entries and blobs, encoded.
type segmentID [8]byte

func (id segmentID) String() string { return hex.EncodeToString(id[:]) }

// TrailerIndex is the commit trailer that names the level-0 index
// segment of a commit's records.
const TrailerIndex = "Assay-Index"

// level0 makes seg a level-0 segment: it covers itself.
func (seg *segment) level0() segmentID {
	sum := sha256.Sum256(encodeSegment(&segment{entries: seg.entries, blobs: seg.blobs}))
	var id segmentID
	copy(id[:], sum[:8])
	seg.covers = []segmentID{id}
	return id
}

// encodeSegment writes a segment: magic, version, the ids it covers, the
// record blob ids, then the entries in the index file format
// (index_codec.go), then a crc32 of it all.
func encodeSegment(seg *segment) []byte {
	out := append([]byte(segmentMagic), binary.AppendUvarint(nil, segmentVersion)...)
	out = binary.AppendUvarint(out, uint64(len(seg.covers)))
	for _, id := range seg.covers {
		out = append(out, id[:]...)
	}
	out = binary.AppendUvarint(out, uint64(len(seg.blobs)))
	for _, b := range seg.blobs {
		out = append(out, b[:]...)
	}
	out = append(out, encodeIndex(&Index{Entries: seg.entries})...)
	return binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(out))
}

var errBadSegment = errors.New("index segment is damaged or of another version")

func decodeSegment(b []byte) (*segment, error) {
	sd, err := parseSegment(b)
	if err != nil {
		return nil, err
	}
	idx, err := decodeIndex(sd.body)
	if err != nil || len(idx.Entries) != sd.count {
		return nil, errBadSegment
	}
	seg := &segment{blobs: make([]plumbing.Hash, sd.count), covers: sd.covers, entries: idx.Entries}
	for i := range seg.blobs {
		seg.blobs[i] = sd.blob(i)
	}
	return seg, nil
}

// segmentData is a segment checked (magic, version, checksum) and split,
// its entries left to be read one at a time (indexData).
type segmentData struct {
	covers []segmentID
	// blobs holds the record blob ids, 20 bytes each, in entry order.
	blobs []byte
	// body holds the entries in the index file format.
	body  []byte
	count int
}

func (sd *segmentData) blob(i int) (h plumbing.Hash) {
	copy(h[:], sd.blobs[20*i:])
	return h
}

// open starts reading the segment's entries.
func (sd *segmentData) open() (*indexData, error) {
	x, err := openIndexChecked(sd.body)
	if err != nil || x.runs != sd.count {
		return nil, errBadSegment
	}
	return x, nil
}

// parseSegment checks a segment and splits it into its parts.
func parseSegment(b []byte) (*segmentData, error) {
	if len(b) < len(segmentMagic)+4 || !bytes.HasPrefix(b, []byte(segmentMagic)) {
		return nil, errBadSegment
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errBadSegment
	}
	rest := body[len(segmentMagic):]
	v, n := binary.Uvarint(rest)
	if n <= 0 || v != segmentVersion {
		return nil, errBadSegment
	}
	rest = rest[n:]
	ncovers, n := binary.Uvarint(rest)
	if n <= 0 || ncovers > uint64(len(rest))/8 {
		return nil, errBadSegment
	}
	rest = rest[n:]
	covers := make([]segmentID, ncovers)
	for i := range covers {
		copy(covers[i][:], rest[:8])
		rest = rest[8:]
	}
	count, n := binary.Uvarint(rest)
	if n <= 0 || count > uint64(len(rest))/20 {
		return nil, errBadSegment
	}
	rest = rest[n:]
	return &segmentData{covers: covers, blobs: rest[:20*count], body: rest[20*count:], count: int(count)}, nil
}

// segmentPath names a segment of level holding data: the first run id
// keeps a listing in time order, the content hash keeps names unique.
func segmentPath(level int, seg *segment, data []byte) string {
	first := "empty"
	if len(seg.entries) > 0 {
		first = seg.entries[0].RunID
	}
	sum := sha256.Sum256(data)
	return path.Join(IndexDir, fmt.Sprintf("L%d-%s-%s%s", level, first, hex.EncodeToString(sum[:8]), segmentSuffix))
}

// newSegment builds the segment of the given records (path, blob, bytes):
// each entry is decoded from the record's bytes exactly as a reader would,
// and a record that would not index is left to be read (and warned about)
// from the branch.
func newSegment(records []recordFile) *segment {
	seg := &segment{}
	for _, r := range records {
		e, problem := entryFromRecord(r.path, r.data)
		if problem != "" {
			continue
		}
		seg.entries = append(seg.entries, e)
		seg.blobs = append(seg.blobs, r.blob)
	}
	sortSegment(seg)
	return seg
}

// recordFile is a record being committed.
type recordFile struct {
	path string
	blob plumbing.Hash
	data []byte
}

func sortSegment(seg *segment) {
	order := make([]int, len(seg.entries))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		ea, eb := seg.entries[order[a]], seg.entries[order[b]]
		if ea.RunID != eb.RunID {
			return ea.RunID < eb.RunID
		}
		return ea.TrialKey < eb.TrialKey
	})
	entries := make([]*Entry, len(order))
	blobs := make([]plumbing.Hash, len(order))
	for i, j := range order {
		entries[i], blobs[i] = seg.entries[j], seg.blobs[j]
	}
	seg.entries, seg.blobs = entries, blobs
}

// segmentFiles lists the segments in tree's index/ folder.
func (s *Store) segmentFiles(tree plumbing.Hash) ([]entryAdd, error) {
	if tree.IsZero() {
		return nil, nil
	}
	t, err := object.GetTree(s.repo.Storer, tree)
	if err != nil {
		return nil, err
	}
	dir, err := t.FindEntry(IndexDir)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, nil
	}
	if err != nil || dir.Mode != filemode.Dir {
		return nil, err
	}
	it, err := object.GetTree(s.repo.Storer, dir.Hash)
	if err != nil {
		return nil, err
	}
	var out []entryAdd
	for _, e := range it.Entries {
		p := IndexDir + "/" + e.Name
		if e.Mode.IsFile() && IsSegment(p) {
			out = append(out, entryAdd{Path: p, Blob: e.Hash})
		}
	}
	return out, nil
}

// readSegment reads and decodes one segment blob; nil when it is damaged.
func (s *Store) readSegment(blob plumbing.Hash) *segment {
	data, err := readBlob(s.repo.Storer, blob)
	if err != nil {
		return nil
	}
	seg, err := decodeSegment(data)
	if err != nil {
		return nil
	}
	return seg
}

// segmentAdds is what a commit of seg's records on baseTree adds under
// index/: seg itself, or, when that makes segmentFanIn segments of a
// level, their merge one level up, with the merged ones removed (and so
// on up the levels).
func (s *Store) segmentAdds(st storer.EncodedObjectStorer, baseTree plumbing.Hash, seg *segment) ([]entryAdd, error) {
	if len(seg.entries) == 0 {
		return nil, nil
	}
	existing, err := s.segmentFiles(baseTree)
	if err != nil {
		return nil, err
	}
	byLevel := map[int][]entryAdd{}
	for _, e := range existing {
		lv, _ := segmentLevel(e.Path)
		byLevel[lv] = append(byLevel[lv], e)
	}
	out, carry, level := compactSegments(byLevel, func(e entryAdd) *segment { return s.readSegment(e.Blob) }, seg)
	data := encodeSegment(carry)
	h, err := writeBlob(st, data)
	if err != nil {
		return nil, err
	}
	return append(out, entryAdd{Path: segmentPath(level, carry, data), Blob: h}), nil
}

// compactSegments adds seg to the segments of level 0 and merges any
// level that reaches segmentFanIn into one segment of the next: it
// returns the segments to remove, and the segment to add with its level.
// load reads an existing segment (nil when damaged: it is dropped, and
// its records are read from the branch by every reader until a later
// writer covers them again).
func compactSegments(byLevel map[int][]entryAdd, load func(entryAdd) *segment, seg *segment) (removes []entryAdd, carry *segment, level int) {
	carry = seg
	for len(byLevel[level])+1 >= segmentFanIn {
		merged := &segment{entries: carry.entries, blobs: carry.blobs, covers: carry.covers}
		for _, old := range byLevel[level] {
			removes = append(removes, entryAdd{Path: old.Path, Remove: true})
			if o := load(old); o != nil {
				merged.entries = append(merged.entries, o.entries...)
				merged.blobs = append(merged.blobs, o.blobs...)
				merged.covers = append(merged.covers, o.covers...)
			}
		}
		carry = dedupeSegment(merged)
		level++
	}
	return removes, carry, level
}

// dedupeSegment keeps one entry per record path (two writers that
// compacted the same segments at once leave both merges behind).
func dedupeSegment(seg *segment) *segment {
	seen := make(map[string]bool, len(seg.entries))
	out := &segment{}
	ids := map[segmentID]bool{}
	for _, id := range seg.covers {
		if !ids[id] {
			ids[id] = true
			out.covers = append(out.covers, id)
		}
	}
	sort.Slice(out.covers, func(i, j int) bool { return bytes.Compare(out.covers[i][:], out.covers[j][:]) < 0 })
	for i, e := range seg.entries {
		p := e.Path()
		if seen[p] {
			continue
		}
		seen[p] = true
		out.entries = append(out.entries, e)
		out.blobs = append(out.blobs, seg.blobs[i])
	}
	sortSegment(out)
	return out
}

// segmentEntry is a record's index entry and the blob it describes.
type segmentEntry struct {
	entry *Entry
	blob  plumbing.Hash
}
