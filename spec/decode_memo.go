package spec

import (
	"crypto/sha256"
	"strings"
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
	// sources lists each source file's path and content hash.
	sources string
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
}

// decode decodes the merged body m (declared as b), or returns what an
// earlier load decoded from the same sources in the same context.
func (d *sharedDecoder) decode(b, m *body, ctx *hcl.EvalContext, partial bool) (*Experiment, hcl.Diagnostics) {
	key, ok := d.key(m, partial)
	if !ok {
		return decodeMerged(b, m, ctx, partial)
	}
	c := d.cache
	c.mu.Lock()
	entry := c.decoded[key]
	if entry == nil {
		entry = &decodedExperiment{}
		c.decoded[key] = entry
	}
	c.mu.Unlock()
	entry.once.Do(func() { entry.e, entry.diags = decodeMerged(b, m, ctx, partial) })
	return entry.e, entry.diags
}

// key is what m's decoding depends on, or false when it may depend on
// the commit being read.
func (d *sharedDecoder) key(m *body, partial bool) (decodeKey, bool) {
	if d == nil || !d.ok || m.readsFiles {
		return decodeKey{}, false
	}
	var sources strings.Builder
	for _, path := range m.sources {
		f := d.files[path]
		if f == nil {
			return decodeKey{}, false
		}
		e := d.cache.entry(f)
		if e == nil {
			return decodeKey{}, false
		}
		sources.WriteString(path)
		sources.WriteByte(0)
		sources.Write(e.key.sum[:])
	}
	return decodeKey{name: m.name, partial: partial, sources: sources.String(), context: d.context}, true
}

// decodeMerged decodes m, declared as b.
func decodeMerged(b, m *body, ctx *hcl.EvalContext, partial bool) (*Experiment, hcl.Diagnostics) {
	e, diags := decodeExperiment(m, ctx, partial)
	if b.extends != nil {
		e.Extends = b.extends.String()
	}
	return e, diags
}
