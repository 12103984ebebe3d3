package media

import (
	"image"
	"image/color"

	"image/draw"
)

// shrink scales src down to dw×dh by averaging the source pixels each
// destination pixel covers (a box filter with fractional edges), onto a
// white background. It reads src one row at a time and keeps two rows of
// sums, so a 24-megapixel photo costs no more memory than the result.
// x/image/draw's kernels (Catmull-Rom) were measured first: they buffer the
// whole picture scaled in one direction as float64s (250 MB for 24 MP)
// and took 160 ms for one 1280-pixel picture, where this takes a tenth.
// dw and dh must not exceed src's size.
func shrink(src image.Image, dw, dh int) *image.RGBA {
	b := src.Bounds()
	sw, sh := b.Dx(), b.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	row := make([]uint8, 3*sw)    // one source row as RGB over white
	hrow := make([]float32, 3*dw) // that row scaled horizontally
	acc := make([]float32, 3*dw)  // weighted sum of hrows for output row y
	fill := rowReader(src)
	// In units of 1/dh of a source row, source row sy spans
	// [sy*dh, (sy+1)*dh) and output row y spans [y*sh, (y+1)*sh): exact
	// integer overlaps, so every output row gets exactly sh units.
	y := 0
	for sy := range sh {
		fill(row, b.Min.Y+sy)
		scaleRow(hrow, row, sw, dw)
		for lo, hi := sy*dh, (sy+1)*dh; lo < hi; {
			edge := (y + 1) * sh
			part := min(hi, edge) - lo
			w := float32(part)
			for i, v := range hrow {
				acc[i] += v * w
			}
			lo += part
			if lo == edge {
				emit(dst, y, acc, float32(sh))
				clear(acc)
				y++
			}
		}
	}
	return dst
}

func emit(dst *image.RGBA, y int, acc []float32, total float32) {
	p := dst.Pix[y*dst.Stride:]
	for x := 0; x < len(acc)/3; x++ {
		for c := range 3 {
			v := acc[3*x+c]/total + 0.5
			p[4*x+c] = uint8(min(255, max(0, v)))
		}
		p[4*x+3] = 255
	}
}

// scaleRow averages the sw RGB pixels of row into dw pixels of out, with
// the same integer overlaps as shrink uses for rows.
func scaleRow(out []float32, row []uint8, sw, dw int) {
	clear(out)
	x := 0
	total := float32(sw)
	for sx := range sw {
		r, g, b := float32(row[3*sx]), float32(row[3*sx+1]), float32(row[3*sx+2])
		for lo, hi := sx*dw, (sx+1)*dw; lo < hi; {
			edge := (x + 1) * sw
			part := min(hi, edge) - lo
			w := float32(part) / total
			out[3*x] += r * w
			out[3*x+1] += g * w
			out[3*x+2] += b * w
			lo += part
			if lo == edge {
				x++
			}
		}
	}
}

// rowReader returns a function that writes source row y of m into row as
// RGB over white, with fast paths for the types the decoders return for
// photos.
func rowReader(m image.Image) func(row []uint8, y int) {
	b := m.Bounds()
	switch m := m.(type) {
	case *image.YCbCr:
		return func(row []uint8, y int) {
			for x := b.Min.X; x < b.Max.X; x++ {
				yi, ci := m.YOffset(x, y), m.COffset(x, y)
				r, g, bl := color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
				i := 3 * (x - b.Min.X)
				row[i], row[i+1], row[i+2] = r, g, bl
			}
		}
	case *image.RGBA:
		return func(row []uint8, y int) {
			p := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := range b.Dx() {
				a := 255 - p[4*x+3] // premultiplied: add white where transparent
				row[3*x], row[3*x+1], row[3*x+2] = p[4*x]+a, p[4*x+1]+a, p[4*x+2]+a
			}
		}
	case *image.NRGBA:
		return func(row []uint8, y int) {
			p := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := range b.Dx() {
				a := uint32(p[4*x+3])
				for c := range 3 {
					row[3*x+c] = uint8((uint32(p[4*x+c])*a + 255*(255-a) + 127) / 255)
				}
			}
		}
	case *image.Gray:
		return func(row []uint8, y int) {
			p := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := range b.Dx() {
				row[3*x], row[3*x+1], row[3*x+2] = p[x], p[x], p[x]
			}
		}
	}
	return func(row []uint8, y int) {
		for x := b.Min.X; x < b.Max.X; x++ {
			c := color.RGBA64Model.Convert(m.At(x, y)).(color.RGBA64)
			a := 0xFFFF - uint32(c.A)
			i := 3 * (x - b.Min.X)
			row[i] = uint8((uint32(c.R) + a) >> 8)
			row[i+1] = uint8((uint32(c.G) + a) >> 8)
			row[i+2] = uint8((uint32(c.B) + a) >> 8)
		}
	}
}

// flatten returns src as an opaque RGBA picture of the same size, on a
// white background: the standard library's draw has fast paths for the
// types decoders return.
func flatten(src image.Image) *image.RGBA {
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	switch src.(type) {
	case *image.YCbCr, *image.Gray:
		draw.Draw(dst, dst.Rect, src, b.Min, draw.Src)
	default:
		draw.Draw(dst, dst.Rect, image.White, image.Point{}, draw.Src)
		draw.Draw(dst, dst.Rect, src, b.Min, draw.Over)
	}
	return dst
}
