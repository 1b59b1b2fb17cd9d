-- Silences, which every replica loads into its route.Silences.

CREATE TABLE IF NOT EXISTS alertkit_silences (
	id        TEXT   NOT NULL PRIMARY KEY,
	starts_at BIGINT NOT NULL,
	ends_at   BIGINT NOT NULL,
	-- body is the rest of the silence: its query, author and comment.
	body      TEXT   NOT NULL
);
CREATE INDEX IF NOT EXISTS alertkit_silences_ends ON alertkit_silences (ends_at);
