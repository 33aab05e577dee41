-- Disdukcapil Desk: PostgreSQL schema of the shared database.
-- Generated from the SQLAlchemy models by `disdukcapil-desk db schema-sql`;
-- a test builds a database from this file and compares it with the models.
-- The intake contract: incoming_request, incoming_attachment (written by the
-- channels) and service_request (read back by them).

CREATE TABLE audit_head (
	id SMALLINT NOT NULL,
	last_id BIGINT NOT NULL,
	last_hash VARCHAR(64) NOT NULL,
	CONSTRAINT pk_audit_head PRIMARY KEY (id),
	CONSTRAINT ck_audit_head_chain_number CHECK (id >= 1)
);

CREATE TABLE audit_log (
	id BIGSERIAL NOT NULL,
	at TIMESTAMP WITH TIME ZONE NOT NULL,
	actor VARCHAR(60) NOT NULL,
	action VARCHAR(40) NOT NULL,
	entity VARCHAR(40) NOT NULL,
	entity_key VARCHAR(60) NOT NULL,
	before TEXT,
	after TEXT,
	detail TEXT NOT NULL,
	prev_hash VARCHAR(64) NOT NULL,
	hash VARCHAR(64) NOT NULL,
	mac VARCHAR(64),
	chain SMALLINT NOT NULL,
	CONSTRAINT pk_audit_log PRIMARY KEY (id),
	CONSTRAINT uq_audit_log_hash UNIQUE (hash)
);

CREATE INDEX ix_audit_log_chain ON audit_log (chain, id);

CREATE INDEX ix_audit_log_entity ON audit_log (entity, entity_key);

CREATE TABLE location (
	code VARCHAR(20) NOT NULL,
	name VARCHAR(200) NOT NULL,
	kind VARCHAR(10) NOT NULL,
	address VARCHAR(300) NOT NULL,
	active BOOLEAN NOT NULL,
	CONSTRAINT pk_location PRIMARY KEY (code),
	CONSTRAINT ck_location_kind CHECK (kind IN ('dinas', 'upt'))
);

CREATE TABLE number_counter (
	kind VARCHAR(30) NOT NULL,
	scope VARCHAR(30) NOT NULL,
	period VARCHAR(10) NOT NULL,
	last_value INTEGER NOT NULL,
	opening_offset INTEGER NOT NULL,
	CONSTRAINT pk_number_counter PRIMARY KEY (kind, scope, period)
);

CREATE TABLE office_setting (
	key VARCHAR(80) NOT NULL,
	value TEXT NOT NULL,
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
	updated_by VARCHAR(60) NOT NULL,
	CONSTRAINT pk_office_setting PRIMARY KEY (key)
);

CREATE TABLE offline_applied (
	workstation VARCHAR(80) NOT NULL,
	seq INTEGER NOT NULL,
	outcome VARCHAR(20) NOT NULL,
	kind VARCHAR(30) NOT NULL,
	request_number VARCHAR(40) NOT NULL,
	result_version INTEGER,
	actor_login VARCHAR(60) NOT NULL,
	made_at TIMESTAMP WITH TIME ZONE NOT NULL,
	applied_at TIMESTAMP WITH TIME ZONE NOT NULL,
	detail TEXT NOT NULL,
	CONSTRAINT pk_offline_applied PRIMARY KEY (workstation, seq),
	CONSTRAINT ck_offline_applied_outcome CHECK (outcome IN ('applied', 'conflict', 'refused', 'discarded'))
);

CREATE TABLE schema_version (
	version INTEGER NOT NULL,
	applied_at TIMESTAMP WITH TIME ZONE NOT NULL,
	description VARCHAR(200) NOT NULL,
	CONSTRAINT pk_schema_version PRIMARY KEY (version)
);

CREATE TABLE seal_key (
	key_id VARCHAR(16) NOT NULL,
	public_key TEXT NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	created_by VARCHAR(60) NOT NULL,
	retired_at TIMESTAMP WITH TIME ZONE,
	CONSTRAINT pk_seal_key PRIMARY KEY (key_id)
);

CREATE TABLE service (
	code VARCHAR(60) NOT NULL,
	name VARCHAR(300) NOT NULL,
	service_group VARCHAR(40) NOT NULL,
	sla_days SMALLINT NOT NULL,
	handled_at_dinas BOOLEAN NOT NULL,
	handled_at_upt BOOLEAN NOT NULL,
	active BOOLEAN NOT NULL,
	CONSTRAINT pk_service PRIMARY KEY (code)
);

CREATE TABLE signing_job (
	id BIGSERIAL NOT NULL,
	kind VARCHAR(10) NOT NULL,
	state VARCHAR(10) NOT NULL,
	payload BYTEA NOT NULL,
	location TEXT NOT NULL,
	result BYTEA,
	error TEXT,
	requested_by VARCHAR(60) NOT NULL,
	requested_at TIMESTAMP WITH TIME ZONE NOT NULL,
	done_at TIMESTAMP WITH TIME ZONE,
	CONSTRAINT pk_signing_job PRIMARY KEY (id),
	CONSTRAINT ck_signing_job_kind CHECK (kind IN ('code', 'seal')),
	CONSTRAINT ck_signing_job_state CHECK (state IN ('waiting', 'done', 'failed'))
);

CREATE INDEX ix_signing_job_state ON signing_job (state);

CREATE TABLE app_user (
	id BIGSERIAL NOT NULL,
	login VARCHAR(60) NOT NULL,
	full_name VARCHAR(200) NOT NULL,
	nip VARCHAR(30) NOT NULL,
	role VARCHAR(20) NOT NULL,
	location_code VARCHAR(20),
	password_hash VARCHAR(300) NOT NULL,
	active BOOLEAN NOT NULL,
	failed_logins INTEGER NOT NULL,
	locked_until TIMESTAMP WITH TIME ZONE,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	must_change_password BOOLEAN NOT NULL,
	CONSTRAINT pk_app_user PRIMARY KEY (id),
	CONSTRAINT uq_app_user_login UNIQUE (login),
	CONSTRAINT fk_app_user_location_code_location FOREIGN KEY(location_code) REFERENCES location (code)
);

CREATE TABLE location_kecamatan (
	kecamatan_code VARCHAR(6) NOT NULL,
	location_code VARCHAR(20) NOT NULL,
	CONSTRAINT pk_location_kecamatan PRIMARY KEY (kecamatan_code),
	CONSTRAINT fk_location_kecamatan_location_code_location FOREIGN KEY(location_code) REFERENCES location (code)
);

CREATE INDEX ix_location_kecamatan_location_code ON location_kecamatan (location_code);

CREATE TABLE number_block (
	id BIGSERIAL NOT NULL,
	location_code VARCHAR(20) NOT NULL,
	period VARCHAR(10) NOT NULL,
	workstation VARCHAR(80) NOT NULL,
	first_value INTEGER NOT NULL,
	last_value INTEGER NOT NULL,
	reserved_at TIMESTAMP WITH TIME ZONE NOT NULL,
	reserved_by VARCHAR(60) NOT NULL,
	CONSTRAINT pk_number_block PRIMARY KEY (id),
	CONSTRAINT uq_number_block_location_code_period_first_value UNIQUE (location_code, period, first_value),
	CONSTRAINT ck_number_block_ordered CHECK (first_value >= 1 AND last_value >= first_value),
	CONSTRAINT fk_number_block_location_code_location FOREIGN KEY(location_code) REFERENCES location (code)
);

CREATE INDEX ix_number_block_workstation ON number_block (workstation, period);

CREATE TABLE pickup_slot (
	id BIGSERIAL NOT NULL,
	location_code VARCHAR(20) NOT NULL,
	starts_at TIMESTAMP WITH TIME ZONE NOT NULL,
	ends_at TIMESTAMP WITH TIME ZONE NOT NULL,
	capacity INTEGER NOT NULL,
	booked INTEGER NOT NULL,
	CONSTRAINT pk_pickup_slot PRIMARY KEY (id),
	CONSTRAINT uq_pickup_slot_location_code_starts_at UNIQUE (location_code, starts_at),
	CONSTRAINT ck_pickup_slot_within_capacity CHECK (booked >= 0 AND booked <= capacity),
	CONSTRAINT fk_pickup_slot_location_code_location FOREIGN KEY(location_code) REFERENCES location (code)
);

CREATE TABLE service_request (
	id BIGSERIAL NOT NULL,
	number VARCHAR(40) NOT NULL,
	service_code VARCHAR(60) NOT NULL,
	location_code VARCHAR(20) NOT NULL,
	channel VARCHAR(20) NOT NULL,
	received_at TIMESTAMP WITH TIME ZONE NOT NULL,
	contact VARCHAR(200) NOT NULL,
	nik VARCHAR(40) NOT NULL,
	no_kk VARCHAR(40) NOT NULL,
	applicant_name VARCHAR(200) NOT NULL,
	subject_nik VARCHAR(40) NOT NULL,
	subject_name VARCHAR(200) NOT NULL,
	birth_date DATE,
	sex VARCHAR(1) NOT NULL,
	kode_desa VARCHAR(10) NOT NULL,
	kecamatan_code VARCHAR(6) NOT NULL,
	payload TEXT NOT NULL,
	status VARCHAR(20) NOT NULL,
	version INTEGER NOT NULL,
	claimed_by BIGINT,
	claimed_at TIMESTAMP WITH TIME ZONE,
	lease_expires_at TIMESTAMP WITH TIME ZONE,
	sla_due DATE NOT NULL,
	citizen_message TEXT,
	resubmission_count INTEGER NOT NULL,
	possible_duplicate_of BIGINT,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	updated_at TIMESTAMP WITH TIME ZONE NOT NULL,
	updated_by VARCHAR(60) NOT NULL,
	closed_at TIMESTAMP WITH TIME ZONE,
	issued_at TIMESTAMP WITH TIME ZONE,
	CONSTRAINT pk_service_request PRIMARY KEY (id),
	CONSTRAINT ck_service_request_status CHECK (status IN ('new', 'in_review', 'needs_revision', 'approved', 'siak_recorded', 'issued', 'sent', 'ready_for_pickup', 'collected', 'done', 'rejected', 'cancelled')),
	CONSTRAINT uq_service_request_number UNIQUE (number),
	CONSTRAINT fk_service_request_service_code_service FOREIGN KEY(service_code) REFERENCES service (code),
	CONSTRAINT fk_service_request_location_code_location FOREIGN KEY(location_code) REFERENCES location (code),
	CONSTRAINT fk_service_request_claimed_by_app_user FOREIGN KEY(claimed_by) REFERENCES app_user (id),
	CONSTRAINT fk_service_request_possible_duplicate_of_service_request FOREIGN KEY(possible_duplicate_of) REFERENCES service_request (id)
);

CREATE INDEX ix_service_request_lease ON service_request (status, lease_expires_at);

CREATE INDEX ix_service_request_location_received ON service_request (location_code, received_at, id);

CREATE INDEX ix_service_request_name ON service_request (applicant_name);

CREATE INDEX ix_service_request_nik ON service_request (nik);

CREATE INDEX ix_service_request_queue ON service_request (location_code, status, received_at, id);

CREATE INDEX ix_service_request_recap ON service_request (received_at, service_code, location_code, kecamatan_code, kode_desa, channel, status, sla_due, closed_at, updated_at, issued_at, number);

CREATE INDEX ix_service_request_received ON service_request (received_at, id);

CREATE INDEX ix_service_request_sla ON service_request (sla_due);

CREATE INDEX ix_service_request_status_received ON service_request (status, received_at, id);

CREATE INDEX ix_service_request_subject_nik ON service_request (subject_nik);

CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE INDEX IF NOT EXISTS ix_service_request_name_trgm ON service_request USING gin (lower(applicant_name) gin_trgm_ops);

CREATE INDEX IF NOT EXISTS ix_service_request_subject_trgm ON service_request USING gin (lower(subject_name) gin_trgm_ops);

CREATE INDEX IF NOT EXISTS ix_service_request_number_trgm ON service_request USING gin (number gin_trgm_ops);

CREATE TABLE incoming_request (
	id BIGSERIAL NOT NULL,
	channel VARCHAR(20) NOT NULL,
	external_ref VARCHAR(200) NOT NULL,
	received_at TIMESTAMP WITH TIME ZONE NOT NULL,
	sender VARCHAR(200) NOT NULL,
	service_code VARCHAR(60) NOT NULL,
	location_code VARCHAR(20),
	payload TEXT NOT NULL,
	reply_to_number VARCHAR(40),
	ingested_at TIMESTAMP WITH TIME ZONE,
	ingest_error TEXT,
	service_request_id BIGINT,
	CONSTRAINT pk_incoming_request PRIMARY KEY (id),
	CONSTRAINT uq_incoming_request_channel_external_ref UNIQUE (channel, external_ref),
	CONSTRAINT ck_incoming_request_channel CHECK (channel IN ('whatsapp', 'web', 'email', 'import', 'loket')),
	CONSTRAINT fk_incoming_request_service_request_id_service_request FOREIGN KEY(service_request_id) REFERENCES service_request (id)
);

CREATE INDEX ix_incoming_request_pending ON incoming_request (id) WHERE ingested_at IS NULL;

CREATE INDEX ix_incoming_request_service_request_id ON incoming_request (service_request_id);

CREATE TABLE issued_document (
	id BIGSERIAL NOT NULL,
	service_request_id BIGINT NOT NULL,
	kind VARCHAR(20) NOT NULL,
	template VARCHAR(60) NOT NULL,
	number VARCHAR(60) NOT NULL,
	location_code VARCHAR(20) NOT NULL,
	verification_code VARCHAR(120) NOT NULL,
	fields TEXT NOT NULL,
	print_count INTEGER NOT NULL,
	reprint_count INTEGER NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	created_by VARCHAR(60) NOT NULL,
	voided_at TIMESTAMP WITH TIME ZONE,
	voided_by VARCHAR(60),
	void_reason TEXT,
	CONSTRAINT pk_issued_document PRIMARY KEY (id),
	CONSTRAINT uq_issued_document_kind_number UNIQUE (kind, number),
	CONSTRAINT ck_issued_document_kind CHECK (kind IN ('receipt', 'certificate')),
	CONSTRAINT fk_issued_document_service_request_id_service_request FOREIGN KEY(service_request_id) REFERENCES service_request (id),
	CONSTRAINT fk_issued_document_location_code_location FOREIGN KEY(location_code) REFERENCES location (code)
);

CREATE INDEX ix_issued_document_service_request_id ON issued_document (service_request_id);

CREATE INDEX ix_issued_document_unprinted ON issued_document (location_code, kind, print_count);

CREATE TABLE outgoing_message (
	id BIGSERIAL NOT NULL,
	service_request_id BIGINT NOT NULL,
	channel VARCHAR(20) NOT NULL,
	recipient VARCHAR(200) NOT NULL,
	kind VARCHAR(30) NOT NULL,
	body TEXT NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	created_by VARCHAR(60) NOT NULL,
	not_before TIMESTAMP WITH TIME ZONE,
	attempts INTEGER NOT NULL,
	claimed_by VARCHAR(100),
	claimed_until TIMESTAMP WITH TIME ZONE,
	sent_at TIMESTAMP WITH TIME ZONE,
	delivered_at TIMESTAMP WITH TIME ZONE,
	failed_at TIMESTAMP WITH TIME ZONE,
	fail_reason TEXT,
	external_ref VARCHAR(200),
	replaced_by BIGINT,
	CONSTRAINT pk_outgoing_message PRIMARY KEY (id),
	CONSTRAINT ck_outgoing_message_channel CHECK (channel IN ('whatsapp', 'web', 'email', 'import', 'loket')),
	CONSTRAINT ck_outgoing_message_kind CHECK (kind IN ('received', 'needs_revision', 'rejected', 'approved', 'document_sent', 'ready_for_pickup', 'pickup_reminder', 'pickup_rebooked', 'cancelled', 'correction')),
	CONSTRAINT uq_outgoing_message_channel_external_ref UNIQUE (channel, external_ref),
	CONSTRAINT fk_outgoing_message_service_request_id_service_request FOREIGN KEY(service_request_id) REFERENCES service_request (id),
	CONSTRAINT fk_outgoing_message_replaced_by_outgoing_message FOREIGN KEY(replaced_by) REFERENCES outgoing_message (id)
);

CREATE INDEX ix_outgoing_message_failed ON outgoing_message (failed_at) WHERE failed_at IS NOT NULL AND replaced_by IS NULL;

CREATE INDEX ix_outgoing_message_pending ON outgoing_message (channel, id) WHERE sent_at IS NULL AND failed_at IS NULL;

CREATE INDEX ix_outgoing_message_service_request_id ON outgoing_message (service_request_id);

CREATE TABLE pickup_booking (
	id BIGSERIAL NOT NULL,
	service_request_id BIGINT NOT NULL,
	pickup_slot_id BIGINT NOT NULL,
	state VARCHAR(12) NOT NULL,
	booked_at TIMESTAMP WITH TIME ZONE NOT NULL,
	booked_by VARCHAR(60) NOT NULL,
	rebooked_from BIGINT,
	reminded_at TIMESTAMP WITH TIME ZONE,
	checked_in_at TIMESTAMP WITH TIME ZONE,
	checked_in_by VARCHAR(60),
	CONSTRAINT pk_pickup_booking PRIMARY KEY (id),
	CONSTRAINT ck_pickup_booking_state CHECK (state IN ('booked', 'checked_in', 'missed', 'cancelled')),
	CONSTRAINT fk_pickup_booking_service_request_id_service_request FOREIGN KEY(service_request_id) REFERENCES service_request (id),
	CONSTRAINT fk_pickup_booking_pickup_slot_id_pickup_slot FOREIGN KEY(pickup_slot_id) REFERENCES pickup_slot (id),
	CONSTRAINT fk_pickup_booking_rebooked_from_pickup_booking FOREIGN KEY(rebooked_from) REFERENCES pickup_booking (id)
);

CREATE INDEX ix_pickup_booking_pickup_slot_id ON pickup_booking (pickup_slot_id);

CREATE INDEX ix_pickup_booking_service_request_id ON pickup_booking (service_request_id);

CREATE TABLE request_finding (
	id BIGSERIAL NOT NULL,
	service_request_id BIGINT NOT NULL,
	code VARCHAR(60) NOT NULL,
	severity VARCHAR(10) NOT NULL,
	field VARCHAR(60) NOT NULL,
	message TEXT NOT NULL,
	source VARCHAR(20) NOT NULL,
	resolved BOOLEAN NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	CONSTRAINT pk_request_finding PRIMARY KEY (id),
	CONSTRAINT fk_request_finding_service_request_id_service_request FOREIGN KEY(service_request_id) REFERENCES service_request (id)
);

CREATE INDEX ix_request_finding_service_request_id ON request_finding (service_request_id);

CREATE TABLE requirement_check (
	id BIGSERIAL NOT NULL,
	service_request_id BIGINT NOT NULL,
	requirement_code VARCHAR(60) NOT NULL,
	state VARCHAR(20) NOT NULL,
	note TEXT NOT NULL,
	checked_by VARCHAR(60),
	checked_at TIMESTAMP WITH TIME ZONE,
	CONSTRAINT pk_requirement_check PRIMARY KEY (id),
	CONSTRAINT uq_requirement_check_service_request_id_requirement_code UNIQUE (service_request_id, requirement_code),
	CONSTRAINT ck_requirement_check_state CHECK (state IN ('pending', 'sesuai', 'tidak_ada', 'tidak_terbaca', 'tidak_sesuai')),
	CONSTRAINT fk_requirement_check_service_request_id_service_request FOREIGN KEY(service_request_id) REFERENCES service_request (id)
);

CREATE TABLE siak_number (
	id BIGSERIAL NOT NULL,
	service_request_id BIGINT NOT NULL,
	kind VARCHAR(20) NOT NULL,
	value VARCHAR(60) NOT NULL,
	recorded_at TIMESTAMP WITH TIME ZONE NOT NULL,
	recorded_by VARCHAR(60) NOT NULL,
	CONSTRAINT pk_siak_number PRIMARY KEY (id),
	CONSTRAINT uq_siak_number_kind_value UNIQUE (kind, value),
	CONSTRAINT uq_siak_number_service_request_id_kind UNIQUE (service_request_id, kind),
	CONSTRAINT ck_siak_number_kind CHECK (kind IN ('no_akta', 'nik_baru', 'no_kk_baru', 'no_skpwni')),
	CONSTRAINT fk_siak_number_service_request_id_service_request FOREIGN KEY(service_request_id) REFERENCES service_request (id)
);

CREATE TABLE signed_document (
	id BIGSERIAL NOT NULL,
	service_request_id BIGINT NOT NULL,
	filename VARCHAR(255) NOT NULL,
	sha256 VARCHAR(64) NOT NULL,
	signer TEXT NOT NULL,
	signed_at TIMESTAMP WITH TIME ZONE,
	source VARCHAR(10) NOT NULL,
	content BYTEA NOT NULL,
	attached_at TIMESTAMP WITH TIME ZONE NOT NULL,
	attached_by VARCHAR(60) NOT NULL,
	replaced_at TIMESTAMP WITH TIME ZONE,
	CONSTRAINT pk_signed_document PRIMARY KEY (id),
	CONSTRAINT fk_signed_document_service_request_id_service_request FOREIGN KEY(service_request_id) REFERENCES service_request (id)
);

CREATE INDEX ix_signed_document_service_request_id ON signed_document (service_request_id);

CREATE INDEX ix_signed_document_sha256 ON signed_document (sha256);

CREATE TABLE document_file (
	id BIGSERIAL NOT NULL,
	issued_document_id BIGINT NOT NULL,
	sha256 VARCHAR(64) NOT NULL,
	purpose VARCHAR(20) NOT NULL,
	pages INTEGER NOT NULL,
	created_at TIMESTAMP WITH TIME ZONE NOT NULL,
	created_by VARCHAR(60) NOT NULL,
	CONSTRAINT pk_document_file PRIMARY KEY (id),
	CONSTRAINT ck_document_file_purpose CHECK (purpose IN ('issue', 'print', 'reprint', 'save', 'batch')),
	CONSTRAINT fk_document_file_issued_document_id_issued_document FOREIGN KEY(issued_document_id) REFERENCES issued_document (id)
);

CREATE INDEX ix_document_file_issued_document_id ON document_file (issued_document_id);

CREATE INDEX ix_document_file_sha256 ON document_file (sha256);

CREATE TABLE incoming_attachment (
	id BIGSERIAL NOT NULL,
	incoming_request_id BIGINT NOT NULL,
	kind VARCHAR(60),
	filename VARCHAR(255) NOT NULL,
	media_type VARCHAR(100) NOT NULL,
	content BYTEA NOT NULL,
	CONSTRAINT pk_incoming_attachment PRIMARY KEY (id),
	CONSTRAINT fk_incoming_attachment_incoming_request_id_incoming_request FOREIGN KEY(incoming_request_id) REFERENCES incoming_request (id)
);

CREATE INDEX ix_incoming_attachment_incoming_request_id ON incoming_attachment (incoming_request_id);

CREATE TABLE number_register (
	id BIGSERIAL NOT NULL,
	issued_document_id BIGINT NOT NULL,
	kind VARCHAR(20) NOT NULL,
	number VARCHAR(60) NOT NULL,
	event VARCHAR(10) NOT NULL,
	reason TEXT NOT NULL,
	actor VARCHAR(60) NOT NULL,
	at TIMESTAMP WITH TIME ZONE NOT NULL,
	CONSTRAINT pk_number_register PRIMARY KEY (id),
	CONSTRAINT ck_number_register_event CHECK (event IN ('void', 'reprint')),
	CONSTRAINT fk_number_register_issued_document_id_issued_document FOREIGN KEY(issued_document_id) REFERENCES issued_document (id)
);

CREATE INDEX ix_number_register_issued_document_id ON number_register (issued_document_id);

CREATE INDEX ix_number_register_number ON number_register (number);

CREATE TABLE outgoing_attachment (
	id BIGSERIAL NOT NULL,
	outgoing_message_id BIGINT NOT NULL,
	filename VARCHAR(255) NOT NULL,
	media_type VARCHAR(100) NOT NULL,
	content BYTEA NOT NULL,
	CONSTRAINT pk_outgoing_attachment PRIMARY KEY (id),
	CONSTRAINT fk_outgoing_attachment_outgoing_message_id_outgoing_message FOREIGN KEY(outgoing_message_id) REFERENCES outgoing_message (id)
);

CREATE INDEX ix_outgoing_attachment_outgoing_message_id ON outgoing_attachment (outgoing_message_id);

CREATE TABLE request_attachment (
	id BIGSERIAL NOT NULL,
	service_request_id BIGINT NOT NULL,
	incoming_attachment_id BIGINT NOT NULL,
	requirement_code VARCHAR(60),
	CONSTRAINT pk_request_attachment PRIMARY KEY (id),
	CONSTRAINT fk_request_attachment_service_request_id_service_request FOREIGN KEY(service_request_id) REFERENCES service_request (id),
	CONSTRAINT uq_request_attachment_incoming_attachment_id UNIQUE (incoming_attachment_id),
	CONSTRAINT fk_request_attachment_incoming_attachment_id_incoming_a_6cda FOREIGN KEY(incoming_attachment_id) REFERENCES incoming_attachment (id)
);

CREATE INDEX ix_request_attachment_service_request_id ON request_attachment (service_request_id);
