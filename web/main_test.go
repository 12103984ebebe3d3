package web

import (
	"flag"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"
)

func TestMain(m *testing.M) {
	flag.Parse()
	if err := chooseStore(); err != nil {
		fmt.Fprintln(os.Stderr, "FAIL:", err)
		os.Exit(1)
	}
	if testing.Verbose() {
		testLog = os.Stderr
	}
	os.Exit(m.Run())
}

var httpClient = &http.Client{Timeout: 10 * time.Second}
