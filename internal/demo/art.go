package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"newsdesk/internal/media"
	"newsdesk/internal/news"
)

// The demo's pictures are drawn by code when the demo is loaded: abstract
// compositions in the colours of each section, laid out by a generator
// seeded from the section's name and a variant number. Nothing is
// downloaded. Each section has two, which its stories take in turn: one
// picture per story (69) cost 3 seconds of CPU at first start and a
// minute under the race detector; sixteen cost a quarter of that.
const (
	artVariants = 2

	artWidth  = 1200 // enough for social cards, which want 1200 pixels
	artHeight = 675
	artCredit = "Illustration: newsdesk"
)

// palette is a section's colours: two for the sky, four for the shapes.
type palette struct {
	name   string
	sky    [2]color.RGBA
	shapes [4]color.RGBA
}

var palettes = map[string]palette{
	"World":      {"blue and sand", [2]color.RGBA{{18, 52, 86, 255}, {70, 130, 170, 255}}, [4]color.RGBA{{232, 200, 140, 255}, {240, 228, 200, 255}, {200, 90, 60, 255}, {30, 90, 120, 255}}},
	"Technology": {"violet and cyan", [2]color.RGBA{{24, 16, 48, 255}, {70, 40, 120, 255}}, [4]color.RGBA{{60, 220, 230, 255}, {160, 120, 255, 255}, {250, 250, 250, 255}, {255, 80, 160, 255}}},
	"Culture":    {"ochre and plum", [2]color.RGBA{{120, 40, 70, 255}, {200, 110, 80, 255}}, [4]color.RGBA{{245, 190, 70, 255}, {250, 235, 210, 255}, {90, 30, 60, 255}, {230, 120, 60, 255}}},
	"Sport":      {"green and white", [2]color.RGBA{{20, 90, 50, 255}, {60, 150, 80, 255}}, [4]color.RGBA{{250, 250, 245, 255}, {250, 210, 60, 255}, {20, 60, 40, 255}, {200, 240, 200, 255}}},
	"Business":   {"navy and gold", [2]color.RGBA{{16, 28, 52, 255}, {40, 64, 104, 255}}, [4]color.RGBA{{210, 170, 80, 255}, {230, 230, 235, 255}, {120, 150, 190, 255}, {250, 200, 120, 255}}},
	"Politics":   {"red and slate", [2]color.RGBA{{60, 64, 72, 255}, {120, 126, 140, 255}}, [4]color.RGBA{{190, 40, 40, 255}, {240, 240, 240, 255}, {30, 40, 80, 255}, {230, 160, 150, 255}}},
	"Health":     {"teal and coral", [2]color.RGBA{{10, 90, 100, 255}, {90, 170, 170, 255}}, [4]color.RGBA{{250, 130, 110, 255}, {250, 245, 235, 255}, {20, 60, 70, 255}, {160, 220, 210, 255}}},
	"Science":    {"indigo and amber", [2]color.RGBA{{12, 14, 40, 255}, {40, 50, 110, 255}}, [4]color.RGBA{{255, 190, 60, 255}, {200, 210, 255, 255}, {255, 255, 255, 255}, {120, 90, 200, 255}}},
}

var grey = palette{"grey and blue", [2]color.RGBA{{60, 60, 66, 255}, {140, 140, 150, 255}}, [4]color.RGBA{{40, 100, 180, 255}, {240, 240, 240, 255}, {20, 20, 24, 255}, {180, 200, 220, 255}}}

// draw paints illustration number variant of section.
func draw(section string, variant int) (*image.RGBA, string) {
	h := fnv.New64a()
	h.Write([]byte(section))
	h.Write([]byte{byte(variant)})
	rng := rand.New(rand.NewPCG(h.Sum64(), 0x6e657773))
	p, ok := palettes[section]
	if !ok {
		p = grey
	}
	m := image.NewRGBA(image.Rect(0, 0, artWidth, artHeight))
	// Sky: a vertical gradient.
	for y := range artHeight {
		c := mix(p.sky[0], p.sky[1], float64(y)/artHeight)
		row := m.Pix[y*m.Stride : y*m.Stride+4*artWidth]
		for x := 0; x < len(row); x += 4 {
			row[x], row[x+1], row[x+2], row[x+3] = c.R, c.G, c.B, 255
		}
	}
	// A low horizon band, then discs and slanted bars, half see-through.
	band := artHeight/2 + rng.IntN(artHeight/3)
	fillRect(m, image.Rect(0, band, artWidth, artHeight), p.shapes[2], 0.85)
	kinds := []string{"discs", "bars", "discs and bars"}
	kind := kinds[rng.IntN(len(kinds))]
	for i := range 5 + rng.IntN(5) {
		c := p.shapes[rng.IntN(len(p.shapes))]
		alpha := 0.55 + rng.Float64()*0.4
		switch {
		case kind == "discs" || (kind == "discs and bars" && i%2 == 0):
			r := 40 + rng.IntN(200)
			fillDisc(m, rng.IntN(artWidth), rng.IntN(artHeight), r, c, alpha)
		default:
			fillBar(m, rng.IntN(artWidth), 30+rng.IntN(120), rng.Float64()*0.8-0.4, c, alpha)
		}
	}
	return m, "Abstract illustration: " + kind + " in " + p.name
}

func mix(a, b color.RGBA, t float64) color.RGBA {
	l := func(x, y uint8) uint8 { return uint8(float64(x) + (float64(y)-float64(x))*t) }
	return color.RGBA{l(a.R, b.R), l(a.G, b.G), l(a.B, b.B), 255}
}

func blend(m *image.RGBA, x, y int, c color.RGBA, a float64) {
	i := m.PixOffset(x, y)
	p := m.Pix[i : i+3 : i+3]
	w := uint32(a * 256)
	p[0] = uint8((uint32(p[0])*(256-w) + uint32(c.R)*w) >> 8)
	p[1] = uint8((uint32(p[1])*(256-w) + uint32(c.G)*w) >> 8)
	p[2] = uint8((uint32(p[2])*(256-w) + uint32(c.B)*w) >> 8)
}

func fillRect(m *image.RGBA, r image.Rectangle, c color.RGBA, a float64) {
	r = r.Intersect(m.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			blend(m, x, y, c, a)
		}
	}
}

func fillDisc(m *image.RGBA, cx, cy, r int, c color.RGBA, a float64) {
	box := image.Rect(cx-r, cy-r, cx+r+1, cy+r+1).Intersect(m.Rect)
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			if dx, dy := x-cx, y-cy; dx*dx+dy*dy <= r*r {
				blend(m, x, y, c, a)
			}
		}
	}
}

// fillBar paints a bar w wide crossing the picture top to bottom, leaning
// by slope (horizontal pixels per vertical pixel).
func fillBar(m *image.RGBA, x0, w int, slope float64, c color.RGBA, a float64) {
	for y := range artHeight {
		left := x0 + int(math.Round(slope*float64(y-artHeight/2)))
		for x := max(0, left); x < min(artWidth, left+w); x++ {
			blend(m, x, y, c, a)
		}
	}
}

// illustrate draws, processes and stores the pictures of the stories'
// sections, a few at a time, into the same sizes as an upload, and gives
// each story its section's pictures in turn.
func illustrate(ctx context.Context, pics *media.Pictures, stories []*news.Story) error {
	type key struct {
		section string
		variant int
	}
	keys := make([]key, len(stories))
	seen := map[key]bool{}
	var todo []key
	count := map[string]int{}
	for i, s := range stories {
		k := key{s.Section.Name, count[s.Section.Name] % artVariants}
		count[s.Section.Name]++
		keys[i] = k
		if !seen[k] {
			seen[k] = true
			todo = append(todo, k)
		}
	}
	type drawn struct {
		im  news.Image
		alt string
	}
	done := make([]drawn, len(todo))
	next := make(chan int, len(todo))
	for i := range todo {
		next <- i
	}
	close(next)
	errs := make(chan error, len(todo))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				m, alt := draw(todo[i].section, todo[i].variant)
				sum := sha256.Sum256(m.Pix)
				im, err := pics.SaveDrawn(ctx, m, hex.EncodeToString(sum[:16]))
				if err != nil {
					errs <- err
					return
				}
				done[i] = drawn{im, alt}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	byKey := map[key]drawn{}
	for i, k := range todo {
		byKey[k] = done[i]
	}
	for i, s := range stories {
		d := byKey[keys[i]]
		s.ImageURL, s.Image, s.ImageAlt, s.ImageCaption, s.ImageCredit = "", d.im, d.alt, "", artCredit
	}
	return nil
}
