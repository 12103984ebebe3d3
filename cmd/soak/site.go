package main

import (
	"math/rand"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// site is what readers know of the site, refreshed as stories arrive.
type site struct {
	mu       sync.Mutex
	articles []string
	seen     map[string]bool
	others   []string // tag, source and section pages
	words    []string // search terms
	wordSeen map[string]bool
}

func newSite() *site { return &site{seen: map[string]bool{}, wordSeen: map[string]bool{}} }

var (
	hrefRe = regexp.MustCompile(`href="(/(?:articles|tags|sources|sections)/[a-z0-9-]+)"`)
	locRe  = regexp.MustCompile(`<loc>([^<]+)</loc>`)
)

// learn adds the links of a page.
func (st *site) learn(body []byte) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, m := range hrefRe.FindAllSubmatch(body, -1) {
		st.add(string(m[1]))
	}
}

func (st *site) add(path string) {
	if st.seen[path] {
		return
	}
	st.seen[path] = true
	if slug, ok := strings.CutPrefix(path, "/articles/"); ok {
		st.articles = append(st.articles, path)
		for _, w := range strings.Split(slug, "-") {
			if len(w) >= 5 && !st.wordSeen[w] && len(st.words) < 500 {
				st.wordSeen[w] = true
				st.words = append(st.words, w)
			}
		}
		return
	}
	st.others = append(st.others, path)
}

func (st *site) articleList() []string {
	st.mu.Lock()
	defer st.mu.Unlock()
	return append([]string(nil), st.articles...)
}

// pick returns a reader path.
func (st *site) pick(r *rand.Rand) string {
	st.mu.Lock()
	defer st.mu.Unlock()
	x := r.Intn(100)
	switch {
	case x < 50 && len(st.articles) > 0:
		return st.articles[r.Intn(len(st.articles))]
	case x < 62:
		if r.Intn(4) == 0 {
			return "/?page=2"
		}
		return "/"
	case x < 77 && len(st.others) > 0:
		return st.others[r.Intn(len(st.others))]
	case x < 89 && len(st.words) > 0:
		return "/search?q=" + url.QueryEscape(st.words[r.Intn(len(st.words))])
	case x < 95:
		return "/feed.xml"
	default:
		return "/sitemap.xml"
	}
}
