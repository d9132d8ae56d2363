-- Policies: declarative desired state for the devices a label selector matches (DESIGN section 6).

-- The current revision of each policy. `document` is the canonical policy document of that revision.
CREATE TABLE policies (
    name        text PRIMARY KEY,
    revision    integer NOT NULL CHECK (revision >= 1),
    document    jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Every revision ever stored; a deleted policy's revisions go with it.
CREATE TABLE policy_revisions (
    policy      text NOT NULL,
    revision    integer NOT NULL,
    document    jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text,
    PRIMARY KEY (policy, revision)
);

-- The registry rows the current revision of each policy names, so that deleting a version a policy uses is
-- refused (409) with one index lookup.
CREATE TABLE policy_artifacts (
    policy       text NOT NULL REFERENCES policies(name) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('program', 'model')),
    artifact_id  uuid NOT NULL,
    PRIMARY KEY (policy, kind, artifact_id)
);
CREATE INDEX policy_artifacts_artifact ON policy_artifacts (artifact_id);

-- Policies whose devices still have to be rendered again: written in the transaction that changes the policy,
-- removed when the rendering is done, so a replica that dies half-way leaves work another one finishes.
CREATE TABLE policy_renders (
    policy        text PRIMARY KEY,
    requested_at  timestamptz NOT NULL DEFAULT now()
);

-- Each device's rendered desired state. `policies` lists the policies whose selector matched (GIN-indexed, for
-- status counts and for re-rendering a policy's devices); `sources` says which policy and revision each item
-- came from; `generation` is the desired_generation value of the rendering that last changed the row, which
-- the NOTIFY after that rendering carries.
CREATE TABLE device_desired (
    device_id    uuid PRIMARY KEY REFERENCES devices(id),
    revision     text NOT NULL,
    state        jsonb NOT NULL,
    sources      jsonb NOT NULL DEFAULT '{}',
    conflicts    jsonb NOT NULL DEFAULT '[]',
    policies     text[] NOT NULL DEFAULT '{}',
    generation   bigint NOT NULL,
    rendered_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_desired_policies ON device_desired USING gin (policies);
CREATE SEQUENCE desired_generation;

-- What each executor last reported (PUT /v1/executor/status). `converged_policies` and `failed_policies` are
-- worked out at report time against the device's desired state of the same revision, so that a policy's status
-- is a count over indexed arrays rather than a walk through every device's items.
CREATE TABLE device_status (
    device_id           uuid PRIMARY KEY REFERENCES devices(id),
    revision            text NOT NULL,
    items               jsonb NOT NULL,
    converged_policies  text[] NOT NULL DEFAULT '{}',
    failed_policies     text[] NOT NULL DEFAULT '{}',
    -- Every item the report lists is ready (a device may report the desired revision with a failed item).
    all_ready           boolean NOT NULL DEFAULT false,
    reported_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX device_status_converged ON device_status USING gin (converged_policies);
CREATE INDEX device_status_failed ON device_status USING gin (failed_policies);
