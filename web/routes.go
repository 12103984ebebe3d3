package web

// routes lists every route of the site.
func (s *Server) routes() {
	// Reader pages: the same for every visitor, so cached and shared.
	r := s.e.Group("", s.cachePages)
	r.GET("/", s.showFront)
	r.GET("/articles/:slug", s.showArticle)
	r.GET("/articles/:slug/feed.xml", s.showStoryFeed)
	r.GET("/tags/:slug", s.showTag)
	r.GET("/tags/:slug/feed.xml", s.showTagFeed)
	r.GET("/sources/:slug", s.showSource)
	r.GET("/sources/:slug/feed.xml", s.showSourceFeed)
	r.GET("/sections/:slug", s.showSection)
	r.GET("/sections/:slug/feed.xml", s.showSectionFeed)
	r.GET("/search", s.search)
	r.GET("/feed.xml", s.showFeed)
	r.GET("/sitemap.xml", s.showSitemapIndex)
	r.GET("/sitemaps/:name", s.showSitemap)
	r.GET("/news-sitemap.xml", s.showNewsSitemap)
	r.GET("/robots.txt", s.showRobots)

	s.e.GET("/healthz", s.health)
	s.e.GET("/static/*", s.serveAsset)
	s.e.GET("/favicon.ico", s.favicon)
}
