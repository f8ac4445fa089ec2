package spec

import (
	"crypto/sha256"
	"sync"

	"github.com/hashicorp/hcl/v2"
)

// ParseCache shares parsed files between loads. A plan loads the specs of
// two commits (base and head) that usually hold almost the same files;
// with one cache for both, each distinct file is parsed once. Parsed files
// are only read afterwards, so loads may share a cache concurrently.
type ParseCache struct {
	mu sync.Mutex
	m  map[parseKey]*parsedFile
}

type parseKey struct {
	path string
	sum  [sha256.Size]byte
}

type parsedFile struct {
	once  sync.Once
	file  *hcl.File
	diags hcl.Diagnostics
}

// NewParseCache returns an empty cache.
func NewParseCache() *ParseCache {
	return &ParseCache{m: map[parseKey]*parsedFile{}}
}

// parse returns src parsed as path, from the cache when the same bytes
// were parsed under the same path before (ranges in the AST name the
// path, so it is part of the key).
func (c *ParseCache) parse(src []byte, path string) (*hcl.File, hcl.Diagnostics) {
	if c == nil {
		return parseSource(src, path)
	}
	k := parseKey{path: path, sum: sha256.Sum256(src)}
	c.mu.Lock()
	e := c.m[k]
	if e == nil {
		e = &parsedFile{}
		c.m[k] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.file, e.diags = parseSource(src, path) })
	return e.file, e.diags
}
