-- Who wrote a comment, as the SHA-256 of the id in the reader's signed
-- commenter cookie: auto-approval trusts the browser that wrote an
-- approved comment, not whoever types the same email.
ALTER TABLE comments ADD COLUMN commenter TEXT NOT NULL DEFAULT '';
CREATE INDEX comments_commenter ON comments (commenter, status) WHERE commenter != '';
