package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"newsdesk/internal/news"
)

// mustSetupLink makes a setup link on srv.
func mustSetupLink(t testing.TB, srv *Server) string {
	t.Helper()
	link, err := srv.NewSetupToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return link
}

// Two servers over one database stand for two nodes behind a load
// balancer: failed logins on one lock the account on the other.
func TestLoginLockoutSharedBetweenNodes(t *testing.T) {
	a := newTestSite(t)
	addUser(t, a, "ed@example.com", news.RoleEditor)
	b := siteOver(t, a, storeOf(a.reopen()), nil) // its own handle on the database, as another node has
	for i := range accountFailures {
		site := a
		if i%2 == 1 {
			site = b
		}
		resp, _ := site.browser(t).post("/admin/login", "/admin/login", url.Values{"email": {"ed@example.com"}, "password": {"wrong"}})
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d = %d, want 401", i, resp.StatusCode)
		}
	}
	for name, site := range map[string]*testSite{"first": a, "second": b} {
		resp, body := site.browser(t).post("/admin/login", "/admin/login", url.Values{"email": {"ed@example.com"}, "password": {"password-ed@example.com"}})
		if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "paused") {
			t.Errorf("right password on the %s node after %d failures spread over two = %d, want 429", name, accountFailures, resp.StatusCode)
		}
	}
}

// A setup link logged by one node works on another, and only until the
// first administrator exists, whichever node's link made them.
func TestSetupLinkWorksOnEveryNode(t *testing.T) {
	a := newTestSite(t)
	b := siteOver(t, a, storeOf(a.reopen()), nil) // its own handle on the database, as another node has
	linkA, linkB := mustSetupLink(t, a.srv), mustSetupLink(t, b.srv)
	if resp, _ := b.browser(t).do("GET", linkA, nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("node A's link on node B = %d, want 200", resp.StatusCode)
	}
	br := a.browser(t)
	token := strings.TrimPrefix(linkB, "/admin/setup?token=")
	resp, _ := br.post(linkB, "/admin/setup", url.Values{"token": {token}, "email": {"boss@example.com"}, "name": {"Boss"}, "password": {"long enough"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup with node B's link on node A = %d", resp.StatusCode)
	}
	for _, link := range []string{linkA, linkB} {
		for _, site := range []*testSite{a, b} {
			if resp, _ := site.browser(t).do("GET", link, nil); resp.StatusCode != http.StatusNotFound {
				t.Errorf("setup link after setup = %d, want 404", resp.StatusCode)
			}
		}
	}
}

// Comment limits count posts to every node.
func TestCommentLimitSharedBetweenNodes(t *testing.T) {
	a := newTestSite(t)
	b := siteOver(t, a, storeOf(a.reopen()), nil) // its own handle on the database, as another node has
	ctx := context.Background()
	now := a.clock.Now()
	for i := range commentsPerIP {
		srv := a.srv
		if i%2 == 1 {
			srv = b.srv
		}
		if ok, err := srv.commentsByIP.take(ctx, "192.0.2.1", now, commentsPerIP); err != nil || !ok {
			t.Fatalf("comment %d: allowed %v, err %v", i, ok, err)
		}
	}
	if ok, err := b.srv.commentsByIP.take(ctx, "192.0.2.1", now, commentsPerIP); err != nil || ok {
		t.Errorf("comment over the limit across nodes: allowed %v, err %v", ok, err)
	}
	// Limits of different kinds do not share counts.
	if ok, err := b.srv.logins.take(ctx, "192.0.2.1", now, 1); err != nil || !ok {
		t.Errorf("login limit shares the comment count: allowed %v, err %v", ok, err)
	}
}
