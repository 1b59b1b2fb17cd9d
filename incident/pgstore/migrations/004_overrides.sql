-- The overrides of on-call schedules set at run time, beside those of the
-- configuration: someone covering a layer from from_at until to_at.

CREATE TABLE IF NOT EXISTS alertkit_overrides (
	schedule TEXT   NOT NULL,
	id       TEXT   NOT NULL,
	layer    TEXT   NOT NULL,
	person   TEXT   NOT NULL,
	from_at  BIGINT NOT NULL,
	to_at    BIGINT NOT NULL,
	note     TEXT   NOT NULL,
	PRIMARY KEY (schedule, id)
);
CREATE INDEX IF NOT EXISTS alertkit_overrides_from ON alertkit_overrides (schedule, from_at, id);
