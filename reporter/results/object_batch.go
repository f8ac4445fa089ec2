package results

import (
	"fmt"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/memory"
)

// objectBatch holds the new objects of one results commit in memory and
// writes them to the repository as one pack file when the commit is made.
// Written one by one they would be loose objects, a compressed file and
// a rename each: recording 2,000 runs made 10,000 of them, the largest
// cost of `assay run` on trivial trials after the trials themselves.
// Reads fall through to the repository.
type objectBatch struct {
	base storer.EncodedObjectStorer
	mem  *memory.Storage
	// order lists the new objects as they were written.
	order []plumbing.Hash
}

var _ storer.EncodedObjectStorer = (*objectBatch)(nil)

func newObjectBatch(base storer.EncodedObjectStorer) *objectBatch {
	return &objectBatch{base: base, mem: memory.NewStorage()}
}

func (b *objectBatch) NewEncodedObject() plumbing.EncodedObject { return b.mem.NewEncodedObject() }

func (b *objectBatch) SetEncodedObject(o plumbing.EncodedObject) (plumbing.Hash, error) {
	h := o.Hash()
	if b.mem.HasEncodedObject(h) == nil {
		return h, nil
	}
	if _, err := b.mem.SetEncodedObject(o); err != nil {
		return h, err
	}
	b.order = append(b.order, h)
	return h, nil
}

func (b *objectBatch) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	if o, err := b.mem.EncodedObject(t, h); err == nil {
		return o, nil
	}
	return b.base.EncodedObject(t, h)
}

func (b *objectBatch) IterEncodedObjects(t plumbing.ObjectType) (storer.EncodedObjectIter, error) {
	return b.base.IterEncodedObjects(t)
}

func (b *objectBatch) HasEncodedObject(h plumbing.Hash) error {
	if b.mem.HasEncodedObject(h) == nil {
		return nil
	}
	return b.base.HasEncodedObject(h)
}

func (b *objectBatch) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	if n, err := b.mem.EncodedObjectSize(h); err == nil {
		return n, nil
	}
	return b.base.EncodedObjectSize(h)
}

func (b *objectBatch) AddAlternate(remote string) error { return b.base.AddAlternate(remote) }

// flush writes the new objects the repository lacks into it: one pack
// where the storage takes packs, else one object at a time.
func (b *objectBatch) flush() error {
	var missing []plumbing.Hash
	for _, h := range b.order {
		if b.base.HasEncodedObject(h) != nil {
			missing = append(missing, h)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if pw, ok := b.base.(storer.PackfileWriter); ok && len(missing) > 1 {
		w, err := pw.PackfileWriter()
		if err != nil {
			return fmt.Errorf("writing results objects: %w", err)
		}
		// No deltas: the objects are new and small, and git gc or the
		// remote's repack finds the deltas later.
		if _, err := packfile.NewEncoder(w, b.mem, false).Encode(missing, 0); err != nil {
			w.Close()
			return fmt.Errorf("writing results objects: %w", err)
		}
		if err := w.Close(); err != nil {
			return fmt.Errorf("writing results objects: %w", err)
		}
		return nil
	}
	for _, h := range missing {
		o, err := b.mem.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return err
		}
		if _, err := b.base.SetEncodedObject(o); err != nil {
			return fmt.Errorf("writing results objects: %w", err)
		}
	}
	return nil
}
