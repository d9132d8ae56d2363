-- ONNX model registry: models name content-addressed artifacts as programs do.

CREATE TABLE models (
    id           uuid PRIMARY KEY,
    name         text NOT NULL,
    version      text NOT NULL,
    sha256       text NOT NULL REFERENCES artifacts(sha256),
    -- As uploaded: a JSON object the operator chose (e.g. the eBPF map feeding scheduled inference).
    metadata     jsonb,
    -- What validation found: ir_version, opset_version, producer, inputs, outputs, operators.
    description  jsonb NOT NULL,
    signature    text,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text,
    UNIQUE (name, version)
);
CREATE INDEX models_created ON models (created_at, id);
CREATE INDEX models_name_created ON models (name, created_at, id);
CREATE INDEX models_sha256 ON models (sha256);

-- Deleting a model asks whether a device may still hold it: the deploy/remove commands naming it.
CREATE INDEX commands_model_id ON commands ((lower(payload->>'model_id')), device_id)
    WHERE type IN ('model.deploy', 'model.remove');
