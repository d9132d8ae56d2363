# Fleet executor: built with the Swift toolchain on Debian bookworm, run on bookworm-slim. Swift 6.3, as
# swift-protobuf 1.39 needs tools 6.2 and the manifest 6.1.
# It loads eBPF programs into the host kernel, so the container must run privileged with the host's
# bpffs, tracefs and debugfs mounted (see the fleet-executor service in compose.yaml).
FROM swift:6.3-bookworm AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      libbpf-dev libelf-dev zlib1g-dev libjansson-dev libcurl4-openssl-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Package.swift names the test targets too, so their folders must exist for the package to load;
# only the fleet-executor product is built.
COPY Package.swift ./
COPY Sources ./Sources
# The BuildStamp plugin that stamps --version (without .git the commit reads "unknown").
COPY Plugins ./Plugins
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product fleet-executor \
 && mkdir -p /out \
 && cp .build/release/fleet-executor /out/

FROM debian:bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      libbpf1 libcurl4 libjansson4 ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/fleet-executor /usr/local/bin/fleet-executor
COPY docker/executor-entrypoint.sh /usr/local/bin/executor-entrypoint.sh
# Runs as root: loading and attaching eBPF programs needs CAP_BPF, CAP_PERFMON, CAP_NET_ADMIN and
# CAP_SYS_ADMIN, and the pins under /sys/fs/bpf belong to root.
VOLUME /var/lib/fleet-executor
ENTRYPOINT ["/usr/local/bin/executor-entrypoint.sh"]
CMD ["run", "--state-dir", "/var/lib/fleet-executor"]
