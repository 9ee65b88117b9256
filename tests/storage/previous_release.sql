-- The schema of the last release made without migrations: what its start-up's
-- `Database.create_all` (`Base.metadata.create_all`, every model module imported)
-- emitted on SQLite, read back from sqlite_master of a database it made. Frozen here so
-- the test keeps building that release's database after the models move on.
CREATE TABLE access_users (
	id INTEGER NOT NULL,
	username VARCHAR(32) NOT NULL,
	password_hash VARCHAR(256) NOT NULL,
	totp_secret BLOB,
	totp_enabled BOOLEAN NOT NULL,
	created_at DATETIME NOT NULL,
	password_changed_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (username)
);
CREATE TABLE access_broker_connection (
	id INTEGER NOT NULL,
	state VARCHAR(16) NOT NULL,
	credentials_digest BLOB NOT NULL,
	user_id VARCHAR(32),
	user_name VARCHAR(128),
	token_ciphertext BLOB,
	connected_at DATETIME,
	expires_at DATETIME,
	ended_at DATETIME,
	ended_reason VARCHAR(512),
	PRIMARY KEY (id)
);
CREATE TABLE access_broker_calls (
	day VARCHAR(10) NOT NULL,
	calls INTEGER NOT NULL,
	recent TEXT,
	PRIMARY KEY (day)
);
CREATE TABLE instrument_masters (
	id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	source_url VARCHAR(500) NOT NULL,
	archive_sha256 VARCHAR(64) NOT NULL,
	archive_bytes INTEGER NOT NULL,
	instrument_count INTEGER NOT NULL,
	format_version INTEGER NOT NULL,
	summary TEXT NOT NULL,
	active BOOLEAN NOT NULL,
	PRIMARY KEY (id)
);
CREATE INDEX ix_instrument_masters_active ON instrument_masters (active);
CREATE TABLE instrument_refreshes (
	id INTEGER NOT NULL,
	started_at DATETIME NOT NULL,
	finished_at DATETIME NOT NULL,
	"trigger" VARCHAR(20) NOT NULL,
	ok BOOLEAN NOT NULL,
	stage VARCHAR(20) NOT NULL,
	message TEXT NOT NULL,
	master_id INTEGER,
	instrument_count INTEGER NOT NULL,
	seconds DOUBLE NOT NULL,
	PRIMARY KEY (id)
);
CREATE TABLE market_candle_series (
	id INTEGER NOT NULL,
	exchange VARCHAR(12) NOT NULL,
	symbol VARCHAR(64) NOT NULL,
	interval VARCHAR(12) NOT NULL,
	PRIMARY KEY (id),
	UNIQUE (exchange, symbol, interval)
);
CREATE TABLE order_journal (
	id INTEGER NOT NULL,
	tag VARCHAR(20),
	kind VARCHAR(10) NOT NULL,
	group_id INTEGER,
	requested_by VARCHAR(40) NOT NULL,
	strategy VARCHAR(100) NOT NULL,
	exchange VARCHAR(10) NOT NULL,
	openalgo_request TEXT NOT NULL,
	broker_request TEXT NOT NULL,
	state VARCHAR(12) NOT NULL,
	broker_order_id VARCHAR(40),
	message TEXT,
	created_at DATETIME NOT NULL,
	updated_at DATETIME NOT NULL,
	PRIMARY KEY (id)
);
CREATE UNIQUE INDEX ix_order_journal_tag ON order_journal (tag);
CREATE INDEX ix_order_journal_group_id ON order_journal (group_id);
CREATE INDEX ix_order_journal_broker_order_id ON order_journal (broker_order_id);
CREATE INDEX ix_order_journal_state ON order_journal (state);
CREATE TABLE access_web_sessions (
	id VARCHAR(64) NOT NULL,
	user_id INTEGER NOT NULL,
	created_at DATETIME NOT NULL,
	expires_at DATETIME NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(user_id) REFERENCES access_users (id) ON DELETE CASCADE
);
CREATE TABLE access_api_keys (
	id INTEGER NOT NULL,
	user_id INTEGER NOT NULL,
	hint VARCHAR(8) NOT NULL,
	key_hash VARCHAR(256) NOT NULL,
	created_at DATETIME NOT NULL,
	revoked_at DATETIME,
	last_used_at DATETIME,
	PRIMARY KEY (id),
	FOREIGN KEY(user_id) REFERENCES access_users (id) ON DELETE CASCADE
);
CREATE TABLE instrument_chunks (
	id INTEGER NOT NULL,
	master_id INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	count INTEGER NOT NULL,
	payload BLOB NOT NULL,
	PRIMARY KEY (id),
	FOREIGN KEY(master_id) REFERENCES instrument_masters (id) ON DELETE CASCADE
);
CREATE INDEX ix_instrument_chunks_master_id ON instrument_chunks (master_id);
CREATE TABLE market_candle_blocks (
	series_id INTEGER NOT NULL,
	block INTEGER NOT NULL,
	final_until INTEGER NOT NULL,
	count INTEGER NOT NULL,
	payload BLOB NOT NULL,
	PRIMARY KEY (series_id, block),
	FOREIGN KEY(series_id) REFERENCES market_candle_series (id) ON DELETE CASCADE
);
