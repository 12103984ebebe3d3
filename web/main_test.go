package web

import (
	"flag"
	"net/http"
	"os"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Verbose() {
		testLog = os.Stderr
	}
	os.Exit(m.Run())
}

var httpClient = &http.Client{Timeout: 10 * time.Second}
