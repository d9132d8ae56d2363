-- Policies, per device: a narrow row per (policy, matched device) with its outcome, so that a policy's status is a
-- count over one index range however wide the devices' rendered states are; and holds, which keep one device on an
-- earlier revision of one policy while the rest of its devices move on (what a rollout's later batches wait on).

-- A device held on revision `revision` of `policy` sees that policy as it was at that revision, selector included.
-- The hold goes with the revision (a deleted policy's revisions go with it) and with the device.
CREATE TABLE policy_holds (
    policy      text NOT NULL,
    device_id   uuid NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    revision    integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text,
    PRIMARY KEY (policy, device_id),
    FOREIGN KEY (policy, revision) REFERENCES policy_revisions (policy, revision) ON DELETE CASCADE
);
CREATE INDEX policy_holds_device ON policy_holds (device_id);

-- One row per policy and device it matched at the device's last rendering. `held_revision` is the revision of the
-- policy the device is held on (see policy_holds), null while it follows the current one: a new revision of the policy
-- leaves the rows of its devices as they are, unless their outcome changes; `outcome` is worked out from the device's last report
-- whenever the report or the rendering changes: `converged` when the device reported its desired revision with
-- every item of this policy ready, `failed` when an item of this policy failed there, else `pending`.
-- `conflicted`: the policy is party to a conflict on the device. `offline`, for the pending: no heartbeat within the
-- offline threshold, kept by a sweep every two seconds over the pending rows (a report sets it false), so that a status
-- never joins the devices' presence.
CREATE TABLE policy_devices (
    policy      text NOT NULL,
    device_id   uuid NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    held_revision integer,
    outcome     text NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'converged', 'failed')),
    conflicted  boolean NOT NULL DEFAULT false,
    offline     boolean NOT NULL DEFAULT true,
    PRIMARY KEY (policy, device_id)
) WITH (fillfactor = 80);
CREATE INDEX policy_devices_device ON policy_devices (device_id);
-- The page of failing devices, and the offline sweep over the pending ones, without walking the converged.
CREATE INDEX policy_devices_failed ON policy_devices (policy, device_id) WHERE outcome = 'failed';
CREATE INDEX policy_devices_pending ON policy_devices (policy, device_id) WHERE outcome = 'pending';

-- policy_devices counted per policy, held revision, outcome, conflicted and offline, so that a policy's status reads a
-- handful of rows however many devices it matches. Statement-level triggers append one delta row per key a statement
-- changed (appends never wait on each other, unlike a counter row that every report would lock); the server folds
-- them into one row per key every two seconds (DesiredStore.maintainCounts), so a status sums few rows.
CREATE TABLE policy_counts (
    policy      text NOT NULL,
    held_revision integer,
    outcome     text NOT NULL,
    conflicted  boolean NOT NULL,
    offline     boolean NOT NULL,
    n           bigint NOT NULL
);
CREATE INDEX policy_counts_policy ON policy_counts (policy);

CREATE FUNCTION policy_counts_delta() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO policy_counts (policy, held_revision, outcome, conflicted, offline, n)
        SELECT policy, held_revision, outcome, conflicted, offline, count(*) FROM new_rows GROUP BY 1, 2, 3, 4, 5;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO policy_counts (policy, held_revision, outcome, conflicted, offline, n)
        SELECT policy, held_revision, outcome, conflicted, offline, -count(*) FROM old_rows GROUP BY 1, 2, 3, 4, 5;
    ELSE
        INSERT INTO policy_counts (policy, held_revision, outcome, conflicted, offline, n)
        SELECT policy, held_revision, outcome, conflicted, offline, sum(n) FROM (
            SELECT policy, held_revision, outcome, conflicted, offline, 1 AS n FROM new_rows
            UNION ALL
            SELECT policy, held_revision, outcome, conflicted, offline, -1 AS n FROM old_rows
        ) AS change GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER policy_devices_inserted AFTER INSERT ON policy_devices
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION policy_counts_delta();
CREATE TRIGGER policy_devices_updated AFTER UPDATE ON policy_devices
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION policy_counts_delta();
CREATE TRIGGER policy_devices_deleted AFTER DELETE ON policy_devices
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION policy_counts_delta();

INSERT INTO policy_devices (policy, device_id, held_revision, outcome, conflicted, offline)
SELECT m.policy, dd.device_id, NULL,
       CASE WHEN s.revision = dd.revision AND m.policy = ANY (s.failed_policies) THEN 'failed'
            WHEN s.revision = dd.revision AND m.policy = ANY (s.converged_policies) THEN 'converged'
            ELSE 'pending' END,
       jsonb_path_exists(dd.conflicts, '$[*].policies[*] ? (@ == $p)', jsonb_build_object('p', m.policy)),
       NOT EXISTS (SELECT 1 FROM device_presence pr WHERE pr.device_id = dd.device_id AND pr.last_seen_at > now() - interval '3 minutes')
FROM device_desired dd
CROSS JOIN LATERAL unnest(dd.policies) AS m(policy)
JOIN policies p ON p.name = m.policy
LEFT JOIN device_status s ON s.device_id = dd.device_id;

-- policy_devices replaces the per-report arrays and the array index on the rendered states.
DROP INDEX device_status_converged;
DROP INDEX device_status_failed;
ALTER TABLE device_status DROP COLUMN converged_policies, DROP COLUMN failed_policies;
-- Rendering walks the devices in id order and filters on device_desired.policies as it goes: the index is never used.
DROP INDEX device_desired_policies;
-- With the array index gone, nothing indexed changes when a device's rendering is rewritten: room left on each page
-- lets PostgreSQL update it in place (HOT), without a new primary-key entry per device and rendering.
ALTER TABLE device_desired SET (fillfactor = 70);
