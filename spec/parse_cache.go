package spec

import (
	"crypto/sha256"
	"io/fs"
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
	byFile map[*hcl.File]*parsedFile
	// byID finds a parsed file from its path and content id.
	byID    map[idKey]*parsedFile
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

	blocksOnce sync.Once
	blocks     *fileBlocks
}

// NewParseCache returns an empty cache.
func NewParseCache() *ParseCache {
	return &ParseCache{m: map[parseKey]*parsedFile{}, byFile: map[*hcl.File]*parsedFile{}, byID: map[idKey]*parsedFile{}, decoded: map[decodeKey]*decodedExperiment{}}
}

// parse returns src parsed as path, from the cache when the same bytes
// were parsed under the same path before (ranges in the AST name the
// path, so it is part of the key). id, when not "", is the file's content
// id (ContentIDFS), remembered so later loads need not read the file.
func (c *ParseCache) parse(src []byte, path, id string) (*hcl.File, hcl.Diagnostics) {
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
	if id != "" {
		c.mu.Lock()
		c.byID[idKey{path, id}] = e
		c.mu.Unlock()
	}
	return e.file, e.diags
}

// ContentIDFS is a file system that knows, without reading a file, an id
// that changes whenever the file's content does, such as a git blob id.
// Loads through one ParseCache then read each such file once.
type ContentIDFS interface {
	fs.FS
	// ContentID returns the id of the regular file at name, or false when
	// it has none at hand.
	ContentID(name string) (string, bool)
}

type idKey struct{ path, id string }

// contentID is the id fsys gives path, or "" when it gives none.
func (c *ParseCache) contentID(fsys fs.FS, path string) string {
	if c == nil {
		return ""
	}
	idfs, ok := fsys.(ContentIDFS)
	if !ok {
		return ""
	}
	id, _ := idfs.ContentID(path)
	return id
}

// parsedByID returns the file parsed from content id under path, if any.
func (c *ParseCache) parsedByID(path, id string) (*hcl.File, hcl.Diagnostics, bool) {
	if c == nil || id == "" {
		return nil, nil, false
	}
	c.mu.Lock()
	e := c.byID[idKey{path, id}]
	c.mu.Unlock()
	if e == nil {
		return nil, nil, false
	}
	return e.file, e.diags, true
}

// entry is what the cache knows of a file it parsed, or nil.
func (c *ParseCache) entry(f *hcl.File) *parsedFile {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byFile[f]
}
