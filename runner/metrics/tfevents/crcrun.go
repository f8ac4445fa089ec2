package tfevents

import (
	"encoding/binary"
	"hash/crc32"
)

// maxRunRecord is the largest record whose data CRC is checked in a run:
// the CRC of as many zero bytes as it holds is computed once per length.
const maxRunRecord = 1 << 16

// zeros is maxRunRecord zero bytes, for zeroCRC.
var zeros [maxRunRecord]byte

// Checking a run of records at once. CRC-32C is linear: write R(p) for
// the remainder of p's bits without the standard's initial and final
// inversions (crc32.Update(^0, p) is ^R(p)). R(p) = crc(p) ^ crc(n zero
// bytes) for n bytes, and appending R(p) to p, little-endian, makes the
// remainder 0. So a record whose two stored CRCs are rewritten in place
// to R of what they cover (unmasked, xored with the CRC of as many
// zeros) has remainder 0 exactly when both CRCs were right, and a run of
// such records then has remainder 0 too; one bad record makes it
// non-zero. Only the remainder of several bad records together could
// come out 0 (odds 1 in 2^32, those of a damaged record passing its own
// check). One CRC over a run goes three times as fast as one per record,
// whose few dozen bytes cannot fill the pipeline of the CRC instruction.

// zeroCRC is crc of length zero bytes, length at most maxRunRecord,
// kept beside the length's checked header.
func (w *segmentWorker) zeroCRC(length uint64) uint32 {
	slot := &w.seen[length%uint64(len(w.seen))]
	if slot.length == length && slot.zeroOK {
		return slot.zero
	}
	z := crc32.Checksum(zeros[:length], castagnoli)
	if slot.length == length {
		slot.zero, slot.runHeader, slot.zeroOK = z, unmask(slot.crc)^zero8CRC, true
	}
	return z
}

// zero8CRC is the crc of 8 zero bytes: a header's length.
var zero8CRC = crc32.Checksum(zeros[:8], castagnoli)

// unmask undoes mask.
func unmask(m uint32) uint32 {
	x := m - 0xa282ead8
	return x<<15 | x>>17
}

// addToRun rewrites the CRCs of rec, the record at file offset p whose
// header is checked, for sumRun, and adds it to the run.
func (w *segmentWorker) addToRun(p int64, rec []byte, length uint64) {
	le := binary.LittleEndian
	le.PutUint32(rec[8:], unmask(le.Uint32(rec[8:]))^zero8CRC)
	ftr := rec[headerLen+length:]
	le.PutUint32(ftr, unmask(le.Uint32(ftr))^w.zeroCRC(length))
	i := int(p - w.bufOff)
	if i != w.runHi {
		w.sumRun()
		w.runLo = i
	}
	w.runHi = i + len(rec)
}

// sumRun checks the run of records added since the last; false when it
// or an earlier run of the segment failed.
func (w *segmentWorker) sumRun() bool {
	if w.runHi > w.runLo && crc32.Update(^uint32(0), castagnoli, w.buf[w.runLo:w.runHi]) != ^uint32(0) {
		w.runFailed = true
	}
	w.runLo, w.runHi = 0, 0
	return !w.runFailed
}
