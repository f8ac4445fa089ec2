package results

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-git/go-git/v5/plumbing"
)

// The local index under .git/assay/index is a cache of what the branch
// carries, not a conversion of it. For each results branch it holds
//
//	<branch>.idx        the manifest: the tip it describes, the blob ids
//	                    of the segments that make the index at that tip,
//	                    the level-0 ids they cover, the records the
//	                    branch's history overrules (masked), and the
//	                    entries of the records no segment covers
//	<branch>.segments/  each segment, byte for byte as its blob, named
//	                    by the blob id
//
// so a fresh clone's first query (segments inflated from the pack) and
// every later one (the same bytes read from files) read the same
// structure, and keeping the cache costs a copy, not an encoding.
// Manifest layout, integers varints:
//
//	magic "assaylix" | version | tip (20 bytes)
//	parts:   count, then each segment's blob id (20 bytes)
//	covered: count, then each level-0 id (8 bytes)
//	masked:  count, then experiment, key, run id (length+bytes) and the
//	         one blob whose segment entries still count (20 bytes, zero
//	         for none)
//	records: length, then the entries read from records, with their
//	         blobs and the warnings, as a segment of level 0 holds them
//	crc32 (IEEE) of everything before it, 4 bytes little-endian
//
// Anything wrong with the manifest (missing, damaged, another format)
// rebuilds the index; a segment file that is missing or damaged is read
// again from the branch.
const (
	manifestMagic   = "assaylix"
	manifestVersion = 1
)

// indexState is the index at one tip, as parts to merge.
type indexState struct {
	tip plumbing.Hash
	// parts are the well-formed segments at tip.
	parts []indexPart
	// covered are the level-0 ids the parts cover.
	covered map[segmentID]bool
	// masked overrules segment entries: for a record in it, only the
	// entries naming that blob count (none when zero).
	masked map[recordID]plumbing.Hash
	// records are the entries read from records, in index order, and
	// warnings the records that could not be.
	records  []segmentEntry
	warnings []Warning
	// recordsData is records encoded, as the manifest holds them; records
	// is decoded from it when an update needs it.
	recordsData []byte
}

// indexPart is one segment of the index: its blob id and bytes.
type indexPart struct {
	blob plumbing.Hash
	sd   *segmentData
	data []byte
	// cached is true when data came from (or is already in) the cache.
	cached bool
}

// manifestPath is the manifest of this store's branch.
func (s *Store) manifestPath() string {
	return filepath.Join(s.gitDir, "assay", "index", url.PathEscape(s.branch.Short())+".idx")
}

// partsDir is where the segments of this store's branch are kept.
func (s *Store) partsDir() string {
	return filepath.Join(s.gitDir, "assay", "index", url.PathEscape(s.branch.Short())+".segments")
}

func (s *Store) partPath(blob plumbing.Hash) string {
	return filepath.Join(s.partsDir(), blob.String()+segmentSuffix)
}

// encodeRecords writes the records read from the branch as a level-0
// segment holds them, with the warnings in its index.
func encodeRecords(records []segmentEntry, warnings []Warning) []byte {
	out := binary.AppendUvarint(nil, uint64(len(records)))
	entries := make([]*Entry, len(records))
	for i, r := range records {
		out = append(out, r.blob[:]...)
		entries[i] = r.entry
	}
	return append(out, encodeIndex(&Index{Entries: entries, Warnings: warnings})...)
}

// openRecords splits encoded records like parseSegment (the manifest's
// checksum covers them).
func openRecords(b []byte) (*segmentData, []Warning, error) {
	count, n := binary.Uvarint(b)
	if n <= 0 || count > uint64(len(b)-n)/20 {
		return nil, nil, errBadIndex
	}
	rest := b[n:]
	sd := &segmentData{blobs: rest[:20*count], body: rest[20*count:], count: int(count)}
	x, err := openIndexChecked(sd.body)
	if err != nil || x.runs != sd.count {
		return nil, nil, errBadIndex
	}
	return sd, x.warnings, nil
}

// decodeRecords reads encoded records into entries.
func decodeRecords(b []byte) ([]segmentEntry, error) {
	sd, _, err := openRecords(b)
	if err != nil {
		return nil, err
	}
	idx, err := decodeIndex(sd.body)
	if err != nil || len(idx.Entries) != sd.count {
		return nil, errBadIndex
	}
	out := make([]segmentEntry, sd.count)
	for i, e := range idx.Entries {
		out[i] = segmentEntry{entry: e, blob: sd.blob(i)}
	}
	return out, nil
}

func appendString(out []byte, s string) []byte {
	out = binary.AppendUvarint(out, uint64(len(s)))
	return append(out, s...)
}

// encodeManifest writes st's manifest.
func encodeManifest(st *indexState) []byte {
	out := append([]byte(manifestMagic), binary.AppendUvarint(nil, manifestVersion)...)
	out = append(out, st.tip[:]...)
	out = binary.AppendUvarint(out, uint64(len(st.parts)))
	for _, p := range st.parts {
		out = append(out, p.blob[:]...)
	}
	ids := make([]segmentID, 0, len(st.covered))
	for id := range st.covered {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return bytes.Compare(ids[i][:], ids[j][:]) < 0 })
	out = binary.AppendUvarint(out, uint64(len(ids)))
	for _, id := range ids {
		out = append(out, id[:]...)
	}
	masked := make([]recordID, 0, len(st.masked))
	for id := range st.masked {
		masked = append(masked, id)
	}
	sort.Slice(masked, func(i, j int) bool { return idBefore(masked[i], masked[j]) })
	out = binary.AppendUvarint(out, uint64(len(masked)))
	for _, id := range masked {
		out = appendString(out, id.Experiment)
		out = appendString(out, id.TrialKey)
		out = appendString(out, id.RunID)
		b := st.masked[id]
		out = append(out, b[:]...)
	}
	out = binary.AppendUvarint(out, uint64(len(st.recordsData)))
	out = append(out, st.recordsData...)
	return binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(out))
}

var errBadManifest = errors.New("index manifest is damaged or of another version")

// decodeManifest reads a manifest; its parts have blob ids only.
func decodeManifest(b []byte) (*indexState, error) {
	if len(b) < len(manifestMagic)+1+20+4 || !bytes.HasPrefix(b, []byte(manifestMagic)) {
		return nil, errBadManifest
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errBadManifest
	}
	d := &indexDecoder{b: body[len(manifestMagic):]}
	if d.uint() != manifestVersion || len(d.b) < 20 {
		return nil, errBadManifest
	}
	st := &indexState{covered: map[segmentID]bool{}}
	copy(st.tip[:], d.b[:20])
	d.b = d.b[20:]
	take := func(n int) []byte {
		if d.err != nil || len(d.b) < n {
			d.fail()
			return make([]byte, n)
		}
		v := d.b[:n]
		d.b = d.b[n:]
		return v
	}
	str := func() string { return string(take(d.count())) }
	nparts := d.uint()
	if nparts > uint64(len(d.b))/20 {
		return nil, errBadManifest
	}
	for i := 0; i < int(nparts); i++ {
		var p indexPart
		copy(p.blob[:], take(20))
		st.parts = append(st.parts, p)
	}
	ncov := d.uint()
	if ncov > uint64(len(d.b))/8 {
		return nil, errBadManifest
	}
	for i := 0; i < int(ncov); i++ {
		var id segmentID
		copy(id[:], take(8))
		st.covered[id] = true
	}
	nmasked := d.count()
	if nmasked > 0 {
		st.masked = make(map[recordID]plumbing.Hash, nmasked)
	}
	for i := 0; i < nmasked && d.err == nil; i++ {
		id := recordID{Experiment: str(), TrialKey: str(), RunID: str()}
		var h plumbing.Hash
		copy(h[:], take(20))
		st.masked[id] = h
	}
	st.recordsData = take(d.count())
	if d.err != nil || len(d.b) != 0 {
		return nil, errBadManifest
	}
	_, w, err := openRecords(st.recordsData)
	if err != nil {
		return nil, errBadManifest
	}
	st.warnings = w
	return st, nil
}

// readPart reads a segment from the cache, nil when it is missing or
// damaged.
func (s *Store) readPart(blob plumbing.Hash) *indexPart {
	b, err := os.ReadFile(s.partPath(blob))
	if err != nil {
		return nil
	}
	sd, err := parseSegment(b)
	if err != nil {
		return nil
	}
	return &indexPart{blob: blob, sd: sd, data: b, cached: true}
}

// loadPart reads a segment from the cache, or from the branch when the
// cache lacks it; nil when neither has a well-formed one.
func (s *Store) loadPart(blob plumbing.Hash) *indexPart {
	if p := s.readPart(blob); p != nil {
		return p
	}
	s.branchPartReads++
	b, err := readBlob(s.repo.Storer, blob)
	if err != nil {
		return nil
	}
	sd, err := parseSegment(b)
	if err != nil {
		return nil
	}
	return &indexPart{blob: blob, sd: sd, data: b}
}

// loadPartsOf loads the segments blobs name, as loadPart does, on every
// core: a fresh clone's first query inflates megabytes of them from the
// pack, a warm one checks as many in cache files. A slot is nil where
// neither the cache nor the branch has a well-formed segment. Only the
// cache and the packs are read in parallel; what they lack is read
// through go-git afterwards, one at a time.
func (s *Store) loadPartsOf(blobs []plumbing.Hash) []*indexPart {
	out := make([]*indexPart, len(blobs))
	fromPack := make([]bool, len(blobs))
	packed, _ := s.repo.Storer.(*packedStorage)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(blobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < len(blobs); i = int(next.Add(1) - 1) {
				if out[i] = s.readPart(blobs[i]); out[i] != nil || packed == nil {
					continue
				}
				typ, b, ok := packed.packs.read(blobs[i])
				if !ok || typ != plumbing.BlobObject {
					continue
				}
				fromPack[i] = true
				if sd, err := parseSegment(b); err == nil {
					out[i] = &indexPart{blob: blobs[i], sd: sd, data: b}
				}
			}
		}()
	}
	wg.Wait()
	for i, b := range blobs {
		switch {
		case fromPack[i]:
			s.branchPartReads++
		case out[i] == nil:
			out[i] = s.loadPart(b)
		}
	}
	return out
}

// saveState writes the segments the cache lacks, then the manifest, then
// removes the segments no longer in it. Each file is written whole and
// renamed into place, so a reader sees an old file or a new one; a
// reader that finds a segment gone reads it from the branch again.
func (s *Store) saveState(st *indexState) error {
	dir := s.partsDir()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	keep := map[string]bool{}
	for i := range st.parts {
		p := &st.parts[i]
		keep[p.blob.String()+segmentSuffix] = true
		if p.cached {
			continue
		}
		if err := writeFileAtomic(s.partPath(p.blob), p.data); err != nil {
			return err
		}
		p.cached = true
	}
	if err := writeFileAtomic(s.manifestPath(), encodeManifest(st)); err != nil {
		return err
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, n := range names {
		if !keep[n.Name()] && !strings.HasPrefix(n.Name(), ".") {
			os.Remove(filepath.Join(dir, n.Name()))
		}
	}
	return nil
}

// writeFileAtomic writes data to path through a temporary file renamed
// into place.
func writeFileAtomic(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
