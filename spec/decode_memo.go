package spec

import (
	"crypto/sha256"
	"sync"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// A plan decodes nearly every experiment twice, once per commit, and the
// two are almost always the same. An experiment's decoding depends on
// nothing but the blocks merged into it, the values of var.* and local.*,
// and what file() and fileset() read. So when both loads share a
// ParseCache, an experiment whose source files are byte for byte the same
// (the cache then holds one parse of each), which calls neither file
// function, in a context of equal values, is decoded once and the
// Experiment is shared by both projects. It is never changed after
// decoding, so sharing it is safe.

// decodeKey says what an experiment's decoding depends on.
type decodeKey struct {
	name    string
	partial bool
	// sources is the digest of each source file's path and content hash,
	// up the extends chain (sourcesDigest).
	sources [sha256.Size]byte
	context [sha256.Size]byte
}

type decodedExperiment struct {
	once  sync.Once
	e     *Experiment
	diags hcl.Diagnostics
}

// contextDigest hashes the values an experiment's expressions may read
// (var.* and local.*), with their types. ok is false when a value cannot
// be compared this way (unknown after an error, or marked).
func contextDigest(ctx *hcl.EvalContext) (sum [sha256.Size]byte, ok bool) {
	obj := cty.ObjectVal(ctx.Variables)
	if !obj.IsWhollyKnown() || obj.ContainsMarked() {
		return sum, false
	}
	ty, err := ctyjson.MarshalType(obj.Type())
	if err != nil {
		return sum, false
	}
	val, err := ctyjson.Marshal(obj, obj.Type())
	if err != nil {
		return sum, false
	}
	h := sha256.New()
	h.Write(ty)
	h.Write([]byte{0})
	h.Write(val)
	copy(sum[:], h.Sum(nil))
	return sum, true
}

// sharedDecoder decodes the experiments of one load through the cache.
type sharedDecoder struct {
	cache *ParseCache
	files map[string]*hcl.File
	// context is the digest of the load's var.* and local.*; ok is false
	// when it could not be taken, and nothing is shared.
	context [sha256.Size]byte
	ok      bool

	mu      sync.Mutex
	digests map[*body][sha256.Size]byte
}

// decode decodes the merged body m (declared as b), or returns what an
// earlier load decoded from the same sources in the same context.
func (d *sharedDecoder) decode(b, m *body, ctx *hcl.EvalContext, partial bool, metrics *metricMemo) (*Experiment, hcl.Diagnostics) {
	key, ok := d.key(m, partial)
	if !ok {
		return decodeMerged(b, m, ctx, partial, metrics)
	}
	c := d.cache
	c.mu.Lock()
	entry := c.decoded[key]
	if entry == nil {
		entry = &decodedExperiment{}
		c.decoded[key] = entry
	}
	c.mu.Unlock()
	entry.once.Do(func() { entry.e, entry.diags = decodeMerged(b, m, ctx, partial, metrics) })
	return entry.e, entry.diags
}

// key is what m's decoding depends on, or false when it may depend on
// the commit being read.
func (d *sharedDecoder) key(m *body, partial bool) (decodeKey, bool) {
	if d == nil || !d.ok || m.readsFiles {
		return decodeKey{}, false
	}
	sources, ok := d.sourcesDigest(m)
	if !ok {
		return decodeKey{}, false
	}
	return decodeKey{name: m.name, partial: partial, sources: sources, context: d.context}, true
}

// sourcesDigest hashes the path and content of each file merged into m:
// the digest of its base, then its own file. Digests are kept per body,
// so the bodies of a chain of any depth cost one hash each.
func (d *sharedDecoder) sourcesDigest(m *body) ([sha256.Size]byte, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.digests == nil {
		d.digests = map[*body][sha256.Size]byte{}
	}
	var chain []*body
	var sum [sha256.Size]byte
	for b := m; b != nil; b = b.base {
		if known, ok := d.digests[b]; ok {
			sum = known
			break
		}
		chain = append(chain, b)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		b := chain[i]
		f := d.files[b.file]
		if f == nil {
			return sum, false
		}
		e := d.cache.entry(f)
		if e == nil {
			return sum, false
		}
		h := sha256.New()
		h.Write(sum[:])
		h.Write([]byte(b.file))
		h.Write([]byte{0})
		h.Write(e.key.sum[:])
		copy(sum[:], h.Sum(nil))
		d.digests[b] = sum
	}
	return sum, true
}

// decodeMerged decodes m, declared as b.
func decodeMerged(b, m *body, ctx *hcl.EvalContext, partial bool, metrics *metricMemo) (*Experiment, hcl.Diagnostics) {
	e, diags := decodeExperiment(m, ctx, partial, metrics)
	if b.extends != nil {
		e.Extends = b.extends.String()
	}
	return e, diags
}
