-- What each device reports: one row per (device, metric), kept up to date by telemetry ingest, so that
-- "which metrics does this device have" is answered without scanning its points. `kind` is what the
-- executor said the metric is (counter, gauge, event); it picks a query's default aggregation.
CREATE TABLE telemetry_metrics (
    device_id   uuid NOT NULL,
    metric      text NOT NULL,
    kind        text NOT NULL DEFAULT 'gauge' CHECK (kind IN ('counter', 'gauge', 'event')),
    label_keys  text[] NOT NULL DEFAULT '{}',
    first_ts    timestamptz NOT NULL,
    last_ts     timestamptz NOT NULL,
    PRIMARY KEY (device_id, metric)
);
CREATE INDEX telemetry_metrics_last_ts ON telemetry_metrics (last_ts);

-- Devices that reported before this table existed: their points in the retention window, once.
INSERT INTO telemetry_metrics (device_id, metric, label_keys, first_ts, last_ts)
SELECT t.device_id, t.metric,
       coalesce((SELECT array_agg(DISTINCT k ORDER BY k) FROM telemetry t2, jsonb_object_keys(t2.labels) AS k
                 WHERE t2.device_id = t.device_id AND t2.metric = t.metric), '{}'),
       min(t.ts), max(t.ts)
FROM telemetry t GROUP BY t.device_id, t.metric;
