// Command newsdesk runs the newsdesk news site and its newsroom tools.
package main

import (
	// The time zone database inside the binary: the newsroom's zone
	// must load on a server without /usr/share/zoneinfo.
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
	_ "time/tzdata"

	"golang.org/x/term"

	"newsdesk/internal/cluster"
	"newsdesk/internal/demo"
	"newsdesk/internal/desk"
	"newsdesk/internal/fetch"
	"newsdesk/internal/ingest"
	"newsdesk/internal/media"
	"newsdesk/internal/news"
	"newsdesk/internal/poll"
	"newsdesk/internal/postgres"
	"newsdesk/internal/sqlite"
	"newsdesk/internal/tick"
	"newsdesk/web"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

const usage = `newsdesk — a news site and newsroom in one binary

Usage:
  newsdesk serve [--addr :8080] [--db newsdesk.db] [--base-url URL] [--no-demo] [--allow-private-fetch]
  newsdesk import [--db PATH] [--source NAME] [--allow-private-fetch] PATH_OR_URL…   (- for stdin)
  newsdesk user add --email E --name N [--role admin|editor]   (password on stdin)
  newsdesk backup [--db PATH] PATH
  newsdesk migrate --from newsdesk.db --to postgres://…   (copies a whole site; safe to run again)
  newsdesk feeds add --source NAME [--every 15m] [--allow-private-fetch] URL
  newsdesk feeds list | feeds remove ID
  newsdesk version

Every command that opens the database takes --db (or NEWSDESK_DB): an SQLite
file, or postgres://user:pass@host/db for PostgreSQL (several serve nodes on
one database; back it up with pg_dump).
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	code, err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "newsdesk:", err)
		if code == 0 {
			code = 1
		}
	}
	os.Exit(code)
}

// run executes one subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2, nil
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return exit(serve(ctx, rest, stderr))
	case "import":
		return runImport(ctx, rest, stdin, stdout, stderr)
	case "backup":
		return exit(backup(ctx, rest, stdout))
	case "migrate":
		return exit(migrateCmd(ctx, rest, stdout))
	case "feeds":
		return feedsCmd(ctx, rest, stdout)
	case "user":
		return userCmd(ctx, rest, stdin, stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "newsdesk", version)
		return 0, nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0, nil
	default:
		fmt.Fprint(stderr, usage)
		return 2, fmt.Errorf("unknown command %q", cmd)
	}
}

// exit turns a command's error into an exit code.
func exit(err error) (int, error) {
	if err != nil {
		return 1, err
	}
	return 0, nil
}

func env(name, def string) string {
	if v, ok := os.LookupEnv(name); ok && v != "" {
		return v
	}
	return def
}

func newFlags(name string) (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	db := fs.String("db", env("NEWSDESK_DB", "newsdesk.db"), "database file, or postgres://… for PostgreSQL (NEWSDESK_DB)")
	return fs, db
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs, dbPath := newFlags("serve")
	addr := fs.String("addr", env("NEWSDESK_ADDR", ":8080"), "listen address (NEWSDESK_ADDR)")
	baseURL := fs.String("base-url", env("NEWSDESK_BASE_URL", "http://localhost:8080"), "absolute site URL (NEWSDESK_BASE_URL)")
	siteName := fs.String("site-name", env("NEWSDESK_SITE_NAME", "Newsdesk"), "site name (NEWSDESK_SITE_NAME)")
	noDemo := fs.Bool("no-demo", false, "do not load the demo stories into an empty database")
	trustProxy := fs.Bool("trust-proxy", os.Getenv("NEWSDESK_TRUST_PROXY") == "1", "trust X-Forwarded-For/-Proto from a reverse proxy (NEWSDESK_TRUST_PROXY=1)")
	cacheMB := fs.Int("cache-mb", 64, "memory for the rendered-page cache in MiB; 0 turns it off")
	cacheControl := fs.String("cache-control", env("NEWSDESK_CACHE_CONTROL", web.DefaultPageCacheControl), "Cache-Control of reader pages (NEWSDESK_CACHE_CONTROL)")
	allowPrivate := allowPrivateFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	logw := newLogWriter(stderr, 200*time.Millisecond)
	defer logw.Close()
	log := slog.New(slog.NewJSONHandler(logw, nil))
	start := time.Now()

	db, err := openStore(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	for _, f := range tightened(db) {
		log.Warn("database file was readable by other users; made it readable by its owner only",
			"file", f.File, "was", f.Was.String(), "now", (f.Was & 0o700).String())
	}
	pics := pictures(db, newFetcher(*allowPrivate))
	dk, err := openDesk(ctx, db, pics)
	if err != nil {
		return err
	}
	if s, ok := db.(*sqlite.DB); ok {
		// An import run beside serve writes stories this desk has not seen.
		s.OnExternalWrite = dk.Invalidate
	}
	if !*noDemo {
		if n, err := db.StoryCount(ctx); err != nil {
			return err
		} else if n == 0 {
			loaded, err := demo.Load(ctx, dk, pics, time.Now())
			if err != nil {
				return fmt.Errorf("load demo stories: %w", err)
			}
			log.Info("loaded demo stories", "count", loaded)
		}
	}
	// Notice other nodes' and processes' writes; elect who runs the
	// schedule. A new leader publishes and polls at once.
	elector, startCluster := coordinate(ctx, db, log)
	fetcher := newFetcher(*allowPrivate)
	poller := poll.New(poll.Config{Store: db, Get: fetcher, Import: poll.IngestInto(dk), Log: log,
		Leading: elector.Leading})
	publishNow := make(chan struct{}, 1)
	startCluster(func() {
		poller.Wake()
		wake(publishNow)
	}, func() {
		// Another node wrote: the related index reloads before the
		// next write here decides anything.
		dk.Invalidate()
	})
	srv, err := web.New(web.Config{SiteName: *siteName, BaseURL: strings.TrimRight(*baseURL, "/"), Logger: log,
		PageCacheBytes: *cacheMB << 20, PageCacheControl: *cacheControl, TrustProxy: *trustProxy,
		Feeds: web.Feeds{Poller: poller, Get: fetcher}, Pictures: pics}, site(db, dk))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	if n, err := db.UserCount(ctx); err != nil {
		return err
	} else if n == 0 {
		// Without --base-url the link names the address listened on, so
		// it works for --addr :9000 too.
		site := strings.TrimRight(*baseURL, "/")
		if !flagGiven(fs, "base-url") && os.Getenv("NEWSDESK_BASE_URL") == "" {
			site = listenURL(ln.Addr())
		}
		path, err := srv.NewSetupToken(ctx)
		if err != nil {
			return err
		}
		link := site + path
		log.Warn("no users yet: open the one-time setup link within an hour to create the first admin", "url", link)
		if isTerminal(stderr) {
			logw.Flush()
			fmt.Fprintf(stderr, "\nNo users yet. To create the first admin, open this link within an hour:\n\n  %s\n\n", link)
		}
	}
	go holdHeap(ctx, func() int { return srv.CacheStats().Bytes })
	go publishScheduled(ctx, dk, elector, publishNow, log)
	go sweepImages(ctx, db, log)
	if t, ok := db.(searchTidier); ok {
		go tidySearch(ctx, t, log)
	}
	polled := make(chan struct{})
	go func() {
		defer close(polled)
		poller.Run(ctx)
	}()
	log.Info("serving", "addr", ln.Addr().String(), "db", postgres.Redact(*dbPath), "version", version, "startup", time.Since(start).String())
	if err := srv.Serve(ctx, ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	<-polled // fetches in flight finish (or are cancelled) before the database closes
	log.Info("stopped")
	return nil
}

// flagGiven reports whether the flag name was set on the command line.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
}

// listenURL is the site's address as listened on: an unspecified host
// (":8080", "0.0.0.0:8080", "[::]:8080") is reached as localhost.
func listenURL(addr net.Addr) string {
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return "http://" + addr.String()
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// isTerminal reports whether w is a terminal, where a person reads plain
// lines better than JSON log records.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// publishScheduled flips scheduled stories to published when their time
// comes, without a restart and without waiting for a visitor: every 15
// seconds, and at once when now says so, on the node that leads.
func publishScheduled(ctx context.Context, db *desk.Desk, lead cluster.Elector, now <-chan struct{}, log *slog.Logger) {
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		if !lead.Leading() {
			// Another node publishes.
		} else if n, err := db.PublishDue(ctx); err != nil && ctx.Err() == nil {
			log.Error("publish scheduled stories", "err", err)
		} else if n > 0 {
			log.Info("published scheduled stories", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-now:
		}
	}
}

// meter counts what an import has read, and shows on a terminal how far
// it is: stories, stories a second and, when the size is known, the
// share read and the time left.
type meter struct {
	r     io.Reader
	w     io.Writer
	size  int64 // -1 when unknown (standard input)
	read  atomic.Int64
	start time.Time
	last  time.Time
	shown bool
}

func (m *meter) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.read.Add(int64(n))
	return n, err
}

// show writes the progress line, at most every half second.
func (m *meter) show(rep ingest.Report) {
	now := time.Now()
	if now.Sub(m.last) < 500*time.Millisecond {
		return
	}
	m.last, m.shown = now, true
	n := rep.Added + rep.Updated + rep.Duplicates + len(rep.Rejected)
	secs := now.Sub(m.start).Seconds()
	line := fmt.Sprintf("imported %d stories, %.0f/s", n, float64(n)/secs)
	if read := m.read.Load(); m.size > 0 && read > 0 {
		left := time.Duration(secs * float64(m.size-read) / float64(read) * float64(time.Second))
		line += fmt.Sprintf(", %d%% read, about %s left", 100*read/m.size, left.Round(time.Second))
	}
	fmt.Fprintf(m.w, "\r%s\x1b[K", line)
}

// done clears the progress line, so that the summary stands alone.
func (m *meter) done() {
	if m.shown {
		fmt.Fprint(m.w, "\r\x1b[K")
	}
}

// sqliteSite and postgresSite are what the web server reads and writes:
// reads and persistence from the store, story writes through the
// application layer. One per store type, so that every method the store
// has is the server's, whatever web.Store asks next.
type (
	sqliteSite struct {
		*sqlite.DB
		*desk.Desk
	}
	postgresSite struct {
		*postgres.DB
		*desk.Desk
	}
)

// site returns the web server's store: db's reads, dk's story writes.
func site(db store, dk *desk.Desk) web.Store {
	if pg, ok := db.(*postgres.DB); ok {
		return postgresSite{pg, dk}
	}
	return sqliteSite{db.(*sqlite.DB), dk}
}

// The store serves every role but the story writes, which desk makes.
var (
	_ web.Pages       = (*sqlite.DB)(nil)
	_ web.Settings    = (*sqlite.DB)(nil)
	_ web.Accounts    = (*sqlite.DB)(nil)
	_ web.Newsroom    = (*sqlite.DB)(nil)
	_ web.Comments    = (*sqlite.DB)(nil)
	_ web.SharedState = (*sqlite.DB)(nil)
	_ web.StoryWriter = (*desk.Desk)(nil)
)

// openDesk puts the application layer over db; it derives what an older
// database lacks before anything else runs.
func openDesk(ctx context.Context, db store, pics *media.Pictures) (*desk.Desk, error) {
	dk := desk.New(db)
	dk.Pictures = pics
	if err := dk.Upgrade(ctx); err != nil {
		return nil, err
	}
	return dk, nil
}

// wake sends on a channel of one slot unless a send is already pending.
func wake(c chan<- struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// pictures is the step that makes stories' pictures before they are
// written; remote pictures come through the guarded fetcher.
func pictures(db store, client *fetch.Client) *media.Pictures {
	return &media.Pictures{Store: db, Fetch: func(ctx context.Context, url string) ([]byte, error) {
		resp, err := client.Get(ctx, url, http.Header{"Accept": {"image/jpeg, image/png, image/webp, image/gif"}})
		if err != nil {
			return nil, err
		}
		if resp.Status != http.StatusOK {
			return nil, fmt.Errorf("the server answered %d %s", resp.Status, http.StatusText(resp.Status))
		}
		return resp.Body, nil
	}}
}

// sweepImages deletes, every hour, pictures that no story has used for a
// day: uploaded or fetched for a save that then failed or was abandoned.
func sweepImages(ctx context.Context, db store, log *slog.Logger) {
	tick.Every(ctx, 0, time.Hour, func() {
		if n, err := db.DeleteUnusedImages(ctx, db.Clock().Add(-24*time.Hour)); err != nil && ctx.Err() == nil {
			log.Error("delete unused images", "err", err)
		} else if n > 0 {
			log.Info("deleted unused images", "count", n)
		}
	})
}

// searchTidier is a store whose search index needs tidying now and then:
// *sqlite.DB merges its full-text index when writes have left it in too
// many segments.
type searchTidier interface {
	TidySearch(ctx context.Context) (merged bool, err error)
}

// tidySearch tidies the search index a minute after serve starts, then
// every ten minutes.
func tidySearch(ctx context.Context, db searchTidier, log *slog.Logger) {
	tick.Every(ctx, time.Minute, 10*time.Minute, func() {
		start := time.Now()
		if merged, err := db.TidySearch(ctx); err != nil && ctx.Err() == nil {
			log.Error("merge the search index", "err", err)
		} else if merged {
			log.Info("merged the search index", "took", time.Since(start).String())
		}
	})
}

func runImport(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (code int, err error) {
	fs, dbPath := newFlags("import")
	source := fs.String("source", "", "publisher name for items that name none (default: the feed's title, else the site name)")
	allowPrivate := allowPrivateFlag(fs)
	if err := fs.Parse(args); err != nil {
		return 2, err
	}
	client := newFetcher(*allowPrivate)
	if fs.NArg() == 0 {
		return 2, errors.New("import: name at least one file, URL or - for standard input")
	}
	db, err := openStore(ctx, *dbPath)
	if err != nil {
		return 1, err
	}
	defer db.Close()
	noteTightened(os.Stderr, db)
	dk, err := openDesk(ctx, db, pictures(db, client))
	if err != nil {
		return 1, err
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		// A long import holds the related index of every story; collect
		// garbage sooner rather than let the heap double past it.
		debug.SetMemoryLimit(importMemoryLimit)
	}
	if b, ok := db.(bulkStore); ok {
		end, err := b.BeginBulk(ctx)
		if err != nil {
			return 1, err
		}
		defer func() {
			if eerr := end(ctx); eerr != nil && err == nil {
				code, err = 1, eerr
			}
		}()
	}
	for _, name := range fs.Args() {
		var progress io.Writer
		if isTerminal(stderr) {
			progress = stderr
		}
		rep, err := importOne(ctx, dk, client, name, *source, stdin, progress)
		if err != nil {
			return 1, fmt.Errorf("%s: %w", name, err)
		}
		prefix := ""
		if fs.NArg() > 1 {
			prefix = name + ": "
		}
		fmt.Fprintf(stdout, "%s%s\n", prefix, rep)
		for _, it := range rep.Rejected {
			fmt.Fprintf(stdout, "%s%s %d: %v\n", prefix, it.Unit, it.Pos, it.Err)
		}
		for _, it := range rep.Pictures {
			fmt.Fprintf(stdout, "%s%s %d: imported without its picture: %v\n", prefix, it.Unit, it.Pos, it.Err)
		}
		if len(rep.Rejected) > 0 {
			code = 1
		}
	}
	return code, nil
}

// bulkStore is a store that readies itself for an import's many writes
// and tidies up after them: *sqlite.DB merges its full-text index less
// often during the import and, after a large one, once at its end.
type bulkStore interface {
	BeginBulk(ctx context.Context) (end func(context.Context) error, err error)
}

// importMemoryLimit is the Go heap an import aims to stay under (SQLite's
// page cache and FTS5's pending terms come on top): about 100k stories'
// related index, with room. At 360 MiB a 100k import peaked at 505 MiB of
// RSS, at 320 MiB at 467 MiB (docs/PERFORMANCE.md).
const importMemoryLimit = 320 << 20

// importOne imports one file, URL or standard input; when progress is
// not nil (a terminal), a long import shows there how far it is.
func importOne(ctx context.Context, db ingest.Store, client *fetch.Client, name, source string, stdin io.Reader, progress io.Writer) (ingest.Report, error) {
	opts := ingest.Options{Source: source, SiteName: env("NEWSDESK_SITE_NAME", "")}
	var r io.Reader
	switch {
	case name == "-":
		r = stdin
	case strings.HasPrefix(name, "http://") || strings.HasPrefix(name, "https://"):
		resp, err := client.Get(ctx, name, nil)
		if err != nil {
			return ingest.Report{}, err
		}
		if resp.Status != http.StatusOK {
			return ingest.Report{}, fmt.Errorf("the server answered %d %s", resp.Status, http.StatusText(resp.Status))
		}
		r, opts.Base = bytes.NewReader(resp.Body), resp.URL
	default:
		f, err := os.Open(name)
		if err != nil {
			return ingest.Report{}, err
		}
		defer f.Close()
		r = f
	}
	if progress != nil {
		var size int64 = -1
		if f, ok := r.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
				size = st.Size()
			}
		} else if b, ok := r.(*bytes.Reader); ok {
			size = b.Size()
		}
		m := &meter{r: r, w: progress, size: size, start: time.Now()}
		r, opts.Progress = m, m.show
		defer m.done()
	}
	return ingest.ImportWith(ctx, db, r, opts)
}

// allowPrivateFlag adds --allow-private-fetch (NEWSDESK_ALLOW_PRIVATE_FETCH=1)
// to a command that fetches from elsewhere.
func allowPrivateFlag(fs *flag.FlagSet) *bool {
	return fs.Bool("allow-private-fetch", os.Getenv("NEWSDESK_ALLOW_PRIVATE_FETCH") == "1",
		"let fetches reach loopback, private and link-local addresses, for tests and intranet feeds (NEWSDESK_ALLOW_PRIVATE_FETCH=1)")
}

// newFetcher is the guarded client every outbound fetch of a command uses.
func newFetcher(allowPrivate bool) *fetch.Client {
	return fetch.New(fetch.Options{AllowPrivate: allowPrivate, UserAgent: "newsdesk/" + version + " (news site; feed and image fetcher)"})
}

func backup(ctx context.Context, args []string, stdout io.Writer) error {
	fs, dbPath := newFlags("backup")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("backup: name the file to write")
	}
	if _, err := os.Stat(fs.Arg(0)); err == nil {
		return fmt.Errorf("backup: %s already exists", fs.Arg(0))
	}
	db, err := openExistingDB(ctx, *dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintln(stdout, "backup written to", fs.Arg(0))
	return nil
}

func userCmd(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	if len(args) == 0 || args[0] != "add" {
		return 2, errors.New("usage: newsdesk user add --email E --name N [--role admin|editor]")
	}
	fs, dbPath := newFlags("user add")
	email := fs.String("email", "", "email address")
	name := fs.String("name", "", "display name")
	role := fs.String("role", news.RoleEditor, "admin or editor")
	if err := fs.Parse(args[1:]); err != nil {
		return 2, err
	}
	// Open first: a mistyped --db is said before a password is asked for.
	db, err := openExistingDB(ctx, *dbPath)
	if err != nil {
		return 1, err
	}
	defer db.Close()
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return 1, err
	}
	if err != nil {
		return 1, err
	}
	u := &news.User{Email: *email, Name: *name, Role: *role}
	if err := db.CreateUser(ctx, u, password); err != nil {
		// Name the flags, not "the highlighted fields" of a web form.
		fields := news.FieldErrors(err)
		if len(fields) == 0 {
			return 1, errors.New(news.ErrorMessage(err))
		}
		flag := map[string]string{"email": "--email", "name": "--name", "role": "--role", "password": "the password"}
		keys := slices.Sorted(maps.Keys(fields))
		for _, k := range keys {
			fmt.Fprintf(stderr, "%s: %s\n", cmp.Or(flag[k], k), fields[k])
		}
		return 1, errors.New("user not created")
	}
	fmt.Fprintf(stdout, "created %s %s (%s)\n", u.Role, u.Email, u.Name)
	return 0, nil
}

// readPassword reads the new user's password. On a terminal it prompts on
// stderr, reads without echo and asks twice; otherwise (piped in) it reads
// one line from stdin.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return promptPassword(int(f.Fd()), stderr)
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// promptPassword asks for the password twice on the terminal fd, with
// echo off.
func promptPassword(fd int, stderr io.Writer) (string, error) {
	var typed [2]string
	for i, prompt := range []string{"Password: ", "Password again: "} {
		fmt.Fprint(stderr, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(stderr) // the Enter the terminal did not echo
		if err != nil {
			return "", fmt.Errorf("read password: %w", err)
		}
		typed[i] = string(b)
	}
	if typed[0] != typed[1] {
		return "", errors.New("the two passwords differ; nothing was changed")
	}
	return typed[0], nil
}
