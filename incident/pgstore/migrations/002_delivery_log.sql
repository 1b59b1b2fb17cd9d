-- The delivery log: every attempt of every replica to deliver a
-- notification, and the dead letters, the notifications given up on.

CREATE TABLE IF NOT EXISTS alertkit_attempts (
	-- id is a ULID, unique across replicas; it orders the attempts made
	-- at the same instant.
	id           TEXT   NOT NULL PRIMARY KEY,
	incident_id  TEXT   NOT NULL,
	attempted_at BIGINT NOT NULL,
	body         TEXT   NOT NULL
);
CREATE INDEX IF NOT EXISTS alertkit_attempts_incident ON alertkit_attempts (incident_id, attempted_at, id);
CREATE INDEX IF NOT EXISTS alertkit_attempts_at ON alertkit_attempts (attempted_at);

CREATE TABLE IF NOT EXISTS alertkit_dead_letters (
	receiver         TEXT   NOT NULL,
	notification_key TEXT   NOT NULL,
	given_up_at      BIGINT NOT NULL,
	-- seq is a ULID given at burial; it orders the dead letters given up
	-- on at the same instant.
	seq              TEXT   NOT NULL,
	body             TEXT   NOT NULL,
	PRIMARY KEY (receiver, notification_key)
);
CREATE INDEX IF NOT EXISTS alertkit_dead_letters_order ON alertkit_dead_letters (given_up_at, seq);
