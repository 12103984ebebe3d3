package web

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// routes lists every route of the site.
func (s *Server) routes() {
	// Reader pages: the same for every visitor, so cached and shared.
	r := s.e.Group("", s.cachePages)
	r.GET("/", s.showFront)
	r.GET("/articles/:slug", s.showArticle)
	r.GET("/articles/:slug/feed.xml", s.showStoryFeed)
	r.GET("/coverage/:slug", s.showCoverage)
	r.GET("/tags/:slug", s.showList("tags"))
	r.GET("/tags/:slug/feed.xml", s.showListFeed("tags"))
	r.GET("/sources/:slug", s.showList("sources"))
	r.GET("/sources/:slug/feed.xml", s.showListFeed("sources"))
	r.GET("/sections/:slug", s.showList("sections"))
	r.GET("/sections/:slug/feed.xml", s.showListFeed("sections"))
	r.GET("/authors/:slug", s.showList("authors"))
	r.GET("/authors/:slug/feed.xml", s.showListFeed("authors"))
	r.GET(searchPath, s.search, s.heavy)
	r.GET("/feed.xml", s.showFeed)
	r.GET("/sitemap.xml", s.showSitemapIndex)
	r.GET("/sitemaps/:name", s.showSitemap)
	r.GET("/news-sitemap.xml", s.showNewsSitemap)
	r.GET("/robots.txt", s.showRobots)

	// The newsroom: every route behind login, CSRF-checked, never cached.
	a := s.e.Group("/admin", s.adminOnly, s.loadUser, s.csrf())
	a.GET("", func(c echo.Context) error { return c.Redirect(http.StatusSeeOther, "/admin/stories") })
	a.GET("/login", s.showLogin)
	a.POST("/login", s.login)
	a.GET("/setup", s.showSetup)
	a.POST("/setup", s.doSetup)
	u := a.Group("", requireUser)
	u.POST("/logout", s.logout)
	u.GET("/account", s.showAccount)
	u.POST("/account", s.changePassword)
	u.GET("/stories", s.listStories)
	u.GET("/stories/new", s.newStory)
	u.POST("/stories", s.createStory)
	u.GET("/stories/:id", s.editStory)
	u.POST("/stories/:id", s.updateStory)
	u.POST("/stories/preview", s.previewForm)
	u.GET("/stories/:id/preview", s.previewStory)
	u.GET("/stories/:id/revisions", s.listRevisions)
	u.GET("/stories/:id/revisions/:rev", s.listRevisions)
	u.POST("/stories/:id/revisions/:rev/restore", s.restoreRevision)
	u.POST("/stories/:id/trash", s.trashStory)
	u.POST("/stories/:id/restore", s.restoreStory)
	u.GET("/stories/:id/cluster", s.showCluster)
	u.POST("/stories/:id/cluster/lead", s.clusterAction("lead"))
	u.POST("/stories/:id/cluster/split", s.clusterAction("split"))
	u.POST("/stories/:id/cluster/merge", s.clusterAction("merge"))
	u.GET("/trash/empty", s.confirmEmptyTrash)
	u.POST("/trash/empty", s.emptyTrash)
	u.GET("/taxonomy", s.showTaxonomy)
	u.POST("/sections", s.addSection)
	u.POST("/sections/:id", s.renameNamed("sections"))
	u.POST("/sources/:id", s.renameNamed("sources"))
	u.POST("/sources/:id/original", s.setSourceOriginal)
	u.POST("/tags/:id", s.renameNamed("tags"))
	u.POST("/tags/merge", s.mergeTags)
	for _, kind := range []string{"sections", "tags"} {
		u.GET("/"+kind+"/:id/delete", s.confirmDeleteName(kind))
		u.POST("/"+kind+"/:id/delete", s.deleteName(kind))
	}
	if s.feeds.Store != nil {
		u.GET("/sources", s.showSources)
		u.POST("/feeds", s.addFeed)
		u.POST("/feeds/:id/fetch", s.fetchFeed)
		u.POST("/feeds/:id/delete", s.removeFeed)
	}
	u.GET("/comments", s.showModeration)
	u.POST("/comments", s.moderate)
	u.POST("/comments/settings", s.saveCommentSettings)
	u.GET("/settings", s.showSettings, requireAdmin)
	u.POST("/settings", s.saveSettings, requireAdmin)
	u.GET("/users", s.listUsers, requireAdmin)
	u.POST("/users", s.createUser, requireAdmin)
	u.POST("/users/:id", s.updateUser, requireAdmin)

	s.e.POST("/articles/:slug/comments", s.postComment, limitBody(64<<10))

	s.e.GET("/healthz", s.health)
	s.e.GET("/static/*", s.serveAsset)
	s.e.GET("/media/:name", s.serveMedia)
	s.e.GET("/favicon.ico", s.favicon)
}
