package results

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"sync"

	"github.com/go-git/go-billy/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// packedStorage is go-git's storage with a faster way to the objects a
// query reads from a pack: commits, trees and index segments.
//
// go-git's first read of any packed object decodes the whole pack index
// into memory and then builds a map from every object's offset back to
// its id (to look the object up in its cache): at 100,000 runs, 280,000
// objects and 150 ms before the first byte, at a million 1.5 s. A fresh
// clone's first query reads a hundred commits, two trees and ten
// segments. packedStorage finds each by a binary search of the pack's
// .idx file on disk (version 2, what git has written since 2008) and
// inflates it from the .pack itself, reads any goroutine may make at
// once. What it does not serve (a loose object, a delta, an object in a
// pack that came after the store was opened, an index of another
// version) go-git reads as before: the objects are the same.
type packedStorage struct {
	*filesystem.Storage
	packs *packSet
	// listed is the packs go-git was last made to index (newPacks).
	listed []plumbing.Hash
}

// EncodedObject returns the object from a pack when packs has it whole,
// and otherwise asks go-git, which is asked again once it has indexed
// any pack written since it last looked.
func (s *packedStorage) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if typ, data, ok := s.packs.read(h); ok && (t == plumbing.AnyObject || t == typ) {
		return &packedObject{t: typ, h: h, data: data}, nil
	}
	obj, err := s.Storage.EncodedObject(t, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) && s.newPacks() {
		obj, err = s.Storage.EncodedObject(t, h)
	}
	return obj, err
}

// packedObject is an object read whole from a pack, with the id it was
// found by (go-git's MemoryObject would hash a segment's megabytes again
// to learn it).
type packedObject struct {
	t    plumbing.ObjectType
	h    plumbing.Hash
	data []byte
}

func (o *packedObject) Hash() plumbing.Hash         { return o.h }
func (o *packedObject) Type() plumbing.ObjectType   { return o.t }
func (o *packedObject) SetType(plumbing.ObjectType) {}
func (o *packedObject) Size() int64                 { return int64(len(o.data)) }
func (o *packedObject) SetSize(int64)               {}
func (o *packedObject) Reader() (io.ReadCloser, error) {
	return io.NopCloser(bytes.NewReader(o.data)), nil
}
func (o *packedObject) Writer() (io.WriteCloser, error) {
	return nil, errors.New("an object read from a pack cannot be written")
}

// packSet is the packs under objects/pack when the store was opened.
type packSet struct {
	fs    billy.Filesystem
	once  sync.Once
	packs []*packFile
}

// packFile is one pack and its version-2 index, open for reads at any
// offset.
type packFile struct {
	idx, pack billy.File
	fanout    [256]uint32
}

// idxMagic is the start of a version-2 pack index: a magic number, the
// version; the fan-out table follows.
var idxMagic = []byte{0xff, 't', 'O', 'c', 0, 0, 0, 2}

// open finds and opens the packs (once; a pack that cannot be read is
// left to go-git).
func (ps *packSet) open() {
	ps.once.Do(func() {
		// Through go-git's filesystem: in a linked worktree it finds the
		// objects in the repository's common folder.
		dir := ps.fs.Join("objects", "pack")
		infos, _ := ps.fs.ReadDir(dir)
		for _, fi := range infos {
			if strings.HasPrefix(fi.Name(), "pack-") && strings.HasSuffix(fi.Name(), ".idx") {
				if p := openPack(ps.fs, ps.fs.Join(dir, fi.Name())); p != nil {
					ps.packs = append(ps.packs, p)
				}
			}
		}
	})
}

func openPack(fs billy.Filesystem, idxPath string) *packFile {
	idx, err := fs.Open(idxPath)
	if err != nil {
		return nil
	}
	head := make([]byte, len(idxMagic)+4*256)
	if _, err := idx.ReadAt(head, 0); err != nil || !bytes.Equal(head[:len(idxMagic)], idxMagic) {
		idx.Close()
		return nil
	}
	pack, err := fs.Open(strings.TrimSuffix(idxPath, ".idx") + ".pack")
	if err != nil {
		idx.Close()
		return nil
	}
	p := &packFile{idx: idx, pack: pack}
	for i := range p.fanout {
		p.fanout[i] = binary.BigEndian.Uint32(head[len(idxMagic)+4*i:])
	}
	return p
}

// close closes the packs' files.
func (ps *packSet) close() {
	for _, p := range ps.packs {
		p.idx.Close()
		p.pack.Close()
	}
	ps.packs = nil
}

// read returns the type and content of h when a pack holds it whole.
func (ps *packSet) read(h plumbing.Hash) (plumbing.ObjectType, []byte, bool) {
	ps.open()
	for _, p := range ps.packs {
		off, found, err := p.find(h)
		if err != nil || !found {
			continue
		}
		typ, data, err := p.object(off)
		if err != nil {
			return 0, nil, false
		}
		return typ, data, true
	}
	return 0, nil, false
}

// find looks h up in the index: the fan-out table gives the run of ids
// that start with h's first byte, a binary search over them on disk
// gives its position, and the offset table its place in the pack.
func (p *packFile) find(h plumbing.Hash) (int64, bool, error) {
	lo, hi := uint32(0), p.fanout[h[0]]
	if h[0] > 0 {
		lo = p.fanout[h[0]-1]
	}
	n := p.fanout[255]
	names := int64(len(idxMagic) + 4*256)
	var id [20]byte
	for lo < hi {
		mid := lo + (hi-lo)/2
		if _, err := p.idx.ReadAt(id[:], names+20*int64(mid)); err != nil {
			return 0, false, err
		}
		switch c := bytes.Compare(id[:], h[:]); {
		case c == 0:
			return p.offset(n, mid)
		case c < 0:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0, false, nil
}

// offset reads the pack offset of the i-th of n objects: 31 bits, or with
// the top bit set the index of a 64-bit offset in the table after.
func (p *packFile) offset(n, i uint32) (int64, bool, error) {
	offsets := int64(len(idxMagic)+4*256) + 24*int64(n)
	var b [8]byte
	if _, err := p.idx.ReadAt(b[:4], offsets+4*int64(i)); err != nil {
		return 0, false, err
	}
	off := binary.BigEndian.Uint32(b[:4])
	if off&0x80000000 == 0 {
		return int64(off), true, nil
	}
	large := offsets + 4*int64(n) + 8*int64(off&0x7fffffff)
	if _, err := p.idx.ReadAt(b[:], large); err != nil {
		return 0, false, err
	}
	return int64(binary.BigEndian.Uint64(b[:])), true, nil
}

var errPackedDelta = errors.New("the object is stored as a delta")

// zlibReaders are inflaters to reset for each object: a new one costs
// tens of kilobytes, and a cold query reads hundreds of commits.
var zlibReaders sync.Pool

// object reads the object at off: its header (type, then the inflated
// size, seven bits a byte), then its zlib stream, which must inflate to
// exactly that size.
func (p *packFile) object(off int64) (plumbing.ObjectType, []byte, error) {
	var head [16]byte
	n, err := p.pack.ReadAt(head[:], off)
	if n == 0 {
		return 0, nil, err
	}
	typ := plumbing.ObjectType(head[0] >> 4 & 7)
	size := uint64(head[0] & 15)
	shift, i := uint(4), 1
	for c := head[0]; c&0x80 != 0; i++ {
		if i >= n || shift > 56 {
			return 0, nil, io.ErrUnexpectedEOF
		}
		c = head[i]
		size |= uint64(c&0x7f) << shift
		shift += 7
	}
	switch typ {
	case plumbing.CommitObject, plumbing.TreeObject, plumbing.BlobObject, plumbing.TagObject:
	default:
		return 0, nil, errPackedDelta
	}
	if size > 1<<31 {
		return 0, nil, errors.New("object too large to read whole")
	}
	src := io.NewSectionReader(p.pack, off+int64(i), 1<<62)
	var zr io.ReadCloser
	if r, ok := zlibReaders.Get().(io.ReadCloser); ok && r.(zlib.Resetter).Reset(src, nil) == nil {
		zr = r
	} else if zr, err = zlib.NewReader(src); err != nil {
		return 0, nil, err
	}
	defer zlibReaders.Put(zr)
	data := make([]byte, size)
	if _, err := io.ReadFull(zr, data); err != nil {
		return 0, nil, err
	}
	// The stream must end here: one more byte, or a bad checksum, is a
	// damaged pack, for go-git to report.
	var one [1]byte
	if m, err := zr.Read(one[:]); m != 0 || err != io.EOF {
		return 0, nil, errors.New("object longer than its header says")
	}
	return typ, data, nil
}
