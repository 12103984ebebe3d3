package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"text/template"
	"time"

	"github.com/jackc/pgx/v5"

	"newsdesk/internal/postgres/pgtest"
)

// EnvClusterTest turns on TestCluster (make cluster-test sets it): it
// builds the binary, runs three nodes and nginx, and takes about a minute.
const EnvClusterTest = "NEWSDESK_CLUSTER_TEST"

// nodeCacheControl is the Cache-Control the nodes send: browsers keep a
// page a minute, the proxy a second, then revalidates it by its ETag.
const nodeCacheControl = "public, max-age=60, s-maxage=1"

// cluster is three serve nodes on one PostgreSQL database behind nginx.
type cluster struct {
	t       *testing.T
	dir     string
	bin     string
	dsn     string
	nodes   []*node
	proxy   string // base URL of nginx
	nginx   *exec.Cmd
	started time.Time
}

type node struct {
	name string
	addr string
	log  string
	cmd  *exec.Cmd
	done chan struct{}
}

func (n *node) url() string { return "http://" + n.addr }

// TestCluster checks issue #15's multi-node promises end to end.
func TestCluster(t *testing.T) {
	if os.Getenv(EnvClusterTest) != "1" {
		t.Skipf("the multi-node test runs with make cluster-test (%s=1)", EnvClusterTest)
	}
	c := startCluster(t, 3)

	t.Run("publish on node 1 is visible through the proxy within 2 s", c.testPublishVisible)
	t.Run("login on node 2 works on node 3", c.testLoginShared)
	t.Run("a story written on node 1 is in node 2's related index", c.testRelatedIndexShared)
	t.Run("kill -9 of a node under load costs no request after retries", c.testKillUnderLoad)
	t.Run("a killed leader's scheduled publishing moves to another node within 30 s", c.testLeaderHandover)
}

func startCluster(t *testing.T, n int) *cluster {
	nginxBin, err := exec.LookPath("nginx")
	if err != nil {
		if _, err := os.Stat("/usr/sbin/nginx"); err != nil {
			t.Fatal("nginx is not installed (apt-get install -y nginx-light); the cluster test needs it")
		}
		nginxBin = "/usr/sbin/nginx"
	}
	c := &cluster{t: t, dir: t.TempDir(), dsn: pgtest.DSN(t)}
	c.build()
	// The site: a few stories and an editor, written before any node runs.
	root := moduleRoot(t)
	c.run(nil, "import", "--db", c.dsn, "--source", "Wire", filepath.Join(root, "web", "testdata", "stories.ndjson"))
	c.run(strings.NewReader("cluster test password\n"), "user", "add", "--db", c.dsn, "--email", "ed@example.com", "--name", "Ed", "--role", "admin")

	proxyAddr := freeAddr(t)
	c.proxy = "http://" + proxyAddr
	for i := range n {
		c.nodes = append(c.nodes, &node{name: fmt.Sprintf("node%d", i+1), addr: freeAddr(t)})
	}
	for _, nd := range c.nodes {
		c.start(nd)
	}
	for _, nd := range c.nodes {
		c.waitHealthy(nd)
	}

	// nginx, configured from the same template docs/DEPLOY.md shows.
	tmpl := template.Must(template.ParseFiles("testdata/nginx.conf.tmpl"))
	var conf bytes.Buffer
	var addrs []string
	for _, nd := range c.nodes {
		addrs = append(addrs, nd.addr)
	}
	if err := tmpl.Execute(&conf, map[string]any{"Dir": c.dir, "Nodes": addrs, "Listen": proxyAddr, "Root": os.Geteuid() == 0}); err != nil {
		t.Fatal(err)
	}
	confPath := filepath.Join(c.dir, "nginx.conf")
	if err := os.WriteFile(confPath, conf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	c.nginx = exec.Command(nginxBin, "-p", c.dir, "-c", confPath)
	c.nginx.Stdout, c.nginx.Stderr = os.Stderr, os.Stderr
	if err := c.nginx.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.nginx.Process.Signal(os.Interrupt)
		c.nginx.Wait()
	})
	waitFor(t, 10*time.Second, "nginx did not answer", func() bool {
		resp, err := http.Get(c.proxy + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	t.Cleanup(func() {
		if t.Failed() {
			for _, nd := range c.nodes {
				b, _ := os.ReadFile(nd.log)
				t.Logf("--- log of %s (last 3000 bytes):\n%s", nd.name, tail(b, 3000))
			}
			b, _ := os.ReadFile(filepath.Join(c.dir, "error.log"))
			t.Logf("--- nginx error.log:\n%s", tail(b, 3000))
		}
	})
	return c
}

// build compiles the binary once for the test.
func (c *cluster) build() {
	c.bin = filepath.Join(c.dir, "newsdesk")
	cmd := exec.Command("go", "build", "-o", c.bin, "./cmd/newsdesk")
	cmd.Dir = moduleRoot(c.t)
	if out, err := cmd.CombinedOutput(); err != nil {
		c.t.Fatalf("build: %v\n%s", err, out)
	}
}

// run runs a newsdesk command to completion.
func (c *cluster) run(stdin io.Reader, args ...string) string {
	c.t.Helper()
	cmd := exec.Command(c.bin, args...)
	cmd.Stdin = stdin
	out, err := cmd.CombinedOutput()
	if err != nil {
		c.t.Fatalf("newsdesk %s: %v\n%s", args[0], err, out)
	}
	return string(out)
}

// start runs nd's serve process, its log appended to a file.
func (c *cluster) start(nd *node) {
	c.t.Helper()
	nd.log = filepath.Join(c.dir, nd.name+".log")
	logf, err := os.OpenFile(nd.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		c.t.Fatal(err)
	}
	// The node names itself in its sessions, so that the test can tell
	// which one holds the leader lock.
	dsn := c.dsn + "&application_name=" + nd.name
	nd.cmd = exec.Command(c.bin, "serve", "--addr", nd.addr, "--db", dsn, "--no-demo", "--trust-proxy",
		"--base-url", c.proxy, "--cache-control", nodeCacheControl)
	nd.cmd.Stdout, nd.cmd.Stderr = logf, logf
	if err := nd.cmd.Start(); err != nil {
		c.t.Fatal(err)
	}
	logf.Close()
	nd.done = make(chan struct{})
	go func() {
		nd.cmd.Wait()
		close(nd.done)
	}()
	c.t.Cleanup(func() { nd.stop() })
}

func (nd *node) stop() {
	select {
	case <-nd.done:
		return
	default:
	}
	nd.cmd.Process.Signal(os.Interrupt)
	select {
	case <-nd.done:
	case <-time.After(15 * time.Second):
		nd.cmd.Process.Kill()
		<-nd.done
	}
}

// kill ends nd with SIGKILL, as a crash would: no shutdown, no goodbye to
// the database.
func (nd *node) kill() {
	nd.cmd.Process.Kill()
	<-nd.done
}

func (c *cluster) waitHealthy(nd *node) {
	c.t.Helper()
	waitFor(c.t, 30*time.Second, nd.name+" did not become healthy", func() bool {
		select {
		case <-nd.done:
			c.t.Fatalf("%s exited at start", nd.name)
		default:
		}
		resp, err := http.Get(nd.url() + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
}

// leader returns the node holding the leader lock, or nil.
func (c *cluster) leader() *node {
	c.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.dsn)
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close(ctx)
	var app string
	err = conn.QueryRow(ctx, `SELECT a.application_name FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
		WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE '%' || $1`, AppSuffix).Scan(&app)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil
	} else if err != nil {
		c.t.Fatal(err)
	}
	for _, nd := range c.nodes {
		if strings.HasPrefix(app, nd.name+" ") {
			return nd
		}
	}
	c.t.Fatalf("the leader lock is held by %q, not a node", app)
	return nil
}

// storyStatus reads a story's status straight from the database.
func (c *cluster) storyStatus(slug string) string {
	c.t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.dsn)
	if err != nil {
		c.t.Fatal(err)
	}
	defer conn.Close(ctx)
	var status string
	if err := conn.QueryRow(ctx, "SELECT status FROM stories WHERE slug = $1", slug).Scan(&status); err != nil {
		c.t.Fatalf("story %s: %v", slug, err)
	}
	return status
}

// editor is a logged-in browser whose requests go to base.
type editor struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newEditor(t *testing.T) *editor {
	jar, _ := cookiejar.New(nil)
	return &editor{t: t, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfField = regexp.MustCompile(`name="_csrf" value="([^"]+)"`)

// do sends a request to e.base+path; a form is posted with the CSRF token
// of the page from.
func (e *editor) do(method, path string, form url.Values, from string) (*http.Response, string) {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		_, page := e.do("GET", from, nil, "")
		m := csrfField.FindStringSubmatch(page)
		if m == nil {
			e.t.Fatalf("GET %s: no CSRF token", from)
		}
		form.Set("_csrf", m[1])
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.base+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := e.c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func (e *editor) login() {
	e.t.Helper()
	resp, body := e.do("POST", "/admin/login", url.Values{"email": {"ed@example.com"}, "password": {"cluster test password"}}, "/admin/login")
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login on %s = %d: %.300s", e.base, resp.StatusCode, body)
	}
}

// create saves a new story and returns its slug.
func (e *editor) create(title, status string, at time.Time) string {
	e.t.Helper()
	resp, body := e.do("POST", "/admin/stories", url.Values{"title": {title}, "body": {"Written by the cluster test.\n\nA second paragraph."},
		"status": {status}, "published_at": {at.UTC().Format(time.RFC3339)}, "section": {"World"}}, "/admin/stories/new")
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("create story on %s = %d: %.500s", e.base, resp.StatusCode, body)
	}
	return slugify(title)
}

func slugify(title string) string {
	return strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(title), "-"), "-")
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c *cluster) testPublishVisible(t *testing.T) {
	// The front page is in the proxy's cache and in every node's.
	hits := 0
	for range 6 {
		resp, err := http.Get(c.proxy + "/")
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("front page through the proxy = %d", resp.StatusCode)
		}
		if resp.Header.Get("X-Cache-Status") == "HIT" {
			hits++
		}
	}
	if hits == 0 {
		t.Fatal("the proxy never answered the front page from its cache")
	}
	ed := newEditor(t)
	ed.base = c.nodes[0].url()
	ed.login()
	title := fmt.Sprintf("Harbour cranes return after the storm %d", time.Now().UnixNano()%100000)
	ed.create(title, "published", time.Now().Add(-time.Minute))
	published := time.Now()
	for {
		_, body := get(t, c.proxy+"/")
		if strings.Contains(body, title) {
			t.Logf("visible through the proxy %v after the publish returned", time.Since(published).Round(time.Millisecond))
			break
		}
		if time.Since(published) > 2*time.Second {
			t.Fatalf("a story published on node 1 is not on the front page through the proxy after 2 s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Each node shows it too, from its own render cache.
	for _, nd := range c.nodes {
		if _, body := get(t, nd.url()+"/"); !strings.Contains(body, title) {
			t.Errorf("%s's front page lacks the story published on node 1", nd.name)
		}
	}
}

func (c *cluster) testLoginShared(t *testing.T) {
	ed := newEditor(t)
	ed.base = c.nodes[1].url()
	ed.login()
	ed.base = c.nodes[2].url()
	if resp, body := ed.do("GET", "/admin/stories", nil, ""); resp.StatusCode != http.StatusOK || !strings.Contains(body, "Ed") {
		t.Fatalf("node 3 with node 2's session: /admin/stories = %d", resp.StatusCode)
	}
	ed.base = c.proxy
	if resp, _ := ed.do("GET", "/admin/stories", nil, ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("the proxy with node 2's session: /admin/stories = %d", resp.StatusCode)
	}
	// Logging out on node 3 ends the session on node 2.
	ed.base = c.nodes[2].url()
	if resp, _ := ed.do("POST", "/admin/logout", url.Values{}, "/admin/stories"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout on node 3 = %d", resp.StatusCode)
	}
	ed.base = c.nodes[1].url()
	if resp, _ := ed.do("GET", "/admin/stories", nil, ""); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("node 2 after logout on node 3: /admin/stories = %d, want a redirect to login", resp.StatusCode)
	}
}

// Node 2 loads its related index with a first write; node 1 then writes a
// story; node 2's next write on the same topic must find it related,
// which it can only if hearing node 1's write made it reload its index.
func (c *cluster) testRelatedIndexShared(t *testing.T) {
	ed2 := newEditor(t)
	ed2.base = c.nodes[1].url()
	ed2.login()
	n := time.Now().UnixNano() % 100000
	// Node 2's first story is on the same topic, so that the later one has
	// a neighbour either way; no story has a section, so that no list is
	// filled from the latest stories of a section (which would hide a
	// stale index).
	resp, body := ed2.do("POST", "/admin/stories", url.Values{"title": {fmt.Sprintf("Alpine huts close early as the glacier path crumbles %d", n)},
		"body":   {"The alpine huts below the glacier closed early. Guides said the glacier path crumbled as the ice melted.\n\nResearchers blame the warm summer for the glacier melt."},
		"status": {"published"}, "published_at": {time.Now().Add(-2 * time.Minute).UTC().Format(time.RFC3339)}}, "/admin/stories/new")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create on node 2 = %d: %.300s", resp.StatusCode, body)
	}
	ed1 := newEditor(t)
	ed1.base = c.nodes[0].url()
	ed1.login()
	first := fmt.Sprintf("Glacier retreat measured by alpine researchers %d", n)
	resp, body = ed1.do("POST", "/admin/stories", url.Values{"title": {first},
		"body":   {"Alpine researchers measured the glacier retreat this summer. The glacier lost forty metres of ice, the researchers said, and meltwater lakes grew below the alpine ridge.\n\nThe glacier survey used drones and stakes drilled into the ice."},
		"status": {"published"}, "published_at": {time.Now().Add(-time.Minute).UTC().Format(time.RFC3339)}}, "/admin/stories/new")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create on node 1 = %d: %.300s", resp.StatusCode, body)
	}
	// Node 2 has heard of it (its front page shows it).
	waitFor(t, 5*time.Second, "node 2 never showed node 1's story", func() bool {
		_, b := get(t, c.nodes[1].url()+"/")
		return strings.Contains(b, first)
	})
	second := fmt.Sprintf("Alpine glacier loses more ice as meltwater lakes grow %d", n)
	resp, body = ed2.do("POST", "/admin/stories", url.Values{"title": {second},
		"body":   {"Meltwater lakes below the alpine glacier grew again, and the ice retreat worries researchers.\n\nGlacier researchers plan a new survey of the alpine ice next spring."},
		"status": {"published"}, "published_at": {time.Now().UTC().Format(time.RFC3339)}}, "/admin/stories/new")
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create on node 2 = %d: %.300s", resp.StatusCode, body)
	}
	_, page := get(t, c.nodes[1].url()+"/articles/"+slugify(second))
	i := strings.Index(page, `id="related"`)
	if i < 0 {
		t.Fatal("no related section on node 2's new story")
	}
	related := page[i:]
	if j := strings.Index(related, "</aside>"); j >= 0 {
		related = related[:j]
	}
	if !strings.Contains(related, first) {
		t.Errorf("node 2's story on the same topic does not list node 1's story as related: node 2's related index missed node 1's write")
	}
}

func (c *cluster) testKillUnderLoad(t *testing.T) {
	// Article pages with a query the proxy has not seen: each request
	// reaches a node. A bounded load: 6 clients for about 6 seconds.
	_, front := get(t, c.proxy+"/")
	links := regexp.MustCompile(`href="(/articles/[a-z0-9-]+)"`).FindAllStringSubmatch(front, -1)
	if len(links) == 0 {
		t.Fatal("no article links on the front page")
	}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	var ok, failed atomic.Int64
	var mu sync.Mutex
	var failures []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				u := fmt.Sprintf("%s%s?load=%d-%d-%d", c.proxy, links[rand.IntN(len(links))][1], w, i, rand.Int())
				resp, err := client.Get(u)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				if err != nil || resp.StatusCode != http.StatusOK {
					failed.Add(1)
					mu.Lock()
					if err != nil {
						failures = append(failures, err.Error())
					} else {
						failures = append(failures, fmt.Sprintf("%s: %d", u, resp.StatusCode))
					}
					mu.Unlock()
				} else {
					ok.Add(1)
				}
			}
		})
	}
	time.Sleep(2 * time.Second)
	victim := c.nodes[2]
	if l := c.leader(); l == victim {
		victim = c.nodes[1] // keep the leader for the next test
	}
	before := ok.Load()
	victim.kill()
	time.Sleep(4 * time.Second)
	close(stop)
	wg.Wait()
	t.Logf("%d requests answered, %d after %s was killed; %d failed", ok.Load(), ok.Load()-before, victim.name, failed.Load())
	if failed.Load() > 0 {
		t.Errorf("%d requests failed through the proxy after a node was killed, want 0: %v", failed.Load(), failures[:min(len(failures), 5)])
	}
	if ok.Load()-before == 0 {
		t.Error("no request was answered after the kill")
	}
	// The node comes back and serves again.
	c.start(victim)
	c.waitHealthy(victim)
}

func (c *cluster) testLeaderHandover(t *testing.T) {
	var lead *node
	waitFor(t, 30*time.Second, "no node leads", func() bool { lead = c.leader(); return lead != nil })
	var other *node
	for _, nd := range c.nodes {
		if nd != lead {
			other = nd
			break
		}
	}
	ed := newEditor(t)
	ed.base = other.url()
	ed.login()
	due := time.Now().Add(3 * time.Second)
	slug := ed.create(fmt.Sprintf("Ferry timetable changes from Monday %d", time.Now().UnixNano()%100000), "scheduled", due)
	if s := c.storyStatus(slug); s != "scheduled" {
		t.Fatalf("new story is %s, want scheduled", s)
	}
	lead.kill()
	killed := time.Now()
	waitFor(t, 30*time.Second, "no node published the scheduled story within 30 s of the leader's death", func() bool {
		return c.storyStatus(slug) == "published"
	})
	t.Logf("%s killed; the story due %v later was published %v after the kill",
		lead.name, due.Sub(killed).Round(time.Millisecond), time.Since(killed).Round(time.Millisecond))
	if nl := c.leader(); nl == nil || nl == lead {
		t.Errorf("after the kill the leader is %v", nl)
	}
}

func waitFor(t *testing.T, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func moduleRoot(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Dir(strings.TrimSpace(string(out)))
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}
