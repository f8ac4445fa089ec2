package gitrepo

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// packStorage is go-git's storage with a faster way to read packed
// objects. go-git decodes a pack's whole index into memory and, on the
// first read, builds a reverse map from offsets to ids over every object
// in the pack: on a repository of 100,000 files that is most of the time
// a plan spends in git. Here each pack and its index are mapped into
// memory and an object is found by binary search in the index as it lies
// on disk, as git does. Objects not found in the packs known when the
// repository was opened (loose objects, packs written since, alternates)
// are read by go-git, and so is everything else the storage does.
type packStorage struct {
	*filesystem.Storage
	packs []*pack
	// bases caches inflated objects by pack and offset: deltas of one
	// base (the versions of a tree) are usually read together.
	mu        sync.Mutex
	bases     map[baseKey]packedObject
	baseOrder []baseKey
	baseBytes int
}

type baseKey struct {
	pack   *pack
	offset int64
}

// packedObject is an object's type and content.
type packedObject struct {
	typ  plumbing.ObjectType
	data []byte
}

// maxBaseCache bounds what bases holds.
const maxBaseCache = 32 << 20

// newPackStorage opens the packs of the repository whose git directory
// (the one holding objects/) is gitDir. Packs it cannot use are left to
// go-git.
func newPackStorage(st *filesystem.Storage, gitDir string) *packStorage {
	s := &packStorage{Storage: st, bases: map[baseKey]packedObject{}}
	idxs, _ := filepath.Glob(filepath.Join(objectsDir(gitDir), "pack", "pack-*.idx"))
	sort.Strings(idxs)
	for _, idx := range idxs {
		p, err := openPack(idx)
		if err != nil {
			continue
		}
		s.packs = append(s.packs, p)
	}
	return s
}

// objectsDir is the objects folder of gitDir: its own, or that of the
// main repository for a linked worktree (named in its commondir file).
func objectsDir(gitDir string) string {
	b, err := os.ReadFile(filepath.Join(gitDir, "commondir"))
	if err != nil {
		return filepath.Join(gitDir, "objects")
	}
	common := strings.TrimSpace(string(b))
	if !filepath.IsAbs(common) {
		common = filepath.Join(gitDir, common)
	}
	return filepath.Join(common, "objects")
}

// Close unmaps the packs and closes go-git's storage.
func (s *packStorage) Close() error {
	for _, p := range s.packs {
		p.close()
	}
	s.packs = nil
	return s.Storage.Close()
}

// EncodedObject returns the object h, of type t unless t is AnyObject.
func (s *packStorage) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	for _, p := range s.packs {
		off, ok := p.find(h)
		if !ok {
			continue
		}
		obj, err := s.read(p, off, 0)
		if err != nil {
			return nil, fmt.Errorf("reading object %s from %s: %w", h, filepath.Base(p.path), err)
		}
		if t != plumbing.AnyObject && obj.typ != t {
			return nil, plumbing.ErrObjectNotFound
		}
		mo := &plumbing.MemoryObject{}
		mo.SetType(obj.typ)
		mo.SetSize(int64(len(obj.data)))
		if _, err := mo.Write(obj.data); err != nil {
			return nil, err
		}
		// The id is the one asked for: the index vouches for it, and
		// hashing every object read would cost what this saves.
		return &hashedObject{MemoryObject: mo, hash: h}, nil
	}
	return s.Storage.EncodedObject(t, h)
}

// hashedObject is a MemoryObject whose id is known, not recomputed.
type hashedObject struct {
	*plumbing.MemoryObject
	hash plumbing.Hash
}

func (o *hashedObject) Hash() plumbing.Hash { return o.hash }

// maxDeltaChain bounds how many deltas an object may stack: git's own
// default is 50, and a cycle in a corrupt pack must not recurse forever.
const maxDeltaChain = 10000

// read inflates the object at off in p, resolving deltas.
func (s *packStorage) read(p *pack, off int64, depth int) (packedObject, error) {
	if depth > maxDeltaChain {
		return packedObject{}, errors.New("delta chain too long")
	}
	k := baseKey{p, off}
	s.mu.Lock()
	cached, ok := s.bases[k]
	s.mu.Unlock()
	if ok {
		return cached, nil
	}
	typ, size, dataOff, baseOff, baseHash, err := p.header(off)
	if err != nil {
		return packedObject{}, err
	}
	data, err := p.inflate(dataOff, size)
	if err != nil {
		return packedObject{}, err
	}
	var obj packedObject
	switch typ {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
		obj = packedObject{typ: typ, data: data}
	case plumbing.OFSDeltaObject, plumbing.REFDeltaObject:
		var base packedObject
		if typ == plumbing.OFSDeltaObject {
			base, err = s.read(p, baseOff, depth+1)
		} else {
			base, err = s.readHash(baseHash, depth+1)
		}
		if err != nil {
			return packedObject{}, err
		}
		patched, err := packfile.PatchDelta(base.data, data)
		if err != nil {
			return packedObject{}, err
		}
		obj = packedObject{typ: base.typ, data: patched}
		// A base is read again for each delta on it: keep it.
		s.keep(baseKey{p, baseOff}, base)
	default:
		return packedObject{}, fmt.Errorf("object at offset %d has unknown type %d", off, typ)
	}
	return obj, nil
}

// readHash reads a delta's base named by id, from any pack.
func (s *packStorage) readHash(h plumbing.Hash, depth int) (packedObject, error) {
	for _, p := range s.packs {
		if off, ok := p.find(h); ok {
			return s.read(p, off, depth)
		}
	}
	return packedObject{}, fmt.Errorf("delta base %s is in no pack", h)
}

// keep caches a delta base, dropping the oldest beyond maxBaseCache.
func (s *packStorage) keep(k baseKey, obj packedObject) {
	if k.pack == nil || len(obj.data) > maxBaseCache/4 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.bases[k]; ok {
		return
	}
	s.bases[k] = obj
	s.baseOrder = append(s.baseOrder, k)
	s.baseBytes += len(obj.data)
	for s.baseBytes > maxBaseCache && len(s.baseOrder) > 0 {
		old := s.baseOrder[0]
		s.baseOrder = s.baseOrder[1:]
		s.baseBytes -= len(s.bases[old].data)
		delete(s.bases, old)
	}
}

// pack is one pack file and its version 2 index, mapped into memory.
type pack struct {
	path      string
	idx, data []byte
	unmap     func()
	count     int
	// names, offsets and large are the index's tables.
	names, offsets, large []byte
}

// openPack maps a pack and its index, and checks their headers.
func openPack(idxPath string) (*pack, error) {
	idx, unmapIdx, err := mapFile(idxPath)
	if err != nil {
		return nil, err
	}
	packPath := strings.TrimSuffix(idxPath, ".idx") + ".pack"
	data, unmapPack, err := mapFile(packPath)
	if err != nil {
		unmapIdx()
		return nil, err
	}
	p := &pack{path: packPath, idx: idx, data: data, unmap: func() { unmapIdx(); unmapPack() }}
	if err := p.checkIndex(); err != nil {
		p.close()
		return nil, fmt.Errorf("%s: %w", idxPath, err)
	}
	if len(data) < 12 || string(data[:4]) != "PACK" {
		p.close()
		return nil, fmt.Errorf("%s is not a pack", packPath)
	}
	return p, nil
}

func (p *pack) close() {
	if p.unmap != nil {
		p.unmap()
		p.unmap = nil
	}
}

// checkIndex reads the layout of a version 2 index: magic, version, a
// fan-out table of 256 counts, then ids, CRCs, 4-byte offsets and 8-byte
// offsets. Version 1 indexes (git before 1.5.2) are left to go-git.
func (p *pack) checkIndex() error {
	const head = 8 + 256*4
	if len(p.idx) < head+40 || !bytes.Equal(p.idx[:4], []byte{0xff, 't', 'O', 'c'}) || binary.BigEndian.Uint32(p.idx[4:8]) != 2 {
		return errors.New("not a version 2 pack index")
	}
	n := int(binary.BigEndian.Uint32(p.idx[8+255*4 : head]))
	tables := head + n*(20+4+4)
	if n < 0 || len(p.idx) < tables+40 {
		return errors.New("truncated pack index")
	}
	p.count = n
	p.names = p.idx[head : head+n*20]
	p.offsets = p.idx[head+n*24 : tables]
	p.large = p.idx[tables : len(p.idx)-40]
	return nil
}

// find returns the offset of h in the pack.
func (p *pack) find(h plumbing.Hash) (int64, bool) {
	lo := 0
	if h[0] > 0 {
		lo = int(binary.BigEndian.Uint32(p.idx[8+(int(h[0])-1)*4:]))
	}
	hi := int(binary.BigEndian.Uint32(p.idx[8+int(h[0])*4:]))
	if hi > p.count || lo > hi {
		return 0, false
	}
	i := lo + sort.Search(hi-lo, func(i int) bool {
		return bytes.Compare(p.names[(lo+i)*20:(lo+i)*20+20], h[:]) >= 0
	})
	if i >= hi || !bytes.Equal(p.names[i*20:i*20+20], h[:]) {
		return 0, false
	}
	off := binary.BigEndian.Uint32(p.offsets[i*4:])
	if off&0x80000000 == 0 {
		return int64(off), true
	}
	j := int(off&0x7fffffff) * 8
	if j+8 > len(p.large) {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(p.large[j:])), true
}

var errCorrupt = errors.New("corrupt pack")

// zlibReaders reuses inflaters: each holds tens of kilobytes of tables,
// and a plan reads thousands of small objects.
var zlibReaders sync.Pool

// header decodes the object header at off: its type, its inflated size,
// where its compressed data starts, and for a delta where its base is.
func (p *pack) header(off int64) (typ plumbing.ObjectType, size int64, dataOff, baseOff int64, baseHash plumbing.Hash, err error) {
	d := p.data
	i := off
	if i < 12 || i >= int64(len(d)) {
		return 0, 0, 0, 0, baseHash, errCorrupt
	}
	c := d[i]
	i++
	typ = plumbing.ObjectType((c >> 4) & 7)
	size = int64(c & 0x0f)
	for shift := uint(4); c&0x80 != 0; shift += 7 {
		if i >= int64(len(d)) || shift > 56 {
			return 0, 0, 0, 0, baseHash, errCorrupt
		}
		c = d[i]
		i++
		size |= int64(c&0x7f) << shift
	}
	switch typ {
	case plumbing.OFSDeltaObject:
		// Big-endian base-128, each continuation adding one so that
		// no two encodings mean the same distance.
		if i >= int64(len(d)) {
			return 0, 0, 0, 0, baseHash, errCorrupt
		}
		c = d[i]
		i++
		dist := int64(c & 0x7f)
		for c&0x80 != 0 {
			if i >= int64(len(d)) || dist > 1<<55 {
				return 0, 0, 0, 0, baseHash, errCorrupt
			}
			c = d[i]
			i++
			dist = (dist+1)<<7 | int64(c&0x7f)
		}
		baseOff = off - dist
		if baseOff < 12 || baseOff >= off {
			return 0, 0, 0, 0, baseHash, errCorrupt
		}
	case plumbing.REFDeltaObject:
		if i+20 > int64(len(d)) {
			return 0, 0, 0, 0, baseHash, errCorrupt
		}
		copy(baseHash[:], d[i:i+20])
		i += 20
	}
	return typ, size, i, baseOff, baseHash, nil
}

// inflate decompresses the object data at off, which must come to size
// bytes.
func (p *pack) inflate(off, size int64) ([]byte, error) {
	if size < 0 || size > int64(len(p.data))*1032 {
		// zlib cannot expand data more than about 1032 times.
		return nil, errCorrupt
	}
	src := bytes.NewReader(p.data[off:])
	zr, _ := zlibReaders.Get().(io.ReadCloser)
	if zr == nil {
		var err error
		if zr, err = zlib.NewReader(src); err != nil {
			return nil, fmt.Errorf("inflating object at offset %d: %w", off, err)
		}
	} else if err := zr.(zlib.Resetter).Reset(src, nil); err != nil {
		return nil, fmt.Errorf("inflating object at offset %d: %w", off, err)
	}
	defer zlibReaders.Put(zr)
	out := make([]byte, size)
	if _, err := io.ReadFull(zr, out); err != nil {
		return nil, fmt.Errorf("inflating object at offset %d: %w", off, err)
	}
	// Reading to the end checks the stream's checksum: damaged data can
	// inflate to the right length and wrong bytes.
	var one [1]byte
	if n, err := zr.Read(one[:]); n != 0 || err != io.EOF {
		return nil, fmt.Errorf("inflating object at offset %d: %w", off, errCorrupt)
	}
	return out, nil
}
