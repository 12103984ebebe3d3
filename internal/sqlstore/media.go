package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"newsdesk/internal/news"
)

// Image returns the stored image id.
func (r Reads) Image(ctx context.Context, id string) (news.Image, error) {
	im := news.Image{ID: id}
	err := r.Q.QueryRow(ctx, "SELECT width, height FROM media WHERE id = ?", id).Scan(&im.Width, &im.Height)
	return im, NotFound(err, "Image %q not found.", id)
}

// ImageFile returns the file of image id at width w of type typ.
func (r Reads) ImageFile(ctx context.Context, id string, w int, typ string) (news.ImageFile, error) {
	f := news.ImageFile{Width: w, Type: typ}
	err := r.Q.QueryRow(ctx, "SELECT height, data FROM media_files WHERE media_id = ? AND width = ? AND type = ?", id, w, typ).
		Scan(&f.Height, &f.Data)
	return f, NotFound(err, "Image %s at %d pixels not found.", id, w)
}

// ImagesByURL returns, for each of urls that a stored story got its
// picture from, the image made of it: a feed's picture is fetched once.
func (r Reads) ImagesByURL(ctx context.Context, urls []string) (map[string]news.Image, error) {
	if len(urls) == 0 {
		return map[string]news.Image{}, nil
	}
	args := make([]any, len(urls))
	for i, u := range urls {
		args[i] = u
	}
	out, err := queryMap(ctx, r.Q, func(row Row) (u string, im news.Image, err error) {
		return u, im, row.Scan(&u, &im.ID, &im.Width, &im.Height)
	}, `SELECT s.image_url, m.id, m.width, m.height FROM stories s
		JOIN story_images si ON si.story_id = s.id JOIN media m ON m.id = si.media_id
		WHERE s.image_url IN (?`+strings.Repeat(", ?", len(urls)-1)+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("select images by url: %w", err)
	}
	return out, nil
}
