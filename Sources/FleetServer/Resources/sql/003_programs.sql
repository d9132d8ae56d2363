-- eBPF program registry: content-addressed artifacts stored in chunks, and the programs that name them.

CREATE TABLE artifacts (
    sha256      text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    size        bigint NOT NULL CHECK (size >= 0),
    media_type  text NOT NULL,
    chunk_size  integer NOT NULL CHECK (chunk_size > 0),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The bytes, at most chunk_size per row, read and written one row at a time.
CREATE TABLE artifact_chunks (
    sha256  text NOT NULL REFERENCES artifacts(sha256) ON DELETE CASCADE,
    seq     integer NOT NULL CHECK (seq >= 0),
    data    bytea NOT NULL,
    PRIMARY KEY (sha256, seq)
);
-- Object code hardly compresses; store it out of line without trying.
ALTER TABLE artifact_chunks ALTER COLUMN data SET STORAGE EXTERNAL;

CREATE TABLE programs (
    id          uuid PRIMARY KEY,
    name        text NOT NULL,
    version     text NOT NULL,
    sha256      text NOT NULL REFERENCES artifacts(sha256),
    manifest    jsonb,
    summary     jsonb NOT NULL,
    signature   text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text,
    UNIQUE (name, version)
);
CREATE INDEX programs_created ON programs (created_at, id);
CREATE INDEX programs_name_created ON programs (name, created_at, id);
CREATE INDEX programs_sha256 ON programs (sha256);

-- Deleting a program asks whether a device may still run it: the load/replace/unload commands naming it.
CREATE INDEX commands_program_id ON commands ((lower(payload->>'program_id')), device_id)
    WHERE type IN ('program.load', 'program.replace', 'program.unload');
