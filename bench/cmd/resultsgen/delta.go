package main

import "encoding/binary"

// deltaBuilder writes a git delta (the pack format's copy and insert
// instructions) from a walk of the target: spans of the base to copy,
// bytes to insert.
type deltaBuilder struct {
	ops     []byte
	pending []byte
	copyAt  int
	copyLen int
	out     []byte
}

// Git's limits: an insert holds at most 127 bytes; git writes copies of
// at most 64 KiB, which every reader takes.
const (
	maxInsert = 127
	maxCopy   = 0x10000
)

func (d *deltaBuilder) reset() {
	d.ops, d.pending, d.copyLen = d.ops[:0], d.pending[:0], 0
}

// copy adds n bytes of the base from offset at.
func (d *deltaBuilder) copy(at, n int) {
	d.flushInsert()
	if d.copyLen > 0 && d.copyAt+d.copyLen == at {
		d.copyLen += n
		return
	}
	d.flushCopy()
	d.copyAt, d.copyLen = at, n
}

// insert adds bytes of the target's own.
func (d *deltaBuilder) insert(b []byte) {
	d.flushCopy()
	d.pending = append(d.pending, b...)
}

func (d *deltaBuilder) flushInsert() {
	for b := d.pending; len(b) > 0; {
		n := min(len(b), maxInsert)
		d.ops = append(d.ops, byte(n))
		d.ops = append(d.ops, b[:n]...)
		b = b[n:]
	}
	d.pending = d.pending[:0]
}

func (d *deltaBuilder) flushCopy() {
	for d.copyLen > 0 {
		n := min(d.copyLen, maxCopy)
		cmd := len(d.ops)
		d.ops = append(d.ops, 0x80)
		for i := range 4 {
			if b := byte(d.copyAt >> (8 * i)); b != 0 {
				d.ops[cmd] |= 1 << i
				d.ops = append(d.ops, b)
			}
		}
		if n != maxCopy { // a size of 0x10000 is written as none
			for i := range 3 {
				if b := byte(n >> (8 * i)); b != 0 {
					d.ops[cmd] |= 0x10 << i
					d.ops = append(d.ops, b)
				}
			}
		}
		d.copyAt += n
		d.copyLen -= n
	}
}

// finish returns the delta from a base of baseSize bytes to a target of
// targetSize; it is valid until the next reset.
func (d *deltaBuilder) finish(baseSize, targetSize int) []byte {
	d.flushInsert()
	d.flushCopy()
	d.out = binary.AppendUvarint(d.out[:0], uint64(baseSize))
	d.out = binary.AppendUvarint(d.out, uint64(targetSize))
	d.out = append(d.out, d.ops...)
	return d.out
}
