package spec

import (
	"bytes"

	"github.com/hashicorp/hcl/v2"
)

// fileBlocks is what one experiment file declares, decoded block by block
// without looking at other files. That part of loading needs nothing
// else, so it runs on all cores beside parsing, and loads that share a
// ParseCache share it too. What it holds is only read afterwards.
type fileBlocks struct {
	// diags are the file's own: blocks that are not allowed in it.
	diags hcl.Diagnostics
	items []fileBlock
}

// fileBlock is one block of a file, decoded as far as it can be alone.
type fileBlock struct {
	block    *hcl.Block
	variable *Variable      // for a variable block
	locals   hcl.Attributes // for a locals block
	body     *body          // for a template or experiment block
	diags    hcl.Diagnostics
}

func decodeFileBlocks(f *hcl.File) *fileBlocks {
	content, diags := f.Body.Content(experimentFileSchema)
	out := &fileBlocks{diags: diags, items: make([]fileBlock, 0, len(content.Blocks))}
	mayReadFiles := bytes.Contains(f.Bytes, []byte("file")) || bytes.Contains(f.Bytes, []byte("::"))
	for _, blk := range content.Blocks {
		item := fileBlock{block: blk}
		switch blk.Type {
		case "variable":
			item.variable, item.diags = decodeVariableBlock(blk)
		case "locals":
			item.locals, item.diags = blk.Body.JustAttributes()
		case "template", "experiment":
			item.body, item.diags = decodeBody(blk.Type, blk, mayReadFiles)
		}
		out.items = append(out.items, item)
	}
	return out
}

// blocksOf decodes the blocks of f, once per cache.
func (c *ParseCache) blocksOf(f *hcl.File) *fileBlocks {
	if c == nil {
		return decodeFileBlocks(f)
	}
	e := c.entry(f)
	if e == nil {
		return decodeFileBlocks(f)
	}
	e.blocksOnce.Do(func() { e.blocks = decodeFileBlocks(f) })
	return e.blocks
}
