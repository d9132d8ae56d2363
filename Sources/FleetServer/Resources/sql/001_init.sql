-- Fleet control plane: tokens, devices, presence, commands, audit.

CREATE TABLE api_tokens (
    id            uuid PRIMARY KEY,
    name          text NOT NULL,
    role          text NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    token_hash    bytea NOT NULL UNIQUE,
    token_prefix  text NOT NULL,
    created_by    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    revoked_at    timestamptz,
    last_used_at  timestamptz
);

CREATE TABLE enrollment_tokens (
    id            uuid PRIMARY KEY,
    name          text NOT NULL,
    token_hash    bytea NOT NULL UNIQUE,
    token_prefix  text NOT NULL,
    labels        jsonb NOT NULL DEFAULT '{}',
    max_uses      integer CHECK (max_uses IS NULL OR max_uses > 0),
    uses          integer NOT NULL DEFAULT 0,
    auto_approve  boolean NOT NULL DEFAULT false,
    created_by    text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    revoked_at    timestamptz
);

CREATE TABLE devices (
    id                   uuid PRIMARY KEY,
    name                 text NOT NULL,
    hardware_id          text NOT NULL UNIQUE,
    labels               jsonb NOT NULL DEFAULT '{}',
    status               text NOT NULL CHECK (status IN ('active', 'pending', 'rejected', 'decommissioned')),
    inventory            jsonb NOT NULL DEFAULT '{}',
    token_hash           bytea UNIQUE,
    enrollment_token_id  uuid REFERENCES enrollment_tokens(id) ON DELETE SET NULL,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX devices_labels_gin ON devices USING gin (labels jsonb_path_ops);
CREATE INDEX devices_status ON devices (status);

-- The only table heartbeats touch, flushed in batches.
CREATE TABLE device_presence (
    device_id     uuid PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    last_seen_at  timestamptz NOT NULL
);

CREATE TABLE commands (
    id               uuid PRIMARY KEY,
    device_id        uuid NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    type             text NOT NULL,
    payload          jsonb NOT NULL DEFAULT '{}',
    state            text NOT NULL CHECK (state IN ('queued', 'delivered', 'running', 'succeeded', 'failed',
                                                    'rejected', 'expired', 'canceled')),
    result           jsonb,
    error            text,
    idempotency_key  text,
    created_by       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    finished_at      timestamptz,
    expires_at       timestamptz NOT NULL
);
CREATE INDEX commands_device_created ON commands (device_id, created_at DESC, id DESC);
CREATE INDEX commands_pending ON commands (device_id, created_at) WHERE state IN ('queued', 'delivered', 'running');
CREATE INDEX commands_expiry ON commands (expires_at) WHERE state IN ('queued', 'delivered');
CREATE UNIQUE INDEX commands_idempotency ON commands (device_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE audit_log (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,
    actor_role   text NOT NULL,
    action       text NOT NULL,
    target_type  text NOT NULL,
    target_id    text,
    details      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
