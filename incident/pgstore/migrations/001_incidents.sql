-- Incidents, their members and history, and the timers (escalation steps,
-- snooze wake-ups, quiet periods, digests, hand-offs and the outbox).
-- Times are Unix nanoseconds in BIGINT columns: exact, free of time zones,
-- and compared the same way on every engine. Bodies are JSON in TEXT.

CREATE TABLE IF NOT EXISTS alertkit_incidents (
	id           TEXT    NOT NULL PRIMARY KEY,
	group_key    TEXT    NOT NULL,
	-- active_group is group_key while the incident is active and NULL
	-- otherwise: its unique index keeps one active incident per group.
	active_group TEXT,
	status       TEXT    NOT NULL,
	created_at   BIGINT  NOT NULL,
	signature    TEXT    NOT NULL,
	version      BIGINT  NOT NULL,
	-- events counts the history entries; the next one is events + 1.
	events       BIGINT  NOT NULL DEFAULT 0,
	-- writer is a token of the latest write, which the statements sent
	-- with it check, so that they write nothing if the update was refused.
	writer       TEXT    NOT NULL DEFAULT '',
	body         TEXT    NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS alertkit_incidents_active ON alertkit_incidents (active_group);
CREATE INDEX IF NOT EXISTS alertkit_incidents_group ON alertkit_incidents (group_key, id);
CREATE INDEX IF NOT EXISTS alertkit_incidents_signature ON alertkit_incidents (signature, id);
CREATE INDEX IF NOT EXISTS alertkit_incidents_status ON alertkit_incidents (status, id);

CREATE TABLE IF NOT EXISTS alertkit_members (
	incident_id TEXT   NOT NULL,
	fingerprint BIGINT NOT NULL,
	-- joined orders the members of an incident by when they joined.
	joined      BIGINT NOT NULL,
	body        TEXT   NOT NULL,
	PRIMARY KEY (incident_id, fingerprint)
);
CREATE INDEX IF NOT EXISTS alertkit_members_joined ON alertkit_members (incident_id, joined);

CREATE TABLE IF NOT EXISTS alertkit_history (
	incident_id TEXT   NOT NULL,
	seq         BIGINT NOT NULL,
	body        TEXT   NOT NULL,
	PRIMARY KEY (incident_id, seq)
);

CREATE TABLE IF NOT EXISTS alertkit_timers (
	timer_key   TEXT    NOT NULL PRIMARY KEY,
	kind        TEXT    NOT NULL,
	incident_id TEXT    NOT NULL,
	due         BIGINT  NOT NULL,
	data        TEXT    NOT NULL,
	owner       TEXT    NOT NULL,
	lease_until BIGINT  NOT NULL,
	attempts    INTEGER NOT NULL,
	-- avail is when the timer can next be claimed: when it is due, or when
	-- the lease of its claim runs out.
	avail       BIGINT  NOT NULL
);
CREATE INDEX IF NOT EXISTS alertkit_timers_avail ON alertkit_timers (avail, timer_key);
