// Package static embeds the site's CSS, JavaScript and images and serves
// them under content-hashed names, so browsers may cache them for a year.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed css img
var files embed.FS

// Asset is one embedded file, with its gzip form made once at start.
type Asset struct {
	Name string // logical name, e.g. css/site.css
	URL  string // hashed URL, e.g. /static/css/site.3f2a1b9c0d.css
	Type string
	Body []byte
	Gzip []byte // nil when compression does not pay
	ETag string
}

// Assets maps logical names and hashed URLs to embedded files.
type Assets struct {
	byName map[string]*Asset
	byURL  map[string]*Asset
}

// Load reads and fingerprints every embedded file.
func Load() (*Assets, error) {
	a := &Assets{byName: map[string]*Asset{}, byURL: map[string]*Asset{}}
	err := fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hash := hex.EncodeToString(sum[:5])
		ext := path.Ext(name)
		as := &Asset{
			Name: name,
			URL:  "/static/" + strings.TrimSuffix(name, ext) + "." + hash + ext,
			Type: mime.TypeByExtension(ext),
			Body: body,
			ETag: `"` + hash + `"`,
		}
		if as.Type == "" {
			as.Type = http.DetectContentType(body)
		}
		if compressible(as.Type) {
			var buf bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
			zw.Write(body)
			zw.Close()
			if buf.Len() < len(body) {
				as.Gzip = buf.Bytes()
			}
		}
		a.byName[name] = as
		a.byURL[as.URL] = as
		return nil
	})
	return a, err
}

func compressible(typ string) bool {
	return strings.HasPrefix(typ, "text/") || strings.Contains(typ, "javascript") ||
		strings.Contains(typ, "svg") || strings.Contains(typ, "json") || strings.Contains(typ, "xml")
}

// URL returns the hashed URL of the named asset, or "" when there is none.
func (a *Assets) URL(name string) string {
	if as, ok := a.byName[name]; ok {
		return as.URL
	}
	return ""
}

// Named returns the asset with the given logical name.
func (a *Assets) Named(name string) (*Asset, bool) {
	as, ok := a.byName[name]
	return as, ok
}

// ByURL returns the asset served at the hashed URL path p. Only exact
// matches are served: no path is ever resolved against a file system.
func (a *Assets) ByURL(p string) (*Asset, bool) {
	as, ok := a.byURL[p]
	return as, ok
}
