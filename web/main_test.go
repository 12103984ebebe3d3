package web

import (
	"flag"
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Verbose() {
		testLog = os.Stderr
	}
	os.Exit(m.Run())
}
