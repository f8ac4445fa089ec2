package main

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"crypto/sha1"
	"encoding/binary"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
)

// maxDepth bounds delta chains, as git's pack.depth does by default: a
// reader applies at most this many deltas to get an object.
const maxDepth = 50

// stored is where an object sits in the pack and how deep its delta
// chain is (0: stored whole).
type stored struct {
	off   int64
	depth int
}

type packed struct {
	stored
	crc uint32
}

// packWriter writes one pack and its index (.idx, version 2) into a
// repository's objects/pack, holding every object's id and offset.
type packWriter struct {
	dir     string
	f       *os.File
	w       *bufio.Writer
	off     int64
	objects map[plumbing.Hash]packed

	sha  hash.Hash
	zbuf bytes.Buffer
	// z compresses blobs and commits at zlib's default level, as git
	// does; fastZ trees at its fastest (a tree is mostly object ids,
	// which compress no better at the default, and resetting the
	// default level's tables costs more than compressing a small tree).
	z, fastZ *zlib.Writer
	hdr      []byte
	tbuf     []byte
	delta    deltaBuilder
	// lastBlob is the previous blob of each kind (record, series, log),
	// the base of the next one's delta.
	lastBlob map[string]*lastBlob
}

type lastBlob struct {
	data []byte
	at   stored
}

func newPackWriter(gitDir string) (*packWriter, error) {
	dir := filepath.Join(gitDir, "objects", "pack")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "tmp_resultsgen_")
	if err != nil {
		return nil, err
	}
	p := &packWriter{dir: dir, f: f, w: bufio.NewWriterSize(f, 1<<20), objects: map[plumbing.Hash]packed{},
		sha: sha1.New(), z: mustZlib(zlib.DefaultCompression), fastZ: mustZlib(zlib.BestSpeed), lastBlob: map[string]*lastBlob{}}
	// The object count is filled in when the pack is finished.
	_, err = p.w.Write([]byte{'P', 'A', 'C', 'K', 0, 0, 0, 2, 0, 0, 0, 0})
	p.off = 12
	return p, err
}

// put stores an object, as the delta given against base when there is
// one and it is smaller, and returns its id and place.
func (p *packWriter) put(typ plumbing.ObjectType, data, delta []byte, base stored) (plumbing.Hash, stored, error) {
	p.sha.Reset()
	fmt.Fprintf(p.sha, "%s %d\x00", typ, len(data))
	p.sha.Write(data)
	var h plumbing.Hash
	p.sha.Sum(h[:0])
	if o, ok := p.objects[h]; ok {
		return h, o.stored, nil
	}
	at := stored{off: p.off}
	body, size := data, len(data)
	hdrType := typ
	if delta != nil && len(delta) < len(data) {
		body, size, hdrType = delta, len(delta), plumbing.OFSDeltaObject
		at.depth = base.depth + 1
	}
	hdr := p.hdr[:0]
	c := byte(hdrType)<<4 | byte(size&0x0f)
	for size >>= 4; size > 0; size >>= 7 {
		hdr = append(hdr, c|0x80)
		c = byte(size & 0x7f)
	}
	hdr = append(hdr, c)
	if hdrType == plumbing.OFSDeltaObject {
		// The base's distance back, big-endian, each continuation byte
		// one less (the pack format's offset encoding).
		n := uint64(at.off - base.off)
		var tmp [10]byte
		i := len(tmp) - 1
		tmp[i] = byte(n & 0x7f)
		for n >>= 7; n > 0; n >>= 7 {
			n--
			i--
			tmp[i] = 0x80 | byte(n&0x7f)
		}
		hdr = append(hdr, tmp[i:]...)
	}
	p.hdr = hdr
	z := p.z
	if typ == plumbing.TreeObject {
		z = p.fastZ
	}
	p.zbuf.Reset()
	z.Reset(&p.zbuf)
	z.Write(body)
	if err := z.Close(); err != nil {
		return h, at, err
	}
	crc := crc32.Update(crc32.ChecksumIEEE(hdr), crc32.IEEETable, p.zbuf.Bytes())
	p.w.Write(hdr)
	if _, err := p.w.Write(p.zbuf.Bytes()); err != nil {
		return h, at, err
	}
	p.off += int64(len(hdr) + p.zbuf.Len())
	p.objects[h] = packed{stored: at, crc: crc}
	return h, at, nil
}

// blob stores a file's contents. A blob of a kind (records, series,
// logs) is stored as a delta of the kind's previous blob, as git
// fast-import stores each blob against the one before it; index segments
// (kind "") whole.
func (p *packWriter) blob(kind string, data []byte) (plumbing.Hash, error) {
	last := p.lastBlob[kind]
	var delta []byte
	base := stored{off: -1}
	if kind != "" && last != nil && last.at.depth < maxDepth {
		delta, base = packfile.DiffDelta(last.data, data), last.at
	}
	h, at, err := p.put(plumbing.BlobObject, data, delta, base)
	if kind != "" {
		p.lastBlob[kind] = &lastBlob{data: data, at: at}
	}
	return h, err
}

// tree stores t and the folders in it changed since they were last
// stored; a folder stored before becomes a delta of its last version.
func (p *packWriter) tree(t *tree) (plumbing.Hash, error) {
	if !t.dirty {
		return t.hash, nil
	}
	kept := t.entries[:0]
	for _, e := range t.entries {
		if e.sub != nil && e.sub.dirty {
			h, err := p.tree(e.sub)
			if err != nil {
				return h, err
			}
			if len(e.sub.entries) == 0 {
				continue // git keeps no empty folders
			}
			if h != e.hash {
				e.hash, e.at = h, -1
			}
		}
		kept = append(kept, e)
	}
	t.entries = kept
	useDelta := t.last.off >= 0 && t.last.depth < maxDepth
	p.delta.reset()
	buf := p.tbuf[:0]
	for i := range t.entries {
		e := &t.entries[i]
		start := len(buf)
		if e.sub != nil {
			buf = append(buf, "40000 "...)
		} else {
			buf = append(buf, "100644 "...)
		}
		buf = append(buf, e.name...)
		buf = append(buf, 0)
		buf = append(buf, e.hash[:]...)
		if useDelta {
			if e.at >= 0 {
				p.delta.copy(e.at, len(buf)-start)
			} else {
				p.delta.insert(buf[start:])
			}
		}
		e.at = start
	}
	p.tbuf = buf
	var delta []byte
	if useDelta {
		delta = p.delta.finish(t.size, len(buf))
	}
	h, at, err := p.put(plumbing.TreeObject, buf, delta, t.last)
	t.hash, t.last, t.size, t.dirty = h, at, len(buf), false
	return h, err
}

// finish writes the object count and checksum into the pack, writes its
// index, and moves both into place; it returns the pack's path.
func (p *packWriter) finish() (string, error) {
	if err := p.w.Flush(); err != nil {
		return "", err
	}
	var count [4]byte
	binary.BigEndian.PutUint32(count[:], uint32(len(p.objects)))
	if _, err := p.f.WriteAt(count[:], 8); err != nil {
		return "", err
	}
	if _, err := p.f.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	sum := sha1.New()
	if _, err := io.Copy(sum, p.f); err != nil {
		return "", err
	}
	checksum := sum.Sum(nil)
	if _, err := p.f.Write(checksum); err != nil {
		return "", err
	}
	// Read-only, as git leaves its packs.
	if err := p.f.Chmod(0o444); err != nil {
		return "", err
	}
	if err := p.f.Close(); err != nil {
		return "", err
	}
	name := filepath.Join(p.dir, fmt.Sprintf("pack-%x", checksum))
	if err := os.Rename(p.f.Name(), name+".pack"); err != nil {
		return "", err
	}
	// Git finds a pack by its index: the index goes in last.
	tmp := name + ".idx.tmp"
	if err := os.WriteFile(tmp, p.index(checksum), 0o444); err != nil {
		return "", err
	}
	return name + ".pack", os.Rename(tmp, name+".idx")
}

// index is the pack's .idx, version 2: a fan-out table of first bytes,
// the sorted object ids, their CRCs and offsets (those past 2 GiB in a
// table of their own), the pack's checksum and the index's.
func (p *packWriter) index(packSum []byte) []byte {
	ids := make([]plumbing.Hash, 0, len(p.objects))
	for h := range p.objects {
		ids = append(ids, h)
	}
	slices.SortFunc(ids, func(a, b plumbing.Hash) int { return bytes.Compare(a[:], b[:]) })
	out := []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}
	var fanout [256]uint32
	for _, h := range ids {
		fanout[h[0]]++
	}
	total := uint32(0)
	for _, n := range fanout {
		total += n
		out = binary.BigEndian.AppendUint32(out, total)
	}
	for _, h := range ids {
		out = append(out, h[:]...)
	}
	for _, h := range ids {
		out = binary.BigEndian.AppendUint32(out, p.objects[h].crc)
	}
	var large []uint64
	for _, h := range ids {
		off := p.objects[h].off
		if off < 1<<31 {
			out = binary.BigEndian.AppendUint32(out, uint32(off))
			continue
		}
		out = binary.BigEndian.AppendUint32(out, 1<<31|uint32(len(large)))
		large = append(large, uint64(off))
	}
	for _, off := range large {
		out = binary.BigEndian.AppendUint64(out, off)
	}
	out = append(out, packSum...)
	sum := sha1.Sum(out)
	return append(out, sum[:]...)
}

// abort removes an unfinished pack.
func (p *packWriter) abort() {
	p.f.Close()
	os.Remove(p.f.Name())
}

func mustZlib(level int) *zlib.Writer {
	z, err := zlib.NewWriterLevel(nil, level)
	if err != nil {
		panic(err)
	}
	return z
}
