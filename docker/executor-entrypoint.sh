#!/bin/sh
# Enrols the executor on its first start, then runs it.
#
# FLEET_SERVER (the server's URL) and FLEET_ENROLLMENT_TOKEN (fle_...) are needed only while the state
# directory holds no identity yet; FLEET_DEVICE_NAME optionally names the device. Later starts reuse
# identity.json from the state volume and ignore the token.
set -eu

state_dir=/var/lib/fleet-executor
if [ "${1:-}" = run ]; then
    # The state directory of the command line, if it names one.
    previous=
    for argument in "$@"; do
        if [ "$previous" = --state-dir ]; then state_dir=$argument; fi
        previous=$argument
    done

    if [ ! -s "$state_dir/identity.json" ]; then
        : "${FLEET_SERVER:?set FLEET_SERVER to the server URL for the first enrolment}"
        : "${FLEET_ENROLLMENT_TOKEN:?set FLEET_ENROLLMENT_TOKEN (fleetctl create enrollment-token) for the first enrolment}"
        mkdir -p "$state_dir"
        if [ -n "${FLEET_DEVICE_NAME:-}" ]; then
            fleet-executor enroll --server "$FLEET_SERVER" --token "$FLEET_ENROLLMENT_TOKEN" --name "$FLEET_DEVICE_NAME" --state-dir "$state_dir"
        else
            fleet-executor enroll --server "$FLEET_SERVER" --token "$FLEET_ENROLLMENT_TOKEN" --state-dir "$state_dir"
        fi
    fi

    # Programs, links and maps are pinned under bpffs; mount it when the host did not bind it in.
    if ! grep -qs ' /sys/fs/bpf bpf ' /proc/mounts; then
        mount -t bpf bpf /sys/fs/bpf
    fi
fi

exec /usr/local/bin/fleet-executor "$@"
