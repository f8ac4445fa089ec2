package spec

import (
	"crypto/sha256"
	"sync"

	"github.com/hashicorp/hcl/v2"
)

// ParseCache shares work between loads. A plan loads the specs of two
// commits (base and head) that usually hold almost the same files; with
// one cache for both, each distinct file is parsed once, and each
// experiment that reads the same files in the same context is decoded
// once (decode_memo.go). What the cache holds is only read afterwards, so
// loads may share a cache concurrently.
type ParseCache struct {
	mu sync.Mutex
	m  map[parseKey]*parsedFile
	// byFile finds a parsed file's entry from the file.
	byFile  map[*hcl.File]*parsedFile
	decoded map[decodeKey]*decodedExperiment
}

type parseKey struct {
	path string
	sum  [sha256.Size]byte
}

type parsedFile struct {
	once  sync.Once
	key   parseKey
	file  *hcl.File
	diags hcl.Diagnostics
}

// NewParseCache returns an empty cache.
func NewParseCache() *ParseCache {
	return &ParseCache{m: map[parseKey]*parsedFile{}, byFile: map[*hcl.File]*parsedFile{}, decoded: map[decodeKey]*decodedExperiment{}}
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
		e = &parsedFile{key: k}
		c.m[k] = e
	}
	c.mu.Unlock()
	e.once.Do(func() {
		e.file, e.diags = parseSource(src, path)
		c.mu.Lock()
		c.byFile[e.file] = e
		c.mu.Unlock()
	})
	return e.file, e.diags
}

// entry is what the cache knows of a file it parsed, or nil.
func (c *ParseCache) entry(f *hcl.File) *parsedFile {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byFile[f]
}

