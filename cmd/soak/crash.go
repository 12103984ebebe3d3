package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

type crasher struct {
	o      *options
	dir    string
	db     string
	file   string   // the file the rounds import now
	files  []string // every file generated so far
	urls   []string // the stories of every file generated so far
	acked  int      // how many of urls an import acknowledged (exit 0)
	r      *rand.Rand
	port   int
	client *http.Client
	log    *os.File
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func crashMode(ctx context.Context, o *options) error {
	c := &crasher{o: o, client: newClient(4)}
	c.client.Timeout = 2 * time.Second
	if o.db == "" {
		dir, err := os.MkdirTemp("", "soak-crash-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		o.db = filepath.Join(dir, "crash.db")
	}
	if _, err := os.Stat(o.db); err == nil {
		return fmt.Errorf("-db %s exists; crash mode wants a new file", o.db)
	}
	c.db = o.db
	c.dir = filepath.Dir(o.db)
	var err error
	if c.port, err = freePort(); err != nil {
		return err
	}
	if c.log, err = os.Create(filepath.Join(c.dir, "crash-serve.log")); err != nil {
		return err
	}
	defer c.log.Close()

	// Rounds import one file until an import of it is acknowledged, then
	// move on to a fresh file of new stories: every round's kill lands on
	// an import that still has stories to write.
	c.r = rand.New(rand.NewSource(o.seed))
	r := c.r
	if err := c.nextFile(); err != nil {
		return err
	}
	fmt.Printf("crash mode: %d rounds, db %s, %d-story file, port %d, seed %d\n", o.crash.rounds, c.db, o.crashStories, c.port, o.seed)

	var (
		failures  []string
		maxHealth time.Duration
		acked     bool // an import of the whole file exited 0
		ackRounds int
		intOK     int
		midAdd    int // rounds whose kill hit an import that still had stories to add
	)
	for round := 1; round <= o.crash.rounds && ctx.Err() == nil; round++ {
		// A 1,000-story import takes under a second here: kill within it.
		killAt := 20*time.Millisecond + time.Duration(r.Int63n(int64(700*time.Millisecond)))
		before := 0
		if _, serr := os.Stat(c.db); serr == nil {
			if before, err = c.present(ctx); err != nil {
				return err
			}
		}
		res, err := c.round(ctx, round, killAt, acked)
		if !res.importOK && before < len(c.urls) {
			midAdd++
		}
		if res.health > maxHealth {
			maxHealth = res.health
		}
		if res.integrity == "ok" {
			intOK++
		}
		if res.importOK {
			ackRounds++
		}
		status := "ok"
		if err != nil {
			status = "FAIL: " + err.Error()
			failures = append(failures, fmt.Sprintf("round %d: %v", round, err))
		}
		fmt.Printf("round %2d: kill at %4dms, import %-28s present %4d→%4d/%d, healthy in %4dms, integrity %s, %s\n",
			round, killAt.Milliseconds(), res.importState, before, res.present, len(c.urls), res.health.Milliseconds(), res.integrity, status)
		acked = acked || res.importOK
		if res.importOK {
			c.acked = len(c.urls)
			if err := c.nextFile(); err != nil {
				return err
			}
		}
	}
	if ctx.Err() != nil {
		failures = append(failures, "interrupted")
	}

	// Import the whole file once more: only the missing stories are new.
	var final string
	if ctx.Err() == nil {
		present, err := c.present(ctx)
		if err != nil {
			failures = append(failures, "final count: "+err.Error())
		}
		all := filepath.Join(c.dir, "crash-all.ndjson")
		var whole bytes.Buffer
		for _, f := range c.files {
			b, err := os.ReadFile(f)
			if err != nil {
				return err
			}
			whole.Write(b)
		}
		if err := os.WriteFile(all, whole.Bytes(), 0o644); err != nil {
			return err
		}
		out, err := exec.CommandContext(ctx, c.o.bin, "import", "--db", c.db, all).CombinedOutput()
		rep, perr := parseReport(string(out))
		switch {
		case err != nil:
			failures = append(failures, fmt.Sprintf("final import: %v: %s", err, firstLine(string(out))))
		case perr != nil:
			failures = append(failures, "final import: "+perr.Error())
		case rep.added != len(c.urls)-present || rep.updated != 0 || rep.duplicates != present || rep.rejected != 0:
			failures = append(failures, fmt.Sprintf("final import of %d stories with %d present: %q, want added %d, updated 0, duplicates %d",
				len(c.urls), present, firstLine(string(out)), len(c.urls)-present, present))
		}
		after, err := c.present(ctx)
		if err == nil && after != len(c.urls) {
			failures = append(failures, fmt.Sprintf("after the final import %d of %d stories are present", after, len(c.urls)))
		}
		integ, err := c.integrity(ctx)
		if err != nil || integ != "ok" {
			failures = append(failures, fmt.Sprintf("final integrity_check: %q %v", integ, err))
		}
		final = fmt.Sprintf("%s with %d present before (want added %d), then %d/%d present, integrity %s",
			firstLine(string(out)), present, len(c.urls)-present, after, len(c.urls), integ)
		fmt.Println("final re-import:", final)
	}

	verdict := "PASS"
	if len(failures) > 0 {
		verdict = "FAIL"
	}
	fmt.Printf("SUMMARY crash %s: %d rounds, %d failures, integrity ok %d/%d, max time to healthy %dms (limit %dms), import finished before the kill in %d rounds, killed while adding stories in %d\n",
		verdict, o.crash.rounds, len(failures), intOK, o.crash.rounds, maxHealth.Milliseconds(), o.healthyWithin.Milliseconds(), ackRounds, midAdd)
	for _, f := range failures {
		fmt.Println("  FAIL", f)
	}
	if len(failures) > 0 {
		return fmt.Errorf("%d crash-mode failures (serve log: %s)", len(failures), c.log.Name())
	}
	return nil
}

type roundResult struct {
	importOK    bool
	importState string
	present     int
	health      time.Duration
	integrity   string
}

type proc struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error
	out  bytes.Buffer
}

func (c *crasher) start(ctx context.Context, args ...string) (*proc, error) {
	p := &proc{cmd: exec.CommandContext(ctx, c.o.bin, args...), done: make(chan struct{})}
	if args[0] == "serve" {
		p.cmd.Stdout, p.cmd.Stderr = c.log, c.log
	} else {
		p.cmd.Stdout, p.cmd.Stderr = &p.out, &p.out
	}
	p.cmd.WaitDelay = 5 * time.Second
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	return p, nil
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

func (p *proc) kill() {
	if !p.exited() {
		p.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-p.done
}

// stop ends serve gracefully, as an operator would.
func (p *proc) stop() error {
	if !p.exited() {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(10 * time.Second):
		p.kill()
		return errors.New("serve did not stop within 10 s of SIGTERM")
	}
}

func (c *crasher) serveArgs() []string {
	return []string{"serve", "--no-demo", "--addr", fmt.Sprintf("127.0.0.1:%d", c.port), "--db", c.db}
}

func (c *crasher) round(ctx context.Context, round int, killAt time.Duration, acked bool) (res roundResult, err error) {
	fmt.Fprintf(c.log, "--- round %d: start, kill at %s\n", round, killAt)
	srv, err := c.start(ctx, c.serveArgs()...)
	if err != nil {
		return res, err
	}
	imp, err := c.start(ctx, "import", "--db", c.db, c.file)
	if err != nil {
		srv.kill()
		return res, err
	}
	sleep(ctx, killAt)
	impDone, srvDone := imp.exited(), srv.exited()
	imp.kill()
	srv.kill()
	switch {
	case impDone && imp.err == nil:
		res.importOK = true
		rep, _ := parseReport(imp.out.String())
		res.importState = fmt.Sprintf("done (added %d, dup %d),", rep.added, rep.duplicates)
	case impDone:
		res.importState = "failed,"
		err = fmt.Errorf("import failed before the kill: %v: %s", imp.err, firstLine(imp.out.String()))
	default:
		res.importState = "killed,"
	}
	if srvDone && err == nil {
		err = fmt.Errorf("serve exited before the kill: %v (see %s)", srv.err, c.log.Name())
	}

	// Restart and time it.
	fmt.Fprintf(c.log, "--- round %d: restart\n", round)
	start := time.Now()
	srv, serr := c.start(ctx, c.serveArgs()...)
	if serr != nil {
		return res, serr
	}
	defer func() {
		if e := srv.stop(); e != nil && err == nil {
			err = fmt.Errorf("graceful stop of serve: %v", e)
		}
	}()
	healthy := false
	health := fmt.Sprintf("http://127.0.0.1:%d/healthz", c.port)
	for time.Since(start) < 10*time.Second && ctx.Err() == nil && !srv.exited() {
		if resp, e := c.client.Get(health); e == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				healthy = true
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	res.health = time.Since(start)
	if !healthy {
		res.integrity = "not checked"
		return res, errors.Join(err, fmt.Errorf("/healthz not 200 within %s after restart", res.health.Round(time.Millisecond)))
	}
	if res.health > c.o.healthyWithin {
		err = errors.Join(err, fmt.Errorf("healthy only after %s (limit %s)", res.health.Round(time.Millisecond), c.o.healthyWithin))
	}
	integ, ierr := c.integrity(ctx)
	res.integrity = integ
	if ierr != nil || integ != "ok" {
		err = errors.Join(err, fmt.Errorf("integrity_check: %q %v", integ, ierr))
	}
	n, perr := c.present(ctx)
	res.present = n
	if perr != nil {
		err = errors.Join(err, perr)
	} else if want := c.ackedNow(res.importOK); n < want {
		err = errors.Join(err, fmt.Errorf("lost writes: imports of %d stories exited 0, but only %d are present", want, n))
	}
	return res, err
}

func (c *crasher) integrity(ctx context.Context) (string, error) {
	db, err := openRO(c.db)
	if err != nil {
		return "", err
	}
	defer db.Close()
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return "", err
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return "", err
		}
		lines = append(lines, s)
	}
	return strings.Join(lines, "; "), rows.Err()
}

// present counts the stories of the crash file in the database.
func (c *crasher) present(ctx context.Context) (int, error) {
	db, err := openRO(c.db)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	set, err := column(ctx, db, "SELECT url FROM stories WHERE url LIKE ?", fmt.Sprintf("https://soak.invalid/crash/%d/%%", c.o.seed))
	if err != nil {
		return 0, fmt.Errorf("count stories: %w", err)
	}
	n := 0
	for _, u := range c.urls {
		if set[u] {
			n++
		}
	}
	return n, nil
}

// nextFile writes a fresh file of o.crashStories new stories and makes it
// the one the rounds import.
func (c *crasher) nextFile() error {
	n := len(c.files)
	c.file = filepath.Join(c.dir, fmt.Sprintf("crash-stories-%d.ndjson", n))
	var buf bytes.Buffer
	base := time.Now().Add(-48 * time.Hour)
	for i := 0; i < c.o.crashStories; i++ {
		u := fmt.Sprintf("https://soak.invalid/crash/%d/%d/%d", c.o.seed, n, i)
		c.urls = append(c.urls, u)
		writeStory(&buf, c.r, u, base.Add(time.Duration(i)*time.Minute))
	}
	c.files = append(c.files, c.file)
	return os.WriteFile(c.file, buf.Bytes(), 0o644)
}

// ackedNow is how many stories must be present after a round whose import
// did (ok) or did not exit 0.
func (c *crasher) ackedNow(ok bool) int {
	if ok {
		return len(c.urls)
	}
	return c.acked
}
