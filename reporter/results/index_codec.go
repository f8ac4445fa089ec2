package results

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"math"
	"sort"
	"time"
	"unsafe"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/assaylab/assay/runner"
)

// The index file is a small binary format, chosen over JSON or gob because
// loading 100,000 runs must take a few tens of milliseconds: a query
// reads the whole file on every call. Layout, all integers varints:
//
//	magic "assayidx" | version | tip (20 bytes)
//	strings: count, then each as length+bytes (names, experiments,
//	         statuses, hosts, commits: everything that repeats)
//	params:  count, then each distinct set of params (runs of one config
//	         share theirs, decoded once into one read-only map)
//	warnings: count, then path and problem as string numbers
//	entries: count, then each entry's fields (see indexEncoder.entry)
//	crc32 (IEEE) of everything before it, 4 bytes little-endian
//
// A file with another magic, version or checksum is ignored and rebuilt.
const (
	indexMagic   = "assayidx"
	indexVersion = 5
)

// Param value kinds in the index.
const (
	paramNull byte = iota
	paramNumber
	paramString
	paramBool
	paramJSON
)

type indexEncoder struct {
	buf     []byte
	strings map[string]uint64
	table   []string
	// params holds each distinct params set, encoded, by its number.
	params    map[string]uint64
	paramSets [][]byte
}

func (e *indexEncoder) str(s string) {
	i, ok := e.strings[s]
	if !ok {
		i = uint64(len(e.table))
		e.strings[s] = i
		e.table = append(e.table, s)
	}
	e.buf = binary.AppendUvarint(e.buf, i)
}

func (e *indexEncoder) uint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }
func (e *indexEncoder) int(v int64)   { e.buf = binary.AppendVarint(e.buf, v) }
func (e *indexEncoder) float(v float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v))
}
func (e *indexEncoder) time(t time.Time) {
	if t.IsZero() {
		e.int(0)
		return
	}
	e.int(t.UnixNano())
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (e *indexEncoder) entry(x *Entry) {
	e.str(x.RunID)
	e.str(x.TrialKey)
	e.str(x.Experiment)
	e.str(string(x.Status))
	e.int(int64(x.ExitCode))
	e.int(int64(x.Attempt))
	e.int(x.Seed)
	e.time(x.Started)
	e.time(x.Finished)
	e.float(x.DurationS)
	e.str(x.Host)
	e.uint(uint64(x.GPUs))
	e.str(x.SourceCommit)
	e.str(x.Trigger)
	e.int(int64(x.PR))
	e.str(x.Batch)
	if x.Search == nil {
		e.uint(0)
	} else {
		e.uint(uint64(x.Search.Round) + 1)
		e.uint(uint64(x.Search.Proposal))
	}
	e.uint(e.paramSet(x.Params))
	e.uint(uint64(len(x.Metrics)))
	var small [8]string
	keys := small[:0]
	for k := range x.Metrics {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		e.str(k)
		e.float(x.Metrics[k])
	}
}

// paramSet returns the number of params' set, adding it to the table.
func (e *indexEncoder) paramSet(params map[string]any) uint64 {
	saved := e.buf
	e.buf = nil
	e.uint(uint64(len(params)))
	for _, k := range sortedKeys(params) {
		e.str(k)
		switch v := params[k].(type) {
		case nil:
			e.buf = append(e.buf, paramNull)
		case float64:
			e.buf = append(e.buf, paramNumber)
			e.float(v)
		case string:
			e.buf = append(e.buf, paramString)
			e.str(v)
		case bool:
			e.buf = append(e.buf, paramBool)
			if v {
				e.buf = append(e.buf, 1)
			} else {
				e.buf = append(e.buf, 0)
			}
		default:
			b, _ := json.Marshal(v)
			e.buf = append(e.buf, paramJSON)
			e.str(string(b))
		}
	}
	enc := e.buf
	e.buf = saved
	i, ok := e.params[string(enc)]
	if !ok {
		i = uint64(len(e.paramSets))
		e.params[string(enc)] = i
		e.paramSets = append(e.paramSets, enc)
	}
	return i
}

// encodeIndex writes idx in the index file format.
func encodeIndex(idx *Index) []byte {
	// Sized for the run ids and trial keys, which are all distinct, and
	// about 60 bytes an entry: growing them as the entries come costs
	// more than encoding them.
	n := len(idx.Entries)
	body := &indexEncoder{strings: make(map[string]uint64, 2*n+64), table: make([]string, 0, 2*n+64),
		params: map[string]uint64{}, buf: make([]byte, 0, 64*n+1024)}
	body.uint(uint64(len(idx.Warnings)))
	for _, w := range idx.Warnings {
		body.str(w.Path)
		body.str(w.Problem)
	}
	body.uint(uint64(len(idx.Entries)))
	for _, x := range idx.Entries {
		body.entry(x)
	}
	size := len(indexMagic) + 64 + len(body.buf)
	for _, t := range body.table {
		size += len(t) + 2
	}
	for _, p := range body.paramSets {
		size += len(p)
	}
	out := make([]byte, 0, size)
	out = append(append(out, indexMagic...), binary.AppendUvarint(nil, indexVersion)...)
	out = append(out, idx.Tip[:]...)
	out = binary.AppendUvarint(out, uint64(len(body.table)))
	for _, s := range body.table {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	out = binary.AppendUvarint(out, uint64(len(body.paramSets)))
	for _, p := range body.paramSets {
		out = append(out, p...)
	}
	out = append(out, body.buf...)
	return binary.LittleEndian.AppendUint32(out, crc32.ChecksumIEEE(out))
}

var errBadIndex = errors.New("index file is damaged")

type indexDecoder struct {
	b      []byte
	table  []string
	params []map[string]any
	err    error
}

func (d *indexDecoder) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *indexDecoder) int() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *indexDecoder) fail() {
	d.err = errBadIndex
	d.b = nil
}

func (d *indexDecoder) byte() byte {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	c := d.b[0]
	d.b = d.b[1:]
	return c
}

func (d *indexDecoder) float() float64 {
	if len(d.b) < 8 {
		d.fail()
		return 0
	}
	v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
	d.b = d.b[8:]
	return v
}

func (d *indexDecoder) str() string {
	i := d.uint()
	if i >= uint64(len(d.table)) {
		d.fail()
		return ""
	}
	return d.table[i]
}

func (d *indexDecoder) time() time.Time {
	ns := d.int()
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns).UTC()
}

// count reads a length and checks it against what is left, so a damaged
// file cannot ask for a huge allocation.
func (d *indexDecoder) count() int {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.fail()
		return 0
	}
	return int(n)
}

// indexData is an index file opened for reading: the header, strings,
// params and warnings read, the entries left to read one at a time.
type indexData struct {
	d        *indexDecoder
	tip      plumbing.Hash
	warnings []Warning
	runs     int
	read     int
}

// openIndex checks an index file and reads all but its entries. Strings
// are views into b itself, so they cost no allocation each: b must not
// change afterwards (readIndexFile's buffer is never written again).
func openIndex(b []byte) (*indexData, error) {
	if len(b) < len(indexMagic)+1+20+4 || !bytes.HasPrefix(b, []byte(indexMagic)) {
		return nil, errBadIndex
	}
	body, sum := b[:len(b)-4], binary.LittleEndian.Uint32(b[len(b)-4:])
	if crc32.ChecksumIEEE(body) != sum {
		return nil, errBadIndex
	}
	return openIndexChecked(b)
}

// openIndexChecked is openIndex for bytes whose checksum an enclosing
// format (a segment) has already verified: a second pass over megabytes
// would find nothing new.
func openIndexChecked(b []byte) (*indexData, error) {
	if len(b) < len(indexMagic)+1+20+4 || !bytes.HasPrefix(b, []byte(indexMagic)) {
		return nil, errBadIndex
	}
	body := b[:len(b)-4]
	whole := unsafe.String(&body[0], len(body))
	d := &indexDecoder{b: body[len(indexMagic):]}
	if d.uint() != indexVersion || len(d.b) < 20 {
		return nil, errBadIndex
	}
	x := &indexData{d: d}
	copy(x.tip[:], d.b[:20])
	d.b = d.b[20:]
	nstr := d.count()
	d.table = make([]string, 0, nstr)
	for i := 0; i < nstr && d.err == nil; i++ {
		n := d.count()
		if d.err != nil {
			break
		}
		off := len(body) - len(d.b)
		d.table = append(d.table, whole[off:off+n])
		d.b = d.b[n:]
	}
	np := d.count()
	d.params = make([]map[string]any, 0, np)
	for i := 0; i < np && d.err == nil; i++ {
		d.params = append(d.params, d.paramMap())
	}
	nw := d.count()
	for i := 0; i < nw && d.err == nil; i++ {
		x.warnings = append(x.warnings, Warning{Path: d.str(), Problem: d.str()})
	}
	x.runs = d.count()
	if d.err != nil {
		return nil, errBadIndex
	}
	return x, nil
}

// next reads the next entry into e, reusing e's metrics map.
func (x *indexData) next(e *Entry) bool {
	if x.read >= x.runs || x.d.err != nil {
		return false
	}
	x.read++
	x.d.entry(e)
	return x.d.err == nil
}

// done reports whether the whole file was read without a problem.
func (x *indexData) done() error {
	if x.d.err != nil || x.read != x.runs || len(x.d.b) != 0 {
		return errBadIndex
	}
	return nil
}

// decodeIndex reads the index file format.
func decodeIndex(b []byte) (*Index, error) {
	x, err := openIndex(b)
	if err != nil {
		return nil, err
	}
	idx := &Index{Tip: x.tip, Warnings: x.warnings, Entries: make([]*Entry, 0, x.runs)}
	entries := make([]Entry, x.runs)
	for i := range entries {
		if !x.next(&entries[i]) {
			break
		}
		idx.Entries = append(idx.Entries, &entries[i])
	}
	if err := x.done(); err != nil {
		return nil, err
	}
	return idx, nil
}

func (d *indexDecoder) entry(x *Entry) {
	x.RunID = d.str()
	x.TrialKey = d.str()
	x.Experiment = d.str()
	x.Status = runner.Status(d.str())
	x.ExitCode = int(d.int())
	x.Attempt = int(d.int())
	x.Seed = d.int()
	x.Started = d.time()
	x.Finished = d.time()
	x.DurationS = d.float()
	x.Host = d.str()
	x.GPUs = int(d.uint())
	x.SourceCommit = d.str()
	x.Trigger = d.str()
	x.PR = int(d.int())
	x.Batch = d.str()
	x.Search = nil
	if r := d.uint(); r > 0 {
		x.Search = &runner.SearchOrigin{Round: int(r - 1), Proposal: int(d.uint())}
	}
	if p := d.uint(); p < uint64(len(d.params)) {
		x.Params = d.params[p]
	} else {
		d.fail()
	}
	nm := d.count()
	if x.Metrics != nil {
		clear(x.Metrics)
	}
	if nm > 0 {
		if x.Metrics == nil {
			x.Metrics = make(map[string]float64, nm)
		}
		for j := 0; j < nm && d.err == nil; j++ {
			k := d.str()
			x.Metrics[k] = d.float()
		}
	}
}

// paramMap reads one params set.
func (d *indexDecoder) paramMap() map[string]any {
	var params map[string]any
	if np := d.count(); np > 0 {
		params = make(map[string]any, np)
		for j := 0; j < np && d.err == nil; j++ {
			k := d.str()
			switch d.byte() {
			case paramNull:
				params[k] = nil
			case paramNumber:
				params[k] = d.float()
			case paramString:
				params[k] = d.str()
			case paramBool:
				params[k] = d.byte() == 1
			case paramJSON:
				var v any
				if err := json.Unmarshal([]byte(d.str()), &v); err != nil {
					d.fail()
				}
				params[k] = v
			default:
				d.fail()
			}
		}
	}
	return params
}
