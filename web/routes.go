package web

// routes lists every route of the site.
func (s *Server) routes() {
	s.e.GET("/", s.showFront)
	s.e.GET("/articles/:slug", s.showArticle)
	s.e.GET("/tags/:slug", s.showTag)
	s.e.GET("/sources/:slug", s.showSource)
	s.e.GET("/sections/:slug", s.showSection)
	s.e.GET("/search", s.search)
	s.e.GET("/feed.xml", s.showFeed)
	s.e.GET("/tags/:slug/feed.xml", s.showTagFeed)
	s.e.GET("/sources/:slug/feed.xml", s.showSourceFeed)
	s.e.GET("/sections/:slug/feed.xml", s.showSectionFeed)
	s.e.GET("/articles/:slug/feed.xml", s.showStoryFeed)
	s.e.GET("/sitemap.xml", s.showSitemapIndex)
	s.e.GET("/sitemaps/:name", s.showSitemap)
	s.e.GET("/news-sitemap.xml", s.showNewsSitemap)
	s.e.GET("/robots.txt", s.showRobots)
	s.e.GET("/healthz", s.health)
	s.e.GET("/static/*", s.serveAsset)
	s.e.GET("/favicon.ico", s.favicon)
}
