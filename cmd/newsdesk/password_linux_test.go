package main

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY returns the two ends of a new pseudo-terminal.
func openPTY(t *testing.T) (control, term *os.File) {
	t.Helper()
	control, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_NONBLOCK, 0) // non-blocking: reads honour deadlines
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { control.Close() })
	if err := unix.IoctlSetPointerInt(int(control.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(control.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	term, err = os.OpenFile("/dev/pts/"+strconv.Itoa(int(n)), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term.Close() })
	return control, term
}

// On a terminal the password is asked twice and never echoed.
func TestPasswordOnTerminal(t *testing.T) {
	for _, tt := range []struct {
		name, first, second string
		ok                  bool
	}{
		{"same twice", "correct horse battery", "correct horse battery", true},
		{"typo", "correct horse battery", "correct horse batery", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			control, term := openPTY(t)
			var prompts syncBuffer
			type result struct {
				pw  string
				err error
			}
			done := make(chan result, 1)
			go func() {
				pw, err := readPassword(term, &prompts)
				done <- result{pw, err}
			}()
			// Type each line once its prompt is shown and echo is off.
			for i, line := range []string{tt.first, tt.second} {
				waitFor(t, func() bool {
					return strings.Count(prompts.String(), "Password") > i && !echoOn(t, term)
				})
				if _, err := control.WriteString(line + "\n"); err != nil {
					t.Fatal(err)
				}
			}
			var r result
			select {
			case r = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("readPassword did not return")
			}
			if tt.ok && (r.err != nil || r.pw != tt.first) {
				t.Errorf("readPassword = %q, %v; want %q", r.pw, r.err, tt.first)
			}
			if !tt.ok && (r.err == nil || !strings.Contains(r.err.Error(), "differ")) {
				t.Errorf("readPassword with a typo = %q, %v; want an error", r.pw, r.err)
			}
			if got := prompts.String(); !strings.Contains(got, "Password: ") || !strings.Contains(got, "Password again: ") {
				t.Errorf("prompts = %q", got)
			}
			// Whatever the terminal showed: no password in it.
			control.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			shown := make([]byte, 4096)
			n, _ := control.Read(shown)
			if strings.Contains(string(shown[:n]), "horse") {
				t.Errorf("the terminal echoed the password: %q", shown[:n])
			}
		})
	}
}

// echoOn reports whether the terminal echoes what is typed.
func echoOn(t *testing.T, term *os.File) bool {
	tio, err := unix.IoctlGetTermios(int(term.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return tio.Lflag&unix.ECHO != 0
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}
