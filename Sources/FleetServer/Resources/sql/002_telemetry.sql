-- Telemetry: points range-partitioned by day (UTC) and the batch ids that make retried uploads no-ops.
--
-- Partitions are named telemetry_YYYYMMDD and cover [day 00:00 UTC, next day 00:00 UTC). The server creates
-- them (today and the next two days ahead, and on demand for the days a batch touches) and drops those
-- entirely older than the retention window; see TelemetryStore. There is deliberately no default
-- partition: a point always lands in its day's partition, so dropping a day drops exactly its data.

CREATE TABLE telemetry (
    device_id  uuid NOT NULL,
    metric     text NOT NULL,
    labels     jsonb NOT NULL DEFAULT '{}',
    ts         timestamptz NOT NULL,
    value      double precision NOT NULL
) PARTITION BY RANGE (ts);
CREATE INDEX telemetry_device_metric_ts ON telemetry (device_id, metric, ts);

-- One row per accepted batch; the primary key turns a retried batch into a no-op. Rows are pruned a day
-- after the telemetry retention window, when a retry could no longer add points anyway.
CREATE TABLE telemetry_batches (
    device_id    uuid NOT NULL,
    batch_id     text NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (device_id, batch_id)
);
CREATE INDEX telemetry_batches_received ON telemetry_batches (received_at);
