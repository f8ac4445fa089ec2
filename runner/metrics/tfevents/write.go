package tfevents

import (
	"encoding/binary"
	"math"

	"google.golang.org/protobuf/encoding/protowire"
)

// The writers below make event files the way PyTorch's SummaryWriter
// does, for tests and for tools that need one (the reading benchmark, the
// fuzz corpus). assay itself never writes event files.

// AppendRecord appends data framed as one TFRecord.
func AppendRecord(dst, data []byte) []byte {
	var hdr [headerLen]byte
	binary.LittleEndian.PutUint64(hdr[:8], uint64(len(data)))
	binary.LittleEndian.PutUint32(hdr[8:], maskedCRC(hdr[:8]))
	dst = append(dst, hdr[:]...)
	dst = append(dst, data...)
	return binary.LittleEndian.AppendUint32(dst, maskedCRC(data))
}

// FileVersionEvent is the first event of every event file.
func FileVersionEvent(wallTime float64) []byte {
	b := protowire.AppendTag(nil, 1, protowire.Fixed64Type)
	b = protowire.AppendFixed64(b, math.Float64bits(wallTime))
	b = protowire.AppendTag(b, 3, protowire.BytesType)
	return protowire.AppendString(b, "brain.Event:2")
}

// ScalarEvent is an Event holding one simple_value, as PyTorch's
// add_scalar writes it.
func ScalarEvent(wallTime float64, step int64, tag string, v float32) []byte {
	var val []byte
	val = protowire.AppendTag(val, valueTag, protowire.BytesType)
	val = protowire.AppendString(val, tag)
	val = protowire.AppendTag(val, valueSimple, protowire.Fixed32Type)
	val = protowire.AppendFixed32(val, math.Float32bits(v))
	return event(wallTime, step, val)
}

// TensorScalarEvent is an Event holding a scalar as TF2 writes it: a
// float32 tensor in tensor_content, with the scalars plugin named in its
// metadata when withMetadata is set (TF2 sets it on a series' first event
// only).
func TensorScalarEvent(wallTime float64, step int64, tag string, v float32, withMetadata bool) []byte {
	var tensor []byte
	tensor = protowire.AppendTag(tensor, tensorDtype, protowire.VarintType)
	tensor = protowire.AppendVarint(tensor, dtFloat)
	tensor = protowire.AppendTag(tensor, tensorShape, protowire.BytesType)
	tensor = protowire.AppendBytes(tensor, nil)
	tensor = protowire.AppendTag(tensor, tensorContent, protowire.BytesType)
	tensor = protowire.AppendBytes(tensor, binary.LittleEndian.AppendUint32(nil, math.Float32bits(v)))
	var val []byte
	val = protowire.AppendTag(val, valueTag, protowire.BytesType)
	val = protowire.AppendString(val, tag)
	if withMetadata {
		var pd []byte
		pd = protowire.AppendTag(pd, pluginDataName, protowire.BytesType)
		pd = protowire.AppendString(pd, "scalars")
		var md []byte
		md = protowire.AppendTag(md, metadataPluginData, protowire.BytesType)
		md = protowire.AppendBytes(md, pd)
		val = protowire.AppendTag(val, valueMetadata, protowire.BytesType)
		val = protowire.AppendBytes(val, md)
	}
	val = protowire.AppendTag(val, valueTensor, protowire.BytesType)
	val = protowire.AppendBytes(val, tensor)
	return event(wallTime, step, val)
}

func event(wallTime float64, step int64, value []byte) []byte {
	var summary []byte
	summary = protowire.AppendTag(summary, summaryValue, protowire.BytesType)
	summary = protowire.AppendBytes(summary, value)
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.Fixed64Type)
	b = protowire.AppendFixed64(b, math.Float64bits(wallTime))
	b = protowire.AppendTag(b, eventStep, protowire.VarintType)
	b = protowire.AppendVarint(b, uint64(step))
	b = protowire.AppendTag(b, eventSummary, protowire.BytesType)
	return protowire.AppendBytes(b, summary)
}
