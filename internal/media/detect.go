// Package media checks, cleans and resizes pictures: it reads JPEG, PNG,
// WebP and GIF files (told apart by their bytes, never by name or declared
// type), refuses anything else, turns them upright from their EXIF
// orientation and writes JPEGs of several widths, which carry none of the
// original's metadata.
package media

import (
	"bytes"
	"errors"
	"fmt"
)

// Format is a picture file format the site reads.
type Format string

// The formats read.
const (
	JPEG Format = "JPEG"
	PNG  Format = "PNG"
	WebP Format = "WebP"
	GIF  Format = "GIF"
)

// Error is a picture refused, with a sentence saying why that can be shown
// to whoever sent it.
type Error struct{ Reason string }

func (e *Error) Error() string { return e.Reason }

func refuse(format string, args ...any) error { return &Error{Reason: fmt.Sprintf(format, args...)} }

// Reason returns the sentence explaining why a picture was refused, or
// a generic one for other errors.
func Reason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return "The picture could not be processed."
}

// Detect tells the format of a picture from its first bytes. Anything but
// JPEG, PNG, WebP and GIF is refused; SVG (which can carry script) and
// HTML with a sentence saying so.
func Detect(b []byte) (Format, error) {
	switch {
	case bytes.HasPrefix(b, []byte{0xFF, 0xD8, 0xFF}):
		return JPEG, nil
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return PNG, nil
	case bytes.HasPrefix(b, []byte("GIF87a")), bytes.HasPrefix(b, []byte("GIF89a")):
		return GIF, nil
	case len(b) >= 12 && bytes.Equal(b[:4], []byte("RIFF")) && bytes.Equal(b[8:12], []byte("WEBP")):
		return WebP, nil
	}
	head := bytes.ToLower(bytes.TrimLeft(b[:min(len(b), 1024)], "\xef\xbb\xbf \t\r\n"))
	switch {
	case bytes.Contains(head, []byte("<svg")):
		return "", refuse("SVG images are not accepted: they can carry scripts. Upload a JPEG, PNG, WebP or GIF.")
	case bytes.HasPrefix(head, []byte("<")):
		return "", refuse("This is a web page or XML document, not a picture. Upload a JPEG, PNG, WebP or GIF.")
	case len(b) == 0:
		return "", refuse("The file is empty.")
	}
	return "", refuse("This is not a JPEG, PNG, WebP or GIF picture.")
}

// markup is what would make a browser that sniffs a file treat it as a
// page. Each is long enough (six bytes or more) that compressed picture
// data does not contain it by chance.
var markup = [][]byte{
	[]byte("<script"), []byte("<html"), []byte("<body"), []byte("<iframe"), []byte("<svg"),
	[]byte("<!doctype"), []byte("<object"), []byte("<embed"), []byte("<meta"),
}

// hasMarkup reports whether b holds HTML or script anywhere: a polyglot
// that is both a picture and a page. The site only ever serves its own
// re-encoded copies, so such a file could do no harm there; it is refused
// because nobody sends one by accident.
func hasMarkup(b []byte) bool {
	for i := 0; ; {
		j := bytes.IndexByte(b[i:], '<')
		if j < 0 {
			return false
		}
		i += j
		rest := b[i:min(len(b), i+16)]
		for _, m := range markup {
			if len(rest) >= len(m) && bytes.EqualFold(rest[:len(m)], m) {
				return true
			}
		}
		i++
	}
}
