// Package tfevents reads the scalar values of TensorBoard event files, the
// events.out.tfevents.* files that TensorFlow, PyTorch's SummaryWriter,
// tensorboardX, Lightning's TensorBoardLogger and the Hugging Face
// Trainer write.
//
// An event file is a sequence of TFRecords:
//
//	uint64 length (little-endian)
//	uint32 masked CRC-32C of the length bytes
//	byte   data[length]     (one serialised tensorflow.Event)
//	uint32 masked CRC-32C of the data
//
// where masked(crc) = ((crc >> 15) | (crc << 17)) + 0xa282ead8. Reader
// checks both sums. A file that ends inside a record (a writer still
// writing, or killed mid-write) gives ErrTruncated and leaves the offset at
// the start of that record, so a tail can try again later; a record whose
// length fails its check gives a *CorruptError with Framing set, after
// which nothing further in the file can be trusted; a record whose data
// fails its check is skipped with a *CorruptError, and reading can go on.
//
// A Reader reads ahead on a goroutine of its own, a chunk (1 MiB; the
// first 64 KiB) at a time, and checks both CRCs there, while the caller
// decodes: a large file takes two cores. That goroutine stops at the
// first error and at Close, so once Next has returned an error nothing
// reads the input any more. Records are checked where they lie in the
// chunk and handed out without copying; a record larger than a chunk gets
// a buffer of its own, up to MaxRecord. The masked CRC of a length that
// already passed its check with the same bytes is not computed again (a
// file's events repeat a few sizes).
//
// Scanner is what metrics_from reads with: the scalars of a file from an
// offset to a size, in file order, with the offsets and errors a Reader
// and a Decoder give record by record (its tests and fuzz target hold it
// to that). A read of 4 MiB or more goes on every core: the file is cut
// into 256 KiB segments, each read with ReadAt into a buffer of its
// worker's, which finds the first record header in it (a length that
// fits in the file and passes its CRC), then checks, frames and decodes
// the records that start in the segment. There is a worker goroutine per
// core but one; the caller's goroutine is the last worker: while the
// segment it needs next is not ready, it claims the next segment not yet
// claimed and reads it itself, so no more goroutines than cores are
// busy (more would take turns on the cores, each turn a switch of
// threads). The caller takes the segments in order and keeps one only
// when its first record starts exactly where the segment before it
// ended; otherwise (a segment inside a large record, a header-like run
// of bytes inside a record's data) it reads that segment again from the
// right offset itself. Workers are at
// most a few segments ahead, so memory stays bounded. A segment's data
// CRCs are checked a run of records at a time: its stored CRCs are
// rewritten in the buffer to the raw CRC-32C remainders they stand for,
// so that a run of good records has a remainder of 0 and one CRC over
// the run checks them all (crc32 then takes three lanes at once, where a
// record of a hundred bytes leaves the CRC instruction mostly waiting);
// a run that fails is read again record by record to name the damaged
// one. A scalar event whose bytes after the step equal those of the
// tag's last one is read by that comparison alone; names come as
// indexes into a per-worker tag table, so the caller looks each tag up
// once per read, not once per value.
//
// Decoder takes the few messages a scalar needs by hand (with protowire),
// rather than TensorFlow's generated code. The Event PyTorch's add_scalar
// writes (wall_time, step, a Summary of one Value with a tag and a
// simple_value, in that order), most of a large file, is read on a fast
// path that checks that exact shape byte by byte; anything else goes
// through the general reading of Event.step and Event.summary,
// Summary.value, and of each value its tag, simple_value, tensor and
// metadata. A value is a scalar when it has a simple_value (TF1,
// PyTorch's add_scalar, tensorboardX), or a tensor of exactly one element
// of a numeric type (TF2, TensorBoard's own writer, add_scalar with
// new_style) whose plugin is "scalars" or whose data class is scalar.
// TF2 writes a series' metadata with its first event only, so the plugin
// seen first for a tag holds for the tag's later events in the same file;
// a one-element tensor whose tag never had metadata counts as a scalar
// too. Histograms, images, text, audio and hparams are skipped. The
// tensor's value may come as tensor_content (raw little-endian bytes, as
// TF2 writes it) or in the typed field of its dtype (float_val,
// double_val, int_val, int64_val, bool_val, half_val, uint32_val,
// uint64_val), packed or not.
package tfevents
