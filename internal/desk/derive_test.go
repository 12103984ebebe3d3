package desk

import (
	"sync"
	"testing"
	"time"

	"newsdesk/internal/news"
)

// Derivation holds its gate a story at a time: while related scoring
// holds Desk.yield for writing, no story is derived, and once it lets go
// every story is.
func TestDerivationWaitsForScoring(t *testing.T) {
	var gate sync.RWMutex
	stories := []*news.Story{
		{Title: "Council votes on the budget", Body: "The council voted on Tuesday. The budget passed."},
		{Title: "Flood warning for the valley", Body: "Rivers rose overnight. Roads were closed."},
	}
	gate.Lock()
	out, ready := deriveAll(stories, 2, gate.RLocker(), func(int) bool { return false })
	select {
	case <-ready[0]:
		t.Fatal("a story was derived while scoring held the gate")
	case <-ready[1]:
		t.Fatal("a story was derived while scoring held the gate")
	case <-time.After(50 * time.Millisecond):
	}
	gate.Unlock()
	for i, r := range ready {
		<-r
		if out[i].Hash == "" || out[i].Print == nil {
			t.Errorf("story %d: not derived: %+v", i, out[i].Derived)
		}
	}
}
