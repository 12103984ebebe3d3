package templates

import (
	"strconv"
	"strings"

	"newsdesk/internal/news"
)

// srcset lists every stored width of im for the browser to choose from.
func srcset(im news.Image) string {
	var b strings.Builder
	for i, w := range im.Widths() {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(im.URL(w))
		b.WriteString(" ")
		b.WriteString(strconv.Itoa(w))
		b.WriteString("w")
	}
	return b.String()
}

// shareImage is the absolute URL of the picture social cards and search
// engines get: at least 1200 pixels wide when the picture is.
func shareImage(env Env, im news.Image) string {
	return env.BaseURL + im.URL(im.Fit(1200))
}

// Thumbnail sizes on cards, in CSS pixels: 3:2, cropped to fit.
const (
	thumbWidth  = 120
	thumbHeight = 80
)
