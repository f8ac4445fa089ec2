package tfevents

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// benchFile is an event file of n scalars as PyTorch writes them, with
// tags as long as real ones (bench/tfevents.sh reads 10 M of them).
func benchFile(n int) []byte {
	var file []byte
	file = AppendRecord(file, FileVersionEvent(1))
	for i := range n {
		tag := fmt.Sprintf("train/losses/cross_entropy_component_%02d_with_label_smoothing_on", i%10)
		file = AppendRecord(file, ScalarEvent(1.7e9+float64(i), int64(i/10), tag, float32(i%1000)/1000))
	}
	return file
}

// BenchmarkNext is the reading goroutine's share: framing and both CRCs
// of every record, from memory.
func BenchmarkNext(b *testing.B) {
	file := benchFile(100_000)
	b.SetBytes(int64(len(file)))
	for b.Loop() {
		r := NewReader(bytes.NewReader(file), 0)
		for {
			if _, err := r.Next(); err == io.EOF {
				break
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkDecode is the caller's share: the scalar of every record.
func BenchmarkDecode(b *testing.B) {
	file := benchFile(100_000)
	var recs [][]byte
	r := NewReader(bytes.NewReader(file), 0)
	for {
		rec, err := r.Next()
		if err != nil {
			break
		}
		recs = append(recs, append([]byte(nil), rec...))
	}
	b.SetBytes(int64(len(file)))
	var d Decoder
	n := 0
	for b.Loop() {
		for _, rec := range recs {
			d.Decode(rec, func(int64, []byte, float64) { n++ })
		}
	}
}

// BenchmarkScan is a Scanner on one goroutine (the caller's) and on
// workers: framing, both CRCs and the scalar of every record, from
// memory; ns/record is per record and goroutine-second.
func BenchmarkScan(b *testing.B) {
	file := benchFile(100_000)
	for _, workers := range []int{0, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(int64(len(file)))
			n := 0
			for b.Loop() {
				var d Decoder
				s := newScanner(bytes.NewReader(file), 0, int64(len(file)), &d, segmentSize, segmentSlack, workers)
				for {
					batch, err := s.Next()
					n += len(batch.Scalars)
					if err == io.EOF {
						break
					} else if err != nil {
						b.Fatal(err)
					}
				}
				s.Close()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/record")
		})
	}
}
