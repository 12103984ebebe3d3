package media

import (
	"context"
	"fmt"
	"image"
	"runtime"
	"sync"
	"time"

	"newsdesk/internal/news"
)

// Store keeps pictures; *sqlite.DB is one.
type Store interface {
	Image(ctx context.Context, id string) (news.Image, error)
	SaveImage(ctx context.Context, im news.Image, files []news.ImageFile) error
	ImagesByURL(ctx context.Context, urls []string) (map[string]news.Image, error)
}

// Fetch returns the body of a remote picture, through the guarded fetcher
// (internal/fetch): its address rules and size cap apply.
type Fetch func(ctx context.Context, url string) ([]byte, error)

// retryAfter is how long a picture URL that failed is not tried again, so
// that a feed polled every few minutes does not fetch a broken picture
// each time.
const retryAfter = time.Hour

// Pictures makes stories' pictures before the stories are written: the
// step between reading a story (a form, a feed) and the store's write
// transaction, which never waits for a fetch or a resize.
type Pictures struct {
	Store Store
	Fetch Fetch // nil: remote pictures are not fetched
	Now   func() time.Time

	mu     sync.Mutex
	failed map[string]failure // by URL
}

type failure struct {
	at  time.Time
	err error
}

// Save processes a picture file (an upload, a fetched file) and stores it.
// A file stored before is not processed again.
func (p *Pictures) Save(ctx context.Context, data []byte) (news.Image, error) {
	if len(data) <= MaxBytes {
		if im, err := p.Store.Image(ctx, ID(data)); err == nil {
			return im, nil
		} else if news.ErrorCode(err) != news.ENOTFOUND {
			return news.Image{}, err
		}
	}
	res, err := Process(ctx, data)
	return p.store(ctx, res, err)
}

// SaveDrawn processes and stores a picture the site drew itself, named id.
func (p *Pictures) SaveDrawn(ctx context.Context, m image.Image, id string) (news.Image, error) {
	res, err := ProcessImage(ctx, m, id)
	return p.store(ctx, res, err)
}

func (p *Pictures) store(ctx context.Context, res *Result, err error) (news.Image, error) {
	if err != nil {
		return news.Image{}, err
	}
	if err := p.Store.SaveImage(ctx, res.Image, res.Files); err != nil {
		return news.Image{}, err
	}
	return res.Image, nil
}

// Attach gives each story that names a picture by URL (ImageURL) and has
// none yet its picture: the one a stored story already got from the same
// URL, else the file fetched and processed. A story whose picture cannot
// be had keeps everything but the picture; problems[i] says why for
// stories[i]. Pictures are made several at a time.
func (p *Pictures) Attach(ctx context.Context, stories []*news.Story) (problems []error) {
	problems = make([]error, len(stories))
	var urls []string
	seen := map[string]bool{}
	for _, s := range stories {
		if s.ImageURL != "" && s.Image.ID == "" && !seen[s.ImageURL] {
			seen[s.ImageURL] = true
			urls = append(urls, s.ImageURL)
		}
	}
	if len(urls) == 0 {
		return problems
	}
	known, err := p.Store.ImagesByURL(ctx, urls)
	if err != nil {
		for i, s := range stories {
			if seen[s.ImageURL] {
				problems[i] = err
			}
		}
		return problems
	}
	// Fetch and process the rest, each URL once.
	type result struct {
		im  news.Image
		err error
	}
	results := make(map[string]*result, len(urls))
	var todo []string
	for _, u := range urls {
		if im, ok := known[u]; ok {
			results[u] = &result{im: im}
		} else {
			results[u] = &result{}
			todo = append(todo, u)
		}
	}
	next := make(chan string, len(todo))
	for _, u := range todo {
		next <- u
	}
	close(next)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(todo)) {
		wg.Go(func() {
			for u := range next {
				r := results[u]
				r.im, r.err = p.remote(ctx, u)
			}
		})
	}
	wg.Wait()
	for i, s := range stories {
		if s.ImageURL == "" || s.Image.ID != "" {
			continue
		}
		r := results[s.ImageURL]
		if r.err != nil {
			problems[i] = fmt.Errorf("picture %s dropped: %w", s.ImageURL, r.err)
			continue
		}
		s.Image = r.im
	}
	return problems
}

// remote fetches and processes the picture at url, remembering a failure
// for a while.
func (p *Pictures) remote(ctx context.Context, url string) (news.Image, error) {
	if p.Fetch == nil {
		return news.Image{}, refuse("Remote pictures are not fetched here.")
	}
	now := time.Now
	if p.Now != nil {
		now = p.Now
	}
	p.mu.Lock()
	f, ok := p.failed[url]
	p.mu.Unlock()
	if ok && now().Sub(f.at) < retryAfter {
		return news.Image{}, f.err
	}
	im, err := p.fetchAndSave(ctx, url)
	if err != nil && ctx.Err() == nil {
		p.mu.Lock()
		if p.failed == nil {
			p.failed = map[string]failure{}
		}
		if len(p.failed) >= 10_000 { // forget old failures rather than grow
			for u, f := range p.failed {
				if now().Sub(f.at) >= retryAfter {
					delete(p.failed, u)
				}
			}
			if len(p.failed) >= 10_000 { // all recent: forgetting costs only a refetch
				clear(p.failed)
			}
		}
		p.failed[url] = failure{at: now(), err: err}
		p.mu.Unlock()
	}
	return im, err
}

func (p *Pictures) fetchAndSave(ctx context.Context, url string) (news.Image, error) {
	data, err := p.Fetch(ctx, url)
	if err != nil {
		return news.Image{}, refuse("It could not be fetched: %v.", err)
	}
	return p.Save(ctx, data)
}
