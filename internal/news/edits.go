package news

import "slices"

// What an editor changes on an imported story stays the editor's: a feed
// update (a poll, or an import of a corrected file) never changes a
// story's status, and leaves every field an editor changed as it is.

// editorField is one field of a story as an editor edits it.
type editorField struct {
	name string
	same func(a, b *Story) bool
	keep func(dst, src *Story) // copy the field from src into dst
}

var editorFields = []editorField{
	{"title", func(a, b *Story) bool { return a.Title == b.Title }, func(d, s *Story) { d.Title = s.Title }},
	{"summary", func(a, b *Story) bool { return a.Summary == b.Summary }, func(d, s *Story) { d.Summary = s.Summary }},
	{"body", func(a, b *Story) bool { return a.Body == b.Body }, func(d, s *Story) { d.Body = s.Body }},
	{"source", func(a, b *Story) bool { return a.Source.Name == b.Source.Name }, func(d, s *Story) { d.Source = s.Source }},
	{"author", func(a, b *Story) bool { return a.Author == b.Author }, func(d, s *Story) { d.Author = s.Author }},
	{"dateline", func(a, b *Story) bool { return a.Dateline == b.Dateline }, func(d, s *Story) { d.Dateline = s.Dateline }},
	{"section", func(a, b *Story) bool { return a.Section.Name == b.Section.Name }, func(d, s *Story) { d.Section = s.Section }},
	{"tags", func(a, b *Story) bool { return slices.Equal(tagSlugs(a), tagSlugs(b)) }, func(d, s *Story) { d.Tags = s.Tags }},
	{"image", func(a, b *Story) bool {
		return a.ImageURL == b.ImageURL && a.ImageAlt == b.ImageAlt && a.Image.ID == b.Image.ID &&
			a.ImageCaption == b.ImageCaption && a.ImageCredit == b.ImageCredit
	}, func(d, s *Story) {
		d.ImageURL, d.ImageAlt, d.Image, d.ImageCaption, d.ImageCredit = s.ImageURL, s.ImageAlt, s.Image, s.ImageCaption, s.ImageCredit
	}},
	{"published_at", func(a, b *Story) bool { return a.PublishedAt.Equal(b.PublishedAt) }, func(d, s *Story) { d.PublishedAt = s.PublishedAt }},
}

func tagSlugs(s *Story) []string {
	out := make([]string, len(s.Tags))
	for i, t := range s.Tags {
		out[i] = t.Slug
	}
	return out
}

// KeepEditorsWork turns a feed's new version s of stored story old into
// what is saved: the story's status, and every field an editor changed
// (fields, by name), stay as stored. It reports whether s changed, so
// that what was derived from the feed's text is derived again.
func KeepEditorsWork(s, old *Story, fields []string) bool {
	changed := s.Status != old.Status
	s.Status = old.Status
	s.CommentsClosed = old.CommentsClosed
	for _, f := range editorFields {
		if slices.Contains(fields, f.name) && !f.same(s, old) {
			f.keep(s, old)
			changed = true
		}
	}
	return changed
}

// ChangedFields returns the names of the fields in which s differs from old.
func ChangedFields(s, old *Story) []string {
	var out []string
	for _, f := range editorFields {
		if !f.same(s, old) {
			out = append(out, f.name)
		}
	}
	return out
}

// AllEditorFields names every field: a story written in the newsroom is
// the editor's through and through.
func AllEditorFields() []string {
	out := make([]string, len(editorFields))
	for i, f := range editorFields {
		out[i] = f.name
	}
	return out
}
