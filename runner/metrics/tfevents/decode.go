package tfevents

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of the messages read here (tensorflow/core/util/event.proto,
// tensorflow/core/framework/{summary,tensor,tensor_shape}.proto).
const (
	eventStep    = 2
	eventSummary = 5

	summaryValue = 1

	valueTag      = 1
	valueSimple   = 2
	valueTensor   = 8
	valueMetadata = 9

	metadataPluginData = 1
	metadataDataClass  = 4
	pluginDataName     = 1
	dataClassScalar    = 1

	tensorDtype   = 1
	tensorShape   = 2
	tensorContent = 4
	tensorFloat   = 5
	tensorDouble  = 6
	tensorInt     = 7
	tensorInt64   = 10
	tensorBool    = 11
	tensorHalf    = 13
	tensorUint32  = 16
	tensorUint64  = 17

	shapeDim          = 2
	shapeUnknownRank  = 3
	dimSize           = 1
	maxRememberedTags = 1 << 16
)

// TensorFlow's DataType values for the numeric types a scalar may have.
const (
	dtFloat    = 1
	dtDouble   = 2
	dtInt32    = 3
	dtUint8    = 4
	dtInt16    = 5
	dtInt8     = 6
	dtInt64    = 9
	dtBool     = 10
	dtBfloat16 = 14
	dtUint16   = 17
	dtHalf     = 19
	dtUint32   = 22
	dtUint64   = 23
)

type pluginKind uint8

const (
	pluginUnknown pluginKind = iota
	pluginScalars
	pluginOther
)

// The keys of the fields of the Event PyTorch's add_scalar writes.
const (
	wallTimeKey = 1<<3 | 1            // field 1, fixed64
	stepKey     = eventStep<<3 | 0    // varint
	summaryKey  = eventSummary<<3 | 2 // bytes
	valueKey    = summaryValue<<3 | 2
	tagKey      = valueTag<<3 | 2
	simpleKey   = valueSimple<<3 | 5 // fixed32
)

// Decoder finds the scalar values in serialised Events. Use one per file:
// it remembers each tag's plugin from the tag's first metadata.
type Decoder struct {
	plugins map[string]pluginKind
	found   []found
}

// found is one Summary.Value that is, or may be, a scalar: one with a
// simple_value, or one whose tensor or metadata matters. Reading it needs
// no state; whether a tensor counts as a scalar depends on the plugin of
// the tag's first metadata, which the Decoder holding that state settles
// (isScalar).
type found struct {
	tag    []byte
	v      float64
	simple bool       // a simple_value: a scalar whatever its metadata
	tensor bool       // a one-element numeric tensor, whose value is v
	meta   pluginKind // what this value's own metadata says
}

// Decode calls fn for each scalar value of one serialised Event, in the
// order they appear; tag is valid only during the call. A malformed Event
// gives an error and no values.
func (d *Decoder) Decode(event []byte, fn func(step int64, tag []byte, v float64)) error {
	if step, tag, v, ok := simpleScalar(event); ok {
		fn(step, tag, v)
		return nil
	}
	return d.decode(event, fn)
}

// decode is Decode for any Event.
func (d *Decoder) decode(event []byte, fn func(step int64, tag []byte, v float64)) error {
	step, fs, err := parseEvent(event, d.found[:0])
	d.found = fs[:0]
	if err != nil {
		return err
	}
	for _, f := range fs {
		if f.simple || isScalar(d, f.tag, f.tensor, f.meta) {
			fn(step, f.tag, f.v)
		}
	}
	return nil
}

// settle keeps of b's pending values those that are scalars, in order,
// as decode would.
func (d *Decoder) settle(b *Batch) {
	out := b.Scalars[:0]
	for _, sc := range b.Scalars {
		if !sc.pending || isScalar(d, b.Tags[sc.Tag], sc.tensor, sc.meta) {
			sc.pending = false
			out = append(out, sc)
		}
	}
	b.Scalars, b.pending = out, false
}

// isScalar says whether a value without a simple_value is a scalar: a
// one-element numeric tensor (tensor) whose tag's plugin, the one the
// tag's first metadata named, is not another plugin's. meta is what the
// value's own metadata says; the Decoder remembers it for the tag's later
// values when it is the tag's first.
func isScalar[T string | []byte](d *Decoder, tag T, tensor bool, meta pluginKind) bool {
	kind := meta
	if kind != pluginUnknown {
		if _, seen := d.plugins[string(tag)]; !seen && len(d.plugins) < maxRememberedTags {
			if d.plugins == nil {
				d.plugins = map[string]pluginKind{}
			}
			d.plugins[string(tag)] = kind
		}
	}
	if k, ok := d.plugins[string(tag)]; ok {
		kind = k
	}
	return tensor && kind != pluginOther
}

// simpleScalar reads the Event that PyTorch's add_scalar, tensorboardX and
// Lightning write for every scalar, field by field in the order they write
// them: wall_time, step (left out when 0), and a Summary of exactly one
// Value holding a tag and then a simple_value. It is most of a large file,
// and read here without the general decoder's loops and queue. ok is false
// for anything else, which decode reads; for what it accepts, the two
// agree (FuzzReadEvents checks).
func simpleScalar(b []byte) (step int64, tag []byte, v float64, ok bool) {
	if len(b) < 9 || b[0] != wallTimeKey {
		return 0, nil, 0, false
	}
	b = b[9:]
	if len(b) > 0 && b[0] == stepKey {
		s, n := varint(b[1:])
		if n < 0 {
			return 0, nil, 0, false
		}
		step, b = int64(s), b[1+n:]
	}
	// The summary is the rest of the event, its one value the rest of
	// the summary.
	for _, key := range [2]byte{summaryKey, valueKey} {
		if len(b) < 2 || b[0] != key {
			return 0, nil, 0, false
		}
		l, n := varint(b[1:])
		if n < 0 || l != uint64(len(b)-1-n) {
			return 0, nil, 0, false
		}
		b = b[1+n:]
	}
	if len(b) < 2 || b[0] != tagKey {
		return 0, nil, 0, false
	}
	l, n := varint(b[1:])
	if n < 0 || l > uint64(len(b)-1-n) {
		return 0, nil, 0, false
	}
	tag, b = b[1+n:1+n+int(l)], b[1+n+int(l):]
	if len(b) != 5 || b[0] != simpleKey {
		return 0, nil, 0, false
	}
	return step, tag, float64(math.Float32frombits(binary.LittleEndian.Uint32(b[1:]))), true
}

// varint is protowire.ConsumeVarint with the short cases, the lengths
// and steps of a scalar event, inline.
func varint(b []byte) (uint64, int) {
	switch {
	case len(b) > 0 && b[0] < 0x80:
		return uint64(b[0]), 1
	case len(b) > 1 && b[1] < 0x80:
		return uint64(b[0]&0x7f) | uint64(b[1])<<7, 2
	case len(b) > 2 && b[2] < 0x80:
		return uint64(b[0]&0x7f) | uint64(b[1]&0x7f)<<7 | uint64(b[2])<<14, 3
	}
	return protowire.ConsumeVarint(b)
}

// parseEvent appends to out the values of one serialised Event that
// isScalar needs to see, in order. It keeps no state, so events can be
// read on several goroutines at once. A malformed Event gives an error.
func parseEvent(event []byte, out []found) (step int64, _ []found, err error) {
	var summary []byte
	b := event
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, out, wireError(protowire.ParseError(n))
		}
		b = b[n:]
		switch {
		case num == eventStep && typ == protowire.VarintType:
			v, m := protowire.ConsumeVarint(b)
			n, step = m, int64(v)
		case num == eventSummary && typ == protowire.BytesType:
			summary, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return 0, out, wireError(protowire.ParseError(n))
		}
		b = b[n:]
	}
	first := len(out)
	for b := summary; len(b) > 0; {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, out[:first], wireError(protowire.ParseError(n))
		}
		b = b[n:]
		if num == summaryValue && typ == protowire.BytesType {
			var val []byte
			val, n = protowire.ConsumeBytes(b)
			if n >= 0 {
				f, ok, err := parseValue(val)
				if err != nil {
					return 0, out[:first], err
				}
				if ok {
					out = append(out, f)
				}
			}
		} else {
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return 0, out[:first], wireError(protowire.ParseError(n))
		}
		b = b[n:]
	}
	return step, out, nil
}

func wireError(err error) error { return fmt.Errorf("not a valid Event: %w", err) }

var errBadValue = errors.New("malformed summary value")

// parseValue reads one Summary.Value; ok is false for a value isScalar
// need not see (no simple_value, no scalar tensor, no metadata).
func parseValue(b []byte) (f found, ok bool, err error) {
	var tensor, metadata []byte
	var simple float32
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return f, false, wireError(errBadValue)
		}
		b = b[n:]
		switch {
		case num == valueTag && typ == protowire.BytesType:
			f.tag, n = protowire.ConsumeBytes(b)
		case num == valueSimple && typ == protowire.Fixed32Type:
			var bits uint32
			bits, n = protowire.ConsumeFixed32(b)
			simple, f.simple = math.Float32frombits(bits), true
		case num == valueTensor && typ == protowire.BytesType:
			tensor, n = protowire.ConsumeBytes(b)
		case num == valueMetadata && typ == protowire.BytesType:
			metadata, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return f, false, wireError(errBadValue)
		}
		b = b[n:]
	}
	if f.simple {
		f.v = float64(simple)
		return f, true, nil
	}
	if metadata != nil {
		f.meta = metadataKind(metadata)
	}
	if tensor != nil {
		f.v, f.tensor = tensorScalar(tensor)
	}
	return f, f.tensor || f.meta != pluginUnknown, nil
}

// metadataKind reads SummaryMetadata's plugin name and data class.
func metadataKind(b []byte) pluginKind {
	var name []byte
	var class uint64
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return pluginUnknown
		}
		b = b[n:]
		switch {
		case num == metadataPluginData && typ == protowire.BytesType:
			var pd []byte
			pd, n = protowire.ConsumeBytes(b)
			if n >= 0 {
				name = pluginName(pd)
			}
		case num == metadataDataClass && typ == protowire.VarintType:
			class, n = protowire.ConsumeVarint(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return pluginUnknown
		}
		b = b[n:]
	}
	switch {
	case string(name) == "scalars" || class == dataClassScalar:
		return pluginScalars
	case len(name) > 0 || class != 0:
		return pluginOther
	}
	return pluginUnknown
}

func pluginName(b []byte) []byte {
	var name []byte
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return nil
		}
		b = b[n:]
		if num == pluginDataName && typ == protowire.BytesType {
			name, n = protowire.ConsumeBytes(b)
		} else {
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return nil
		}
		b = b[n:]
	}
	return name
}
