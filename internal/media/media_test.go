package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"image/png"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// photo draws a w×h test picture: a red left half, a blue right half and
// a white top-left corner block, so orientation can be checked.
func photo(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{200, 30, 30, 255}
			if x >= w/2 {
				c = color.RGBA{30, 30, 200, 255}
			}
			if x < w/4 && y < h/4 {
				c = color.RGBA{255, 255, 255, 255}
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

func jpegOf(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pngOf(t testing.TB, m image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, m); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// withEXIF puts an APP1 segment carrying orientation o and a GPS tag
// right after the JPEG's SOI marker.
func withEXIF(b []byte, o uint16) []byte {
	var t bytes.Buffer
	t.WriteString("MM\x00\x2a")
	binary.Write(&t, binary.BigEndian, uint32(8))
	binary.Write(&t, binary.BigEndian, uint16(2)) // two entries
	// Orientation, SHORT, count 1.
	binary.Write(&t, binary.BigEndian, []uint16{0x0112, 3})
	binary.Write(&t, binary.BigEndian, uint32(1))
	binary.Write(&t, binary.BigEndian, []uint16{o, 0})
	// GPS IFD pointer (its contents do not matter here), LONG.
	binary.Write(&t, binary.BigEndian, []uint16{0x8825, 4})
	binary.Write(&t, binary.BigEndian, uint32(1))
	binary.Write(&t, binary.BigEndian, uint32(0))
	binary.Write(&t, binary.BigEndian, uint32(0)) // next IFD
	t.WriteString("GPSLatitude 50.0755N")
	seg := append([]byte("Exif\x00\x00"), t.Bytes()...)
	app1 := []byte{0xFF, 0xE1, byte((len(seg) + 2) >> 8), byte(len(seg) + 2)}
	out := append([]byte{0xFF, 0xD8}, app1...)
	out = append(out, seg...)
	return append(out, b[2:]...)
}

func process(t *testing.T, data []byte) (*Result, error) {
	t.Helper()
	return Process(context.Background(), data)
}

func TestProcessMakesWidthsNeverUpscaled(t *testing.T) {
	for _, tc := range []struct {
		w, h   int
		widths []int
	}{
		{2400, 1600, []int{320, 640, 960, 1280, 1920}},
		{1250, 800, []int{320, 640, 960, 1250}},
		{200, 100, []int{200}},
		{640, 480, []int{320, 640}},
	} {
		res, err := process(t, jpegOf(t, photo(tc.w, tc.h)))
		if err != nil {
			t.Fatalf("%dx%d: %v", tc.w, tc.h, err)
		}
		var got []int
		for _, f := range res.Files {
			got = append(got, f.Width)
			m, err := jpeg.Decode(bytes.NewReader(f.Data))
			if err != nil {
				t.Fatalf("%dx%d at %d: not a JPEG: %v", tc.w, tc.h, f.Width, err)
			}
			if m.Bounds().Dx() != f.Width || m.Bounds().Dy() != f.Height {
				t.Errorf("file says %dx%d, is %v", f.Width, f.Height, m.Bounds())
			}
			if want := res.Image.HeightAt(f.Width); f.Height != want {
				t.Errorf("%dx%d at %d: height %d, want %d", tc.w, tc.h, f.Width, f.Height, want)
			}
		}
		if !slices.Equal(got, tc.widths) {
			t.Errorf("%dx%d: widths %v, want %v", tc.w, tc.h, got, tc.widths)
		}
		if !slices.Equal(res.Image.Widths(), tc.widths) {
			t.Errorf("%dx%d: Image.Widths() = %v, want %v", tc.w, tc.h, res.Image.Widths(), tc.widths)
		}
	}
}

func TestProcessTurnsUprightAndStripsMetadata(t *testing.T) {
	// Stored sideways (300 wide, 200 high) with orientation 6: shown
	// turned a quarter clockwise, 200 wide and 300 high, the white corner
	// block top right.
	data := withEXIF(jpegOf(t, photo(300, 200)), 6)
	if o := orientation(data); o != 6 {
		t.Fatalf("orientation = %d, want 6", o)
	}
	res, err := process(t, data)
	if err != nil {
		t.Fatal(err)
	}
	if res.Image.Width != 200 || res.Image.Height != 300 {
		t.Fatalf("image is %dx%d, want 200x300", res.Image.Width, res.Image.Height)
	}
	f := res.Files[len(res.Files)-1]
	if bytes.Contains(f.Data, []byte("Exif")) || bytes.Contains(f.Data, []byte("GPS")) {
		t.Error("the output still carries EXIF data")
	}
	m, err := jpeg.Decode(bytes.NewReader(f.Data))
	if err != nil {
		t.Fatal(err)
	}
	white := func(x, y int) bool {
		r, g, b, _ := m.At(x, y).RGBA()
		return r>>8 > 230 && g>>8 > 230 && b>>8 > 230
	}
	if !white(190, 10) || white(10, 10) {
		t.Error("the white corner is not top right after turning")
	}
}

func TestOrient(t *testing.T) {
	// A 3×2 picture with distinct pixels; each orientation must map the
	// stored top-left pixel where EXIF says.
	m := image.NewRGBA(image.Rect(0, 0, 3, 2))
	for i := range m.Pix {
		m.Pix[i] = uint8(i)
	}
	at := func(m *image.RGBA, x, y int) uint8 { return m.Pix[m.PixOffset(x, y)] }
	first := at(m, 0, 0)
	for o, want := range map[int]image.Point{1: {0, 0}, 2: {2, 0}, 3: {2, 1}, 4: {0, 1}, 5: {0, 0}, 6: {1, 0}, 7: {1, 2}, 8: {0, 2}} {
		got := orient(m, o)
		if at(got, want.X, want.Y) != first {
			t.Errorf("orientation %d: stored top-left not at %v", o, want)
		}
	}
}

func TestProcessReadsEachFormat(t *testing.T) {
	pal := image.NewPaletted(image.Rect(0, 0, 50, 40), palette.Plan9)
	var g bytes.Buffer
	if err := gif.Encode(&g, pal, nil); err != nil {
		t.Fatal(err)
	}
	transparent := image.NewNRGBA(image.Rect(0, 0, 40, 40)) // fully transparent: white
	for name, data := range map[string][]byte{
		"png": pngOf(t, photo(64, 48)), "gif": g.Bytes(), "transparent png": pngOf(t, transparent),
		"webp": webpLossless, "gray png": pngOf(t, image.NewGray(image.Rect(0, 0, 30, 30))),
	} {
		res, err := process(t, data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(res.Files) == 0 {
			t.Errorf("%s: no files", name)
		}
	}
	res, err := process(t, pngOf(t, transparent))
	if err == nil {
		m, _ := jpeg.Decode(bytes.NewReader(res.Files[0].Data))
		if r, g, b, _ := m.At(5, 5).RGBA(); r>>8 < 250 || g>>8 < 250 || b>>8 < 250 {
			t.Errorf("transparent pixels became %d,%d,%d, want white", r>>8, g>>8, b>>8)
		}
	}
}

// webpLossless is a 1×1 lossless WebP.
var webpLossless = []byte{
	0x52, 0x49, 0x46, 0x46, 0x1a, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x4c,
	0x0d, 0x00, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00,
}

// pngHeader is a PNG signature and an IHDR chunk claiming w×h, with a
// correct CRC, and nothing after it.
func pngHeader(w, h uint32) []byte {
	ihdr := make([]byte, 0, 17)
	ihdr = append(ihdr, "IHDR"...)
	ihdr = binary.BigEndian.AppendUint32(ihdr, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 6, 0, 0, 0) // 8-bit RGBA
	out := []byte("\x89PNG\r\n\x1a\n")
	out = binary.BigEndian.AppendUint32(out, 13)
	out = append(out, ihdr...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(ihdr))
}

// manyFrames is a GIF of n tiny frames.
func manyFrames(t testing.TB, n int) []byte {
	t.Helper()
	g := &gif.GIF{}
	for i := range n {
		f := image.NewPaletted(image.Rect(0, 0, 4, 4), palette.Plan9[:16])
		f.Pix[0] = uint8(i % 16)
		g.Image = append(g.Image, f)
		g.Delay = append(g.Delay, 1)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestProcessRefusesBadInput(t *testing.T) {
	good := jpegOf(t, photo(400, 300))
	polyglot := append(append([]byte{}, good[:len(good)-2]...), []byte("<html><body><script>alert(document.cookie)</script></body></html>")...)
	polyglot = append(polyglot, 0xFF, 0xD9)
	for _, tc := range []struct {
		name string
		data []byte
		want string // in the reason
	}{
		{"truncated JPEG", good[:len(good)/2], "damaged or incomplete"},
		{"PNG claiming 30000x30000", pngHeader(30000, 30000), "30000×30000"},
		{"SVG with script", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "SVG"},
		{"polyglot HTML and JPEG", polyglot, "HTML or script"},
		{"HTML page", []byte("<!DOCTYPE html><html><body>hi</body></html>"), "web page"},
		{"25 MB file", append(append([]byte{}, good...), make([]byte, 25<<20)...), "limit is 20 MB"},
		{"empty", nil, "empty"},
		{"text", []byte("hello, world"), "not a JPEG, PNG, WebP or GIF"},
		{"header only", good[:20], "damaged or incomplete"},
	} {
		res, err := process(t, tc.data)
		if err == nil {
			t.Errorf("%s: accepted (%d files)", tc.name, len(res.Files))
			continue
		}
		if r := Reason(err); !strings.Contains(r, tc.want) {
			t.Errorf("%s: reason %q, want it to mention %q", tc.name, r, tc.want)
		}
	}
}

func TestGIFOfTenThousandFramesCostsOneFrame(t *testing.T) {
	data := manyFrames(t, 10_000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := process(t, data)
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if res.Image.Width != 4 {
		t.Errorf("width %d, want 4", res.Image.Width)
	}
	// Decoding every frame would allocate 10,000 paletted images and
	// their palettes; one frame allocates a few kilobytes.
	if n := after.Mallocs - before.Mallocs; n > 5000 {
		t.Errorf("processing made %d allocations; it should not decode every frame", n)
	}
}

func TestShrinkAverages(t *testing.T) {
	// A checkerboard averages to grey: each output pixel covers equal
	// parts of black and white.
	m := image.NewGray(image.Rect(0, 0, 300, 300))
	for y := range 300 {
		for x := range 300 {
			if (x+y)%2 == 0 {
				m.Pix[y*300+x] = 255
			}
		}
	}
	out := shrink(m, 30, 30)
	for _, p := range []image.Point{{0, 0}, {15, 15}, {29, 29}} {
		if r := out.RGBAAt(p.X, p.Y).R; r < 120 || r > 135 {
			t.Errorf("pixel %v = %d, want about 128", p, r)
		}
	}
	// Non-integer ratios cover every output row and column.
	out = shrink(photo(1001, 667), 320, 213)
	if c := out.RGBAAt(319, 212); c.B < 150 {
		t.Errorf("bottom-right pixel %v, want blue", c)
	}
}
