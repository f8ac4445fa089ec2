package tfevents

import (
	"encoding/binary"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"google.golang.org/protobuf/encoding/protowire"
)

// The helpers below build the protobuf messages field by field, so each
// case says exactly which encoding it feeds the decoder.

func msg(fields ...[]byte) []byte {
	var b []byte
	for _, f := range fields {
		b = append(b, f...)
	}
	return b
}

func bytesField(num protowire.Number, v []byte) []byte {
	b := protowire.AppendTag(nil, num, protowire.BytesType)
	return protowire.AppendBytes(b, v)
}

func varintField(num protowire.Number, v uint64) []byte {
	b := protowire.AppendTag(nil, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func fixed32Field(num protowire.Number, v uint32) []byte {
	b := protowire.AppendTag(nil, num, protowire.Fixed32Type)
	return protowire.AppendFixed32(b, v)
}

func fixed64Field(num protowire.Number, v uint64) []byte {
	b := protowire.AppendTag(nil, num, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, v)
}

func shape(dims ...uint64) []byte {
	var b []byte
	for _, d := range dims {
		var dim []byte
		if d != 0 {
			dim = varintField(dimSize, d)
		}
		b = append(b, bytesField(shapeDim, dim)...)
	}
	return bytesField(tensorShape, b)
}

func metadata(plugin string, class uint64) []byte {
	var md []byte
	if plugin != "" {
		md = bytesField(metadataPluginData, bytesField(pluginDataName, []byte(plugin)))
	}
	if class != 0 {
		md = append(md, varintField(metadataDataClass, class)...)
	}
	return bytesField(valueMetadata, md)
}

func tensorValue(tag string, md []byte, tensor ...[]byte) []byte {
	return msg(bytesField(valueTag, []byte(tag)), md, bytesField(valueTensor, msg(tensor...)))
}

func eventOf(step int64, values ...[]byte) []byte {
	var summary []byte
	for _, v := range values {
		summary = append(summary, bytesField(summaryValue, v)...)
	}
	return msg(fixed64Field(1, math.Float64bits(1.5)), varintField(eventStep, uint64(step)), bytesField(eventSummary, summary))
}

func decode(t *testing.T, d *Decoder, event []byte) []point {
	t.Helper()
	var out []point
	if err := d.Decode(event, func(step int64, tag []byte, v float64) {
		out = append(out, point{step, string(tag), v})
	}); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return out
}

func TestTensorForms(t *testing.T) {
	f32 := func(v float32) uint64 { return uint64(math.Float32bits(v)) }
	scalars := metadata("scalars", 0)
	cases := []struct {
		name  string
		value []byte
		want  []point
	}{
		{"simple_value", msg(bytesField(valueTag, []byte("loss")), fixed32Field(valueSimple, math.Float32bits(0.25))),
			[]point{{7, "loss", 0.25}}},
		{"float_val packed", tensorValue("a", scalars, varintField(tensorDtype, dtFloat), bytesField(tensorFloat, binary.LittleEndian.AppendUint32(nil, uint32(f32(1.5))))),
			[]point{{7, "a", 1.5}}},
		{"float_val unpacked", tensorValue("a", scalars, varintField(tensorDtype, dtFloat), fixed32Field(tensorFloat, uint32(f32(2.5)))),
			[]point{{7, "a", 2.5}}},
		{"double_val", tensorValue("a", scalars, varintField(tensorDtype, dtDouble), fixed64Field(tensorDouble, math.Float64bits(0.1))),
			[]point{{7, "a", 0.1}}},
		{"tensor_content float", tensorValue("a", scalars, varintField(tensorDtype, dtFloat), shape(), bytesField(tensorContent, binary.LittleEndian.AppendUint32(nil, math.Float32bits(-3)))),
			[]point{{7, "a", -3}}},
		{"tensor_content double", tensorValue("a", scalars, varintField(tensorDtype, dtDouble), bytesField(tensorContent, binary.LittleEndian.AppendUint64(nil, math.Float64bits(1e300)))),
			[]point{{7, "a", 1e300}}},
		{"int64_val negative", tensorValue("a", scalars, varintField(tensorDtype, dtInt64), varintField(tensorInt64, uint64(1<<64-5))),
			[]point{{7, "a", -5}}},
		{"int_val", tensorValue("a", scalars, varintField(tensorDtype, dtInt32), varintField(tensorInt, 42)),
			[]point{{7, "a", 42}}},
		{"bool_val", tensorValue("a", scalars, varintField(tensorDtype, dtBool), varintField(tensorBool, 1)),
			[]point{{7, "a", 1}}},
		{"half_val", tensorValue("a", scalars, varintField(tensorDtype, dtHalf), varintField(tensorHalf, 0x3c00)),
			[]point{{7, "a", 1}}},
		{"half subnormal", tensorValue("a", scalars, varintField(tensorDtype, dtHalf), varintField(tensorHalf, 0x8001)),
			[]point{{7, "a", -math.Ldexp(1, -24)}}},
		{"bfloat16", tensorValue("a", scalars, varintField(tensorDtype, dtBfloat16), varintField(tensorHalf, 0x3fc0)),
			[]point{{7, "a", 1.5}}},
		{"uint64_val", tensorValue("a", scalars, varintField(tensorDtype, dtUint64), varintField(tensorUint64, 1<<40)),
			[]point{{7, "a", 1 << 40}}},
		{"shape [1]", tensorValue("a", scalars, varintField(tensorDtype, dtFloat), shape(1), fixed32Field(tensorFloat, uint32(f32(4)))),
			[]point{{7, "a", 4}}},
		{"data class scalar, no plugin name", tensorValue("a", metadata("", dataClassScalar), varintField(tensorDtype, dtFloat), fixed32Field(tensorFloat, uint32(f32(5)))),
			[]point{{7, "a", 5}}},
		{"no metadata at all", tensorValue("a", nil, varintField(tensorDtype, dtFloat), fixed32Field(tensorFloat, uint32(f32(6)))),
			[]point{{7, "a", 6}}},
		// Not scalars:
		{"shape [2]", tensorValue("a", scalars, varintField(tensorDtype, dtFloat), shape(2), fixed32Field(tensorFloat, uint32(f32(4)))), nil},
		{"shape [0]", tensorValue("a", scalars, varintField(tensorDtype, dtFloat), shape(0)), nil},
		{"unknown rank", tensorValue("a", scalars, varintField(tensorDtype, dtFloat), bytesField(tensorShape, varintField(shapeUnknownRank, 1)), fixed32Field(tensorFloat, uint32(f32(4)))), nil},
		{"histograms plugin", tensorValue("h", metadata("histograms", 0), varintField(tensorDtype, dtDouble), fixed64Field(tensorDouble, 1)), nil},
		{"text", tensorValue("note", metadata("text", 0), varintField(tensorDtype, 7), bytesField(8, []byte("hi"))), nil},
		{"string dtype without metadata", tensorValue("s", nil, varintField(tensorDtype, 7), bytesField(8, []byte("hi"))), nil},
		{"content of the wrong size", tensorValue("a", scalars, varintField(tensorDtype, dtFloat), bytesField(tensorContent, []byte{1, 2, 3})), nil},
		{"no value", tensorValue("a", scalars, varintField(tensorDtype, dtFloat)), nil},
		{"hparams (no value at all)", msg(bytesField(valueTag, []byte("_hparams_/experiment")), metadata("hparams", 0)), nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var d Decoder
			got := decode(t, &d, eventOf(7, c.value))
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestMetadataOnFirstEventOnly: TF2 sends a series' metadata once, so a
// later event's tensor is judged by the tag's first metadata, in either
// direction.
func TestMetadataOnFirstEventOnly(t *testing.T) {
	var d Decoder
	f := func(v float32) []byte { return fixed32Field(tensorFloat, math.Float32bits(v)) }
	dt := varintField(tensorDtype, dtFloat)
	decode(t, &d, eventOf(1, tensorValue("loss", metadata("scalars", 0), dt, f(1))))
	decode(t, &d, eventOf(1, tensorValue("w", metadata("histograms", 0), dt, f(1))))
	got := decode(t, &d, eventOf(2, tensorValue("loss", nil, dt, f(0.5)), tensorValue("w", nil, dt, f(9))))
	if diff := cmp.Diff([]point{{2, "loss", 0.5}}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Another file, another Decoder: nothing is remembered.
	var fresh Decoder
	if got := decode(t, &fresh, eventOf(3, tensorValue("w", nil, dt, f(9)))); len(got) != 1 {
		t.Errorf("fresh decoder: %v", got)
	}
}

func TestSeveralValuesAndNonFinite(t *testing.T) {
	var d Decoder
	ev := eventOf(4,
		msg(bytesField(valueTag, []byte("a")), fixed32Field(valueSimple, math.Float32bits(float32(math.NaN())))),
		msg(bytesField(valueTag, []byte("b")), fixed32Field(valueSimple, math.Float32bits(float32(math.Inf(-1))))),
	)
	got := decode(t, &d, ev)
	want := []point{{4, "a", math.NaN()}, {4, "b", math.Inf(-1)}}
	if diff := cmp.Diff(want, got, cmpopts.EquateNaNs()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestMalformedEventGivesNoValues: an event that breaks off mid-way yields
// an error and none of the values before the break.
func TestMalformedEventGivesNoValues(t *testing.T) {
	good := msg(bytesField(valueTag, []byte("a")), fixed32Field(valueSimple, math.Float32bits(1)))
	ev := eventOf(1, good, good)
	var d Decoder
	for cut := 1; cut < len(ev); cut++ {
		n := 0
		err := d.Decode(ev[:cut], func(int64, []byte, float64) { n++ })
		if err == nil && n == 2 {
			t.Fatalf("cut at %d: both values", cut)
		}
		if err != nil && n > 0 {
			t.Fatalf("cut at %d: %d values and %v", cut, n, err)
		}
	}
	if err := d.Decode([]byte{0xff}, func(int64, []byte, float64) {}); err == nil {
		t.Error("a lone 0xff decoded")
	}
}

func TestFileVersionEventHasNoScalars(t *testing.T) {
	var d Decoder
	if got := decode(t, &d, FileVersionEvent(12.5)); len(got) != 0 {
		t.Errorf("got %v", got)
	}
}

func TestWritersRoundTrip(t *testing.T) {
	var file []byte
	file = AppendRecord(file, FileVersionEvent(1))
	file = AppendRecord(file, ScalarEvent(1, 1, "val/acc", 0.5))
	file = AppendRecord(file, TensorScalarEvent(1, 2, "tf2/loss", 3, true))
	file = AppendRecord(file, TensorScalarEvent(1, 3, "tf2/loss", 2, false))
	got, err := readAll(t, file)
	want := []point{{1, "val/acc", 0.5}, {2, "tf2/loss", 3}, {3, "tf2/loss", 2}}
	if err != nil || !cmp.Equal(want, got) {
		t.Errorf("got %v, %v", got, err)
	}
}
