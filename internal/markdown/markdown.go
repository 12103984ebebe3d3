// Package markdown turns story bodies written in Markdown into sanitized
// HTML and into plain text.
package markdown

import (
	"bytes"
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
)

// Raw HTML in a body passes through goldmark so that wire copy keeps its
// emphasis and links; bluemonday then removes everything that is not
// harmless, so nothing a feed or an editor wrote is ever trusted.
var (
	md = newMarkdown(extension.GFM)
	// noAutolinks is md without GFM's autolinks, for a source that has
	// none to find (see parse): looking for one at every space was about
	// half the time of parsing prose.
	noAutolinks = newMarkdown(extension.Table, extension.Strikethrough, extension.TaskList)
	policy      = func() *bluemonday.Policy {
		p := bluemonday.UGCPolicy()
		p.RequireNoFollowOnLinks(true)
		p.AddTargetBlankToFullyQualifiedLinks(false)
		p.RequireNoReferrerOnLinks(true)
		p.AllowURLSchemes("http", "https", "mailto")
		return p
	}()
)

// newMarkdown is goldmark with exts, the typographer's quotes and dashes,
// and raw HTML passed through to bluemonday.
func newMarkdown(exts ...goldmark.Extender) goldmark.Markdown {
	return goldmark.New(
		goldmark.WithExtensions(append(exts, extension.Typographer)...),
		goldmark.WithRendererOptions(gmhtml.WithUnsafe()),
	)
}

// HTML renders src to sanitized HTML.
func HTML(src string) string {
	sanitized, _ := Render(src)
	return sanitized
}

// Text returns the readable text of src: inline markup and raw HTML
// dropped, one blank line between blocks.
func Text(src string) string {
	source := []byte(Limit(src))
	return plainText(parse(source), source)
}

// parse parses source as md does. GFM's autolinks start with "http://",
// "https://", "ftp://" or "www.", or are an address with an "@"; a source
// with none of those is parsed without looking for them. The tree is the
// same but for the spaces before a hard line break, which the search for
// autolinks happens to keep in the text and this parse drops, as
// CommonMark does; a browser shows neither.
func parse(source []byte) ast.Node {
	p := noAutolinks.Parser()
	if bytes.Contains(source, []byte("://")) || bytes.Contains(source, []byte("www.")) || bytes.IndexByte(source, '@') >= 0 {
		p = md.Parser()
	}
	return p.Parse(text.NewReader(source))
}

// Render parses src once and returns both its sanitized HTML and its text.
// Nesting and delimiters beyond the limits of Limit are flattened first, so
// the work is linear in the length of src.
func Render(src string) (sanitized, plain string) {
	source := []byte(Limit(src))
	doc := parse(source)
	var buf bytes.Buffer
	buf.Grow(len(source) + len(source)/8) // prose gains a few tags
	if err := md.Renderer().Render(bufWriter{&buf}, source, doc); err != nil {
		// goldmark only fails when the writer does; a bytes.Buffer never does.
		panic(err)
	}
	return sanitize(buf.Bytes()), plainText(doc, source)
}

// bufWriter lets goldmark write to a bytes.Buffer as it is: given any
// other writer, it wraps it in a new bufio.Writer each time.
type bufWriter struct{ *bytes.Buffer }

func (bufWriter) Buffered() int { return 0 }
func (bufWriter) Flush() error  { return nil }

// sanitize is policy.SanitizeBytes, written into a string of about the
// input's size: SanitizeBytes grows its buffer from nothing, and the
// bytes it returns are then copied into a string.
func sanitize(html []byte) string {
	if len(bytes.TrimSpace(html)) == 0 {
		return string(html)
	}
	var out strings.Builder
	out.Grow(len(html))
	if err := policy.SanitizeReaderToWriter(bytes.NewReader(html), &out); err != nil {
		return "" // as SanitizeBytes: malformed beyond repair
	}
	return out.String()
}

func plainText(doc ast.Node, source []byte) string {
	var b strings.Builder
	b.Grow(len(source)) // the text is the source less its markup
	ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Text:
			if entering {
				b.Write(n.Segment.Value(source))
				if n.SoftLineBreak() || n.HardLineBreak() {
					b.WriteByte(' ')
				}
			}
		case *ast.String:
			// The typographer's curly quotes and dashes come as entities.
			if entering {
				b.WriteString(html.UnescapeString(string(n.Value)))
			}
		case *ast.CodeSpan, *ast.Emphasis, *ast.Link:
		case *ast.RawHTML, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			if entering {
				for i := 0; i < n.Lines().Len(); i++ {
					seg := n.Lines().At(i)
					b.Write(seg.Value(source))
				}
			}
			endBlock(&b, entering)
			return ast.WalkSkipChildren, nil
		default:
			if n.Type() == ast.TypeBlock {
				endBlock(&b, entering)
			}
		}
		return ast.WalkContinue, nil
	})
	return strings.TrimSpace(b.String())
}

func endBlock(b *strings.Builder, entering bool) {
	if !entering && b.Len() > 0 && !strings.HasSuffix(b.String(), "\n\n") {
		b.WriteString("\n\n")
	}
}
