package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// storyPicker spreads comments over stories so that none gets more than
// perMinute from this tool (the server allows 10 a minute per story).
type storyPicker struct {
	site *site
	mu   sync.Mutex
	next int
	last map[string][]time.Time
}

const perMinute = 8

func newStoryPicker(s *site) *storyPicker {
	return &storyPicker{site: s, last: map[string][]time.Time{}}
}

func (p *storyPicker) pick(now time.Time) string {
	arts := p.site.articleList()
	p.mu.Lock()
	defer p.mu.Unlock()
	for range arts {
		a := arts[p.next%len(arts)]
		p.next++
		ts := p.last[a]
		for len(ts) > 0 && now.Sub(ts[0]) > 62*time.Second {
			ts = ts[1:]
		}
		p.last[a] = ts
		if len(ts) < perMinute {
			p.last[a] = append(ts, now)
			return a
		}
	}
	return ""
}

var csrfRe = regexp.MustCompile(`<form class="comment-form"[^>]*>(?s:.*?)<input type="hidden" name="_csrf" value="([^"]+)"`)

// openForms is how many comment forms a comment writer keeps open at once,
// like a reader with several tabs, so that the server's 3 s minimum delay
// does not leave it idle.
const openForms = 6

type openForm struct {
	path, token string
	ready       time.Time
}

// commentWriter posts comments until ctx ends: it opens an article, takes
// the token of its comment form and sends the comment once the form is
// old enough, opening other articles in the meantime.
func (l *loader) commentWriter(ctx context.Context, w int) {
	seq := 0
	var forms []openForm
	for ctx.Err() == nil {
		if len(forms) > 0 && !time.Now().Before(forms[0].ready) {
			f := forms[0]
			forms = forms[1:]
			seq++
			l.postComment(w, seq, f)
			continue
		}
		if len(forms) >= openForms {
			sleep(ctx, time.Until(forms[0].ready))
			continue
		}
		path := l.pick.pick(time.Now())
		if path == "" {
			sleep(ctx, 200*time.Millisecond)
			continue
		}
		page, ok := l.get(ctx, path)
		if !ok {
			sleep(ctx, 100*time.Millisecond)
			continue
		}
		m := csrfRe.FindSubmatch(page)
		if m == nil {
			if !bytes.Contains(page, []byte("Comments are closed")) {
				l.st.fail(false, "article page without a comment form token")
			}
			continue
		}
		token := string(m[1])
		ts, _, _ := strings.Cut(token, ".")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			l.st.fail(false, "comment token without a time: "+token)
			continue
		}
		// The server refuses a form younger than 3 s (whole seconds).
		forms = append(forms, openForm{path, token, time.Unix(sec+3, 0).Add(50 * time.Millisecond)})
		sort.SliceStable(forms, func(i, j int) bool { return forms[i].ready.Before(forms[j].ready) })
	}
}

// postComment sends one comment and records the outcome.
func (l *loader) postComment(w, seq int, f openForm) {
	name := fmt.Sprintf("Soak Writer %d", w)
	body := fmt.Sprintf("soak %s comment w%d-%d: %s", l.runID, w, seq, sentence(rand.New(rand.NewSource(int64(w*100000+seq))), 12))
	form := url.Values{"name": {name}, "email": {fmt.Sprintf("soak%d@example.com", w)}, "body": {body}, "_csrf": {f.token}, "website": {""}}
	req, err := http.NewRequestWithContext(l.hard, http.MethodPost, l.url(f.path+"/comments"), strings.NewReader(form.Encode()))
	if err != nil {
		l.st.fail(true, "POST build: "+err.Error())
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if l.o.xff {
		n := l.xffSeq.Add(1)
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("198.%d.%d.%d", 18+(n>>16)&1, (n>>8)&255, n&255))
	}
	start := time.Now()
	resp, err := l.client.Do(req)
	if err != nil {
		if l.hard.Err() == nil {
			l.st.fail(true, "POST transport: "+trimErr(err))
		}
		return
	}
	rb, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	switch {
	case resp.StatusCode == http.StatusSeeOther && strings.HasPrefix(resp.Header.Get("Location"), f.path):
		l.st.write(d)
		l.mu.Lock()
		l.comments = append(l.comments, ackComment{name, body})
		l.mu.Unlock()
	case resp.StatusCode == http.StatusTooManyRequests && bytes.Contains(rb, []byte("Too many comments")):
		l.st.mu.Lock()
		l.st.requests++
		l.st.rateLimited++
		l.st.mu.Unlock()
	default:
		msg := ""
		if i := bytes.Index(rb, []byte(`class="notice`)); i >= 0 {
			msg = " " + string(rb[i:min(len(rb), i+160)])
		}
		l.st.fail(true, fmt.Sprintf("POST /articles/…/comments: status %d%s", resp.StatusCode, msg))
	}
}

// importWriter runs small imports until ctx ends.
func (l *loader) importWriter(ctx context.Context, w int) {
	r := rand.New(rand.NewSource(l.o.seed*7919 + int64(w)))
	seq := 0
	for ctx.Err() == nil {
		var buf bytes.Buffer
		urls := make([]string, l.o.batch)
		for i := range urls {
			seq++
			urls[i] = fmt.Sprintf("https://soak.invalid/%s/w%d/%d", l.runID, w, seq)
			writeStory(&buf, r, urls[i], time.Now().Add(-time.Duration(r.Intn(3600))*time.Second))
		}
		cmd := exec.CommandContext(l.hard, l.o.bin, "import", "--db", l.o.db, "--source", "Soak Wire", "-")
		cmd.Stdin = &buf
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		start := time.Now()
		err := cmd.Run()
		d := time.Since(start)
		if l.hard.Err() != nil {
			return
		}
		rep, perr := parseReport(out.String())
		switch {
		case err != nil:
			l.st.mu.Lock()
			l.st.importFails++
			l.st.mu.Unlock()
			l.st.fail(false, fmt.Sprintf("import: %v: %s", err, firstLine(out.String())))
		case perr != nil || rep.added != len(urls):
			l.st.fail(false, fmt.Sprintf("import exit 0 but report %q (want added %d)", firstLine(out.String()), len(urls)))
			fallthrough
		default:
			l.st.mu.Lock()
			l.st.imports = append(l.st.imports, d)
			l.st.mu.Unlock()
			l.mu.Lock()
			l.urls = append(l.urls, urls...)
			l.mu.Unlock()
		}
		sleep(ctx, time.Duration(200+r.Intn(600))*time.Millisecond)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}
