package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"

	"golang.org/x/image/webp"
	"golang.org/x/sync/semaphore"

	"newsdesk/internal/news"
)

// Limits on the pictures accepted.
const (
	MaxBytes  = 20 << 20   // a larger file is refused before it is read
	MaxPixels = 50_000_000 // checked from the header, before decoding
)

// jpegQuality is a good trade of size for sharpness for photos on screens.
const jpegQuality = 82

// Pixels being decoded at once, across all callers: a decoded picture takes
// 1.5 to 8 bytes a pixel, so this bounds the memory that simultaneous
// uploads and imports can take, while small pictures still run side by
// side. One picture at the limit runs alone.
var inFlight = semaphore.NewWeighted(MaxPixels)

// Result is a processed picture: what the site knows of it and its files.
type Result struct {
	Image  news.Image
	Files  []news.ImageFile // one per width of Image.Widths(), smallest first
	Format Format           // of the file it was made from
}

// ID is the identity of a picture file: the hash of its bytes. The same
// file sent twice is the same image.
func ID(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

// Process checks a picture file and makes its sizes. A refused picture
// comes back as an *Error whose Reason says why in a sentence.
func Process(ctx context.Context, data []byte) (*Result, error) {
	if len(data) > MaxBytes {
		return nil, refuse("The picture is %.1f MB; the limit is %d MB.", float64(len(data))/(1<<20), MaxBytes>>20)
	}
	format, err := Detect(data)
	if err != nil {
		return nil, err
	}
	if hasMarkup(data) {
		return nil, refuse("The file holds HTML or script as well as picture data, so it is not accepted.")
	}
	cfg, err := decodeConfig(format, data)
	if err != nil {
		return nil, refuse("The %s file is damaged or incomplete: its header cannot be read.", format)
	}
	pixels := int64(cfg.Width) * int64(cfg.Height)
	switch {
	case cfg.Width <= 0 || cfg.Height <= 0:
		return nil, refuse("The picture has no pixels.")
	case pixels > MaxPixels:
		return nil, refuse("The picture is %d×%d pixels (%.0f megapixels); the limit is %d megapixels.",
			cfg.Width, cfg.Height, float64(pixels)/1e6, MaxPixels/1_000_000)
	}
	if err := inFlight.Acquire(ctx, pixels); err != nil {
		return nil, err
	}
	defer inFlight.Release(pixels)
	m, err := decode(format, data)
	if err != nil {
		return nil, refuse("The %s file is damaged or incomplete and cannot be read.", format)
	}
	o := 1
	if format == JPEG {
		o = orientation(data)
	}
	return sizes(m, o, ID(data), format)
}

// ProcessImage makes the sizes of a picture the site drew itself (the
// demo's illustrations), as Process does for a file, without encoding it
// to a file and decoding it again. id names it, as ID does a file.
func ProcessImage(ctx context.Context, m image.Image, id string) (*Result, error) {
	pixels := int64(m.Bounds().Dx()) * int64(m.Bounds().Dy())
	if pixels == 0 || pixels > MaxPixels {
		return nil, refuse("The picture is %v; it must have between 1 and %d pixels.", m.Bounds().Size(), MaxPixels)
	}
	if err := inFlight.Acquire(ctx, pixels); err != nil {
		return nil, err
	}
	defer inFlight.Release(pixels)
	return sizes(m, 1, id, PNG)
}

func decodeConfig(f Format, data []byte) (image.Config, error) {
	r := bytes.NewReader(data)
	switch f {
	case JPEG:
		return jpeg.DecodeConfig(r)
	case PNG:
		return png.DecodeConfig(r)
	case GIF:
		return gif.DecodeConfig(r)
	default:
		return webp.DecodeConfig(r)
	}
}

// decode reads the picture; of a GIF only the first frame is decoded, the
// rest is never looked at.
func decode(f Format, data []byte) (image.Image, error) {
	r := bytes.NewReader(data)
	var m image.Image
	var err error
	switch f {
	case JPEG:
		m, err = jpeg.Decode(r)
	case PNG:
		m, err = png.Decode(r)
	case GIF:
		m, err = gif.Decode(r)
	default:
		m, err = webp.Decode(r)
	}
	if err == nil && m.Bounds().Empty() {
		err = io.ErrUnexpectedEOF
	}
	return m, err
}

// sizes makes the JPEG files of an upright m, largest first from the
// decoded picture, each smaller one from the one above it.
func sizes(m image.Image, o int, id string, format Format) (*Result, error) {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	if turned(o) {
		w, h = h, w
	}
	widths := news.WidthsFor(w)
	top := widths[len(widths)-1]
	im := news.Image{ID: id, Width: top, Height: max(1, (h*top+w/2)/w)}
	// Scale in the stored orientation, then turn the (smaller) result.
	sw, sh := im.Width, im.Height
	if turned(o) {
		sw, sh = sh, sw
	}
	var cur *image.RGBA
	if sw == b.Dx() && sh == b.Dy() {
		cur = flatten(m)
	} else {
		cur = shrink(m, sw, sh)
	}
	cur = orient(cur, o)
	res := &Result{Image: im, Format: format, Files: make([]news.ImageFile, len(widths))}
	for i := len(widths) - 1; i >= 0; i-- {
		if wi := widths[i]; wi != cur.Rect.Dx() {
			cur = shrink(cur, wi, im.HeightAt(wi))
		}
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, cur, &jpeg.Options{Quality: jpegQuality}); err != nil {
			return nil, err
		}
		res.Files[i] = news.ImageFile{Width: cur.Rect.Dx(), Height: cur.Rect.Dy(), Type: "image/jpeg", Data: buf.Bytes()}
	}
	return res, nil
}
