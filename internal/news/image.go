package news

import (
	"strconv"
)

// ImageWidths are the widths, in pixels, that pictures are made in. A
// picture narrower than one of them is never enlarged to it: its own width
// is its largest.
var ImageWidths = []int{320, 640, 960, 1280, 1920}

// Image is a picture the site has checked, cleaned and resized: the lead
// image of one or more stories. It is known by the hash of the file it was
// made from, so the same picture is stored once.
type Image struct {
	ID     string // hex content hash; blank means no image
	Width  int    // of the largest size stored, upright (EXIF orientation applied)
	Height int
}

// ImageFile is one stored size of an image.
type ImageFile struct {
	Width  int
	Height int
	Type   string // MIME type, image/jpeg
	Data   []byte
}

// Widths returns the widths the image is stored in, smallest first.
func (im Image) Widths() []int { return WidthsFor(im.Width) }

// WidthsFor returns the widths made of a picture w pixels wide (after
// capping at the largest of ImageWidths): every standard width below w,
// then w itself.
func WidthsFor(w int) []int {
	if w <= 0 {
		return nil
	}
	w = min(w, ImageWidths[len(ImageWidths)-1])
	var out []int
	for _, s := range ImageWidths {
		if s < w {
			out = append(out, s)
		}
	}
	return append(out, w)
}

// HeightAt is the image's height when shown w pixels wide.
func (im Image) HeightAt(w int) int {
	if im.Width == 0 {
		return 0
	}
	return max(1, (im.Height*w+im.Width/2)/im.Width)
}

// URL is the path of the image at width w (one of Widths): content-hashed,
// so it can be cached for good.
func (im Image) URL(w int) string {
	return "/media/" + im.ID + "-" + strconv.Itoa(w) + ".jpg"
}

// Fit returns the smallest stored width at least w wide, or the largest.
func (im Image) Fit(w int) int {
	ws := im.Widths()
	for _, s := range ws {
		if s >= w {
			return s
		}
	}
	return ws[len(ws)-1]
}
