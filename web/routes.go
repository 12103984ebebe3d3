package web

// routes lists every route of the site.
func (s *Server) routes() {
	s.e.GET("/", s.showFront)
	s.e.GET("/articles/:slug", s.showArticle)
	s.e.GET("/tags/:slug", s.showTag)
	s.e.GET("/sources/:slug", s.showSource)
	s.e.GET("/sections/:slug", s.showSection)
	s.e.GET("/healthz", s.health)
	s.e.GET("/static/*", s.serveAsset)
	s.e.GET("/favicon.ico", s.favicon)
}
