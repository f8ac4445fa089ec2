package tfevents

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// tensorFields are the first element of each of a TensorProto's value
// fields that a scalar may use.
type tensorFields struct {
	dtype   uint64
	content []byte
	// first holds, per field number, the first element's bits.
	first [tensorUint64 + 1]uint64
	has   [tensorUint64 + 1]bool
	// elements is the product of the shape's sizes; -1 for an unknown
	// rank.
	elements int64
}

// tensorScalar returns the value of a one-element numeric tensor.
func tensorScalar(b []byte) (float64, bool) {
	t := tensorFields{elements: 1}
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return 0, false
		}
		b = b[n:]
		switch {
		case num == tensorDtype && typ == protowire.VarintType:
			t.dtype, n = protowire.ConsumeVarint(b)
		case num == tensorShape && typ == protowire.BytesType:
			var shape []byte
			shape, n = protowire.ConsumeBytes(b)
			if n >= 0 {
				t.elements = elements(shape)
			}
		case num == tensorContent && typ == protowire.BytesType:
			t.content, n = protowire.ConsumeBytes(b)
		case num == tensorFloat || num == tensorDouble || num == tensorInt || num == tensorInt64 ||
			num == tensorBool || num == tensorHalf || num == tensorUint32 || num == tensorUint64:
			n = t.typed(num, typ, b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return 0, false
		}
		b = b[n:]
	}
	if t.elements != 1 {
		return 0, false
	}
	if len(t.content) > 0 {
		return contentValue(t.dtype, t.content)
	}
	return t.typedValue()
}

// typed reads one occurrence of a repeated numeric field, packed or not,
// keeping its first element.
func (t *tensorFields) typed(num protowire.Number, typ protowire.Type, b []byte) int {
	width := protowire.VarintType
	switch num {
	case tensorFloat:
		width = protowire.Fixed32Type
	case tensorDouble:
		width = protowire.Fixed64Type
	}
	one := func(b []byte) (uint64, int) {
		switch width {
		case protowire.Fixed32Type:
			v, n := protowire.ConsumeFixed32(b)
			return uint64(v), n
		case protowire.Fixed64Type:
			return protowire.ConsumeFixed64(b)
		}
		return protowire.ConsumeVarint(b)
	}
	switch typ {
	case width:
		v, n := one(b)
		if n >= 0 && !t.has[num] {
			t.first[num], t.has[num] = v, true
		}
		return n
	case protowire.BytesType:
		packed, n := protowire.ConsumeBytes(b)
		if n >= 0 && len(packed) > 0 && !t.has[num] {
			v, m := one(packed)
			if m < 0 {
				return m
			}
			t.first[num], t.has[num] = v, true
		}
		return n
	}
	return protowire.ConsumeFieldValue(num, typ, b)
}

func (t *tensorFields) typedValue() (float64, bool) {
	get := func(num int) (uint64, bool) { return t.first[num], t.has[num] }
	var bits uint64
	var ok bool
	switch t.dtype {
	case dtFloat:
		if bits, ok = get(tensorFloat); ok {
			return float64(math.Float32frombits(uint32(bits))), true
		}
	case dtDouble:
		if bits, ok = get(tensorDouble); ok {
			return math.Float64frombits(bits), true
		}
	case dtInt32, dtInt16, dtInt8:
		if bits, ok = get(tensorInt); ok {
			return float64(int32(bits)), true
		}
	case dtUint8, dtUint16:
		if bits, ok = get(tensorInt); ok {
			return float64(uint32(bits)), true
		}
	case dtInt64:
		if bits, ok = get(tensorInt64); ok {
			return float64(int64(bits)), true
		}
	case dtBool:
		if bits, ok = get(tensorBool); ok {
			return boolValue(bits != 0), true
		}
	case dtHalf:
		if bits, ok = get(tensorHalf); ok {
			return halfValue(uint16(bits)), true
		}
	case dtBfloat16:
		if bits, ok = get(tensorHalf); ok {
			return float64(math.Float32frombits(uint32(uint16(bits)) << 16)), true
		}
	case dtUint32:
		if bits, ok = get(tensorUint32); ok {
			return float64(uint32(bits)), true
		}
	case dtUint64:
		if bits, ok = get(tensorUint64); ok {
			return float64(bits), true
		}
	}
	return 0, false
}

// contentValue reads tensor_content: the element's raw little-endian bytes.
func contentValue(dtype uint64, c []byte) (float64, bool) {
	le := binary.LittleEndian
	switch {
	case dtype == dtFloat && len(c) == 4:
		return float64(math.Float32frombits(le.Uint32(c))), true
	case dtype == dtDouble && len(c) == 8:
		return math.Float64frombits(le.Uint64(c)), true
	case dtype == dtInt32 && len(c) == 4:
		return float64(int32(le.Uint32(c))), true
	case dtype == dtUint32 && len(c) == 4:
		return float64(le.Uint32(c)), true
	case dtype == dtInt64 && len(c) == 8:
		return float64(int64(le.Uint64(c))), true
	case dtype == dtUint64 && len(c) == 8:
		return float64(le.Uint64(c)), true
	case dtype == dtInt16 && len(c) == 2:
		return float64(int16(le.Uint16(c))), true
	case dtype == dtUint16 && len(c) == 2:
		return float64(le.Uint16(c)), true
	case dtype == dtInt8 && len(c) == 1:
		return float64(int8(c[0])), true
	case dtype == dtUint8 && len(c) == 1:
		return float64(c[0]), true
	case dtype == dtBool && len(c) == 1:
		return boolValue(c[0] != 0), true
	case dtype == dtHalf && len(c) == 2:
		return halfValue(le.Uint16(c)), true
	case dtype == dtBfloat16 && len(c) == 2:
		return float64(math.Float32frombits(uint32(le.Uint16(c)) << 16)), true
	}
	return 0, false
}

// elements is the number of elements a TensorShapeProto describes, or
// -1 when its rank is unknown or it cannot be read.
func elements(b []byte) int64 {
	count := int64(1)
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return -1
		}
		b = b[n:]
		switch {
		case num == shapeDim && typ == protowire.BytesType:
			var dim []byte
			dim, n = protowire.ConsumeBytes(b)
			if n >= 0 {
				size := dimensionSize(dim)
				if size != 1 {
					count = -1
				}
			}
		case num == shapeUnknownRank && typ == protowire.VarintType:
			var v uint64
			v, n = protowire.ConsumeVarint(b)
			if v != 0 {
				count = -1
			}
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return -1
		}
		b = b[n:]
	}
	return count
}

// dimensionSize is a TensorShapeProto.Dim's size (0 when absent, as
// proto3 leaves a zero out).
func dimensionSize(b []byte) int64 {
	var size int64
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return -1
		}
		b = b[n:]
		if num == dimSize && typ == protowire.VarintType {
			var v uint64
			v, n = protowire.ConsumeVarint(b)
			size = int64(v)
		} else {
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return -1
		}
		b = b[n:]
	}
	return size
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// halfValue converts IEEE 754 binary16 bits.
func halfValue(h uint16) float64 {
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp := int(h>>10) & 0x1f
	frac := float64(h & 0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac != 0 {
			return math.NaN()
		}
		return math.Inf(int(sign))
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}
