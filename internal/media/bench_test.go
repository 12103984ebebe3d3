package media

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

// photo24MP is a 6000×4000 JPEG (24 megapixels, 4:2:0 like a camera's),
// made once: smooth gradients with fine texture, so it compresses like a
// photo rather than a flat test card.
var photo24MP = sync.OnceValue(func() []byte {
	const w, h = 6000, 4000
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for y := range h {
		for x := range w {
			m.Y[y*m.YStride+x] = uint8((x/24 + y/16 + (x*y)%7) & 0xFF)
		}
	}
	for y := range h / 2 {
		for x := range w / 2 {
			m.Cb[y*m.CStride+x] = uint8(96 + (x/40)%64)
			m.Cr[y*m.CStride+x] = uint8(140 - (y/30)%48)
		}
	}
	var buf bytes.Buffer
	jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90})
	return buf.Bytes()
})

// heapPeak samples the live heap every millisecond until stop is closed
// and returns the highest reading.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64())
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// BenchmarkProcess24MP processes one 24-megapixel JPEG upload: check,
// decode, five widths, JPEG encoding. peak-MB is the most live heap seen
// while it ran, above what was live before (the input file itself).
func BenchmarkProcess24MP(b *testing.B) {
	data := photo24MP()
	b.SetBytes(int64(len(data)))
	var peak uint64
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		metrics.Read(s)
		base := s[0].Value.Uint64()
		stop := make(chan struct{})
		got := heapPeak(stop)
		b.StartTimer()
		res, err := Process(context.Background(), data)
		b.StopTimer()
		close(stop)
		if err != nil {
			b.Fatal(err)
		}
		if res.Image.Width != 1920 {
			b.Fatalf("width %d", res.Image.Width)
		}
		peak = max(peak, <-got-base)
		b.StartTimer()
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
}
