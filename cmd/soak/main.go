// Command soak is a bounded load and durability checker for a newsdesk
// server running on this machine.
//
// Load mode (the default) drives a running server at -base with readers
// and writers for -duration, then checks in the database file that every
// write the server or an import acknowledged is there. Crash mode (-crash)
// starts and SIGKILLs `newsdesk serve` and `newsdesk import` again and
// again and checks that the database survives. See -h for details.
//
// The files follow the modes: main.go (flags), load.go, site.go,
// writers.go, verify.go and stats.go (load mode), stories.go (synthetic
// stories for imports), crash.go (crash mode).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	_ "modernc.org/sqlite"
)

const help = `soak — a bounded load and durability check for newsdesk (local servers only)

Load mode (default):

  soak -base http://127.0.0.1:18080 -bin bin/newsdesk -db PATH [-readers 64] [-writers 4] [-duration 60s]

  Readers GET a mix of reader pages (/, /articles/{slug}, /tags/…, /sources/…,
  /sections/…, /search?q=…, /feed.xml, /sitemap.xml), with slugs discovered
  from the front page and the sitemaps. Writers are of two kinds, split
  evenly (comment writers get the odd one):
    - comment writers GET an article, take the _csrf token of its comment
      form, wait until the form is at least 3 s old, and POST a comment;
      303 is an acknowledged write, 429 "Too many comments" is counted as
      rate limited (not an error). Stories are spread so that no story gets
      more than 8 comments a minute from this tool.
    - import writers run "BIN import --db PATH -" with a small NDJSON batch
      of new stories (unique urls) while the server runs; exit 0 is an
      acknowledged write of every url in the batch.
  The server limits comments to 5 per 10 minutes per client address. Start
  it with --trust-proxy (NEWSDESK_TRUST_PROXY=1) to get many accepted
  comments: every comment POST carries its own X-Forwarded-For address from
  198.18.0.0/15 (turn off with -xff=false). Without --trust-proxy the header
  is ignored and most comments are answered 429.
  Afterwards it prints requests, errors (5xx, transport errors, unexpected
  statuses), read and write latency (p50/p99), then opens -db read-only and
  checks that every acknowledged comment (by body) and story (by url) is
  stored. Exit status 1 on any error or lost write.

Crash mode:

  soak -crash [N] -bin bin/newsdesk -db NEW_PATH [-seed 1] [-crash-stories 1000]

  N rounds (default 20; -crash 5 or -crash=5 for 5). A 1,000-story NDJSON file
  with unique urls is generated once. Each round starts
  "BIN serve --no-demo --addr 127.0.0.1:PORT --db PATH" and
  "BIN import --db PATH FILE" together, SIGKILLs both at a random moment
  between 50 ms and 3 s (seeded), restarts serve, requires /healthz 200
  within 2 s, PRAGMA integrity_check = ok, and every story of an import that
  exited 0 in an earlier round present. At the end the file is imported once
  more; its report must add exactly the stories not yet present (added 0
  when all are) and update none. -db must not exist yet (default: a new
  temporary directory).

Only 127.0.0.1 and localhost are ever contacted.

Flags:
`

func main() {
	code := run(os.Args[1:])
	os.Exit(code)
}

type options struct {
	base          *url.URL
	readers       int
	writers       int
	duration      time.Duration
	db            string
	bin           string
	seed          int64
	xff           bool
	batch         int
	crash         crashFlag
	crashStories  int
	healthyWithin time.Duration
}

// crashFlag is an int flag that may be given bare: -crash means 20 rounds.
type crashFlag struct {
	set    bool
	rounds int
}

func (c *crashFlag) String() string {
	if c == nil || !c.set {
		return "off"
	}
	return strconv.Itoa(c.rounds)
}

func (c *crashFlag) Set(s string) error {
	switch s {
	case "true":
		c.set, c.rounds = true, 20
		return nil
	case "false":
		c.set = false
		return nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return errors.New("want a positive number of rounds")
	}
	c.set, c.rounds = true, n
	return nil
}

func (c *crashFlag) IsBoolFlag() bool { return true }

func run(args []string) int {
	var o options
	fs := flag.NewFlagSet("soak", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), help)
		fs.PrintDefaults()
	}
	base := fs.String("base", "http://127.0.0.1:18080", "server to load (127.0.0.1 or localhost only)")
	fs.IntVar(&o.readers, "readers", 64, "concurrent readers")
	fs.IntVar(&o.writers, "writers", 4, "concurrent writers (half post comments, half run imports)")
	fs.DurationVar(&o.duration, "duration", 60*time.Second, "length of the load phase")
	fs.StringVar(&o.db, "db", "", "the server's database file, checked read-only after the run (crash mode: a new file)")
	fs.StringVar(&o.bin, "bin", "", "the newsdesk binary (import writers, crash mode)")
	fs.Int64Var(&o.seed, "seed", 1, "random seed")
	fs.BoolVar(&o.xff, "xff", true, "give each comment POST its own X-Forwarded-For address (needs serve --trust-proxy)")
	fs.IntVar(&o.batch, "batch", 10, "stories per import batch in load mode")
	fs.Var(&o.crash, "crash", "crash mode with `N` rounds (bare -crash: 20)")
	fs.IntVar(&o.crashStories, "crash-stories", 1000, "stories in the crash-mode import file")
	fs.DurationVar(&o.healthyWithin, "healthy-within", 2*time.Second, "crash mode: longest acceptable time from restart to /healthz 200")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	// "-crash 5": the bare bool form took 20 and left "5" as an argument.
	if o.crash.set && fs.NArg() > 0 {
		if n, err := strconv.Atoi(fs.Arg(0)); err == nil && n > 0 {
			o.crash.rounds = n
			if err := fs.Parse(fs.Args()[1:]); err != nil {
				return 2
			}
		}
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "soak: unexpected arguments %q\n", fs.Args())
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if o.crash.set {
		if o.bin == "" {
			fmt.Fprintln(os.Stderr, "soak: crash mode needs -bin")
			return 2
		}
		if err := crashMode(ctx, &o); err != nil {
			fmt.Fprintln(os.Stderr, "soak:", err)
			return 1
		}
		return 0
	}

	u, err := localURL(*base)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 2
	}
	o.base = u
	if o.readers < 0 || o.writers < 0 || o.duration <= 0 || o.batch < 1 {
		fmt.Fprintln(os.Stderr, "soak: -readers, -writers must be ≥ 0, -duration and -batch positive")
		return 2
	}
	if o.writers > 0 && o.db == "" {
		fmt.Fprintln(os.Stderr, "soak: -db is needed to verify writes (or use -writers 0)")
		return 2
	}
	ok, err := loadMode(ctx, &o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		return 1
	}
	if !ok {
		return 1
	}
	return 0
}

// localURL accepts only http URLs on this machine.
func localURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("-base: %w", err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("-base %q: only http:// is supported", s)
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" {
		return nil, fmt.Errorf("-base %q: refusing a host other than 127.0.0.1 or localhost", s)
	}
	u.Path, u.RawQuery, u.Fragment = "", "", ""
	return u, nil
}

// newClient returns an HTTP client that can only reach loopback addresses
// and never follows redirects.
func newClient(conns int) *http.Client {
	d := &net.Dialer{
		Timeout: 5 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			host, _, err := net.SplitHostPort(address)
			if err != nil {
				return err
			}
			if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
				return fmt.Errorf("refusing to connect to %s: not a loopback address", address)
			}
			return nil
		},
	}
	tr := &http.Transport{
		DialContext:         d.DialContext,
		MaxIdleConns:        conns + 8,
		MaxIdleConnsPerHost: conns + 8,
		IdleConnTimeout:     30 * time.Second,
	}
	return &http.Client{
		Transport:     tr,
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}
