# Fleet server: built with the Swift toolchain on Debian bookworm, run on bookworm-slim.
# The build stage installs the same Debian packages as the Makefile's `deps` target.
FROM swift:6.3-bookworm AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      libmicrohttpd-dev libpq-dev libjansson-dev libcurl4-openssl-dev libbpf-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
# The BuildStamp plugin that stamps --version (without .git the commit reads "unknown").
COPY Plugins ./Plugins
# The manifest declares test targets too; SwiftPM refuses to load it when their folders are missing.
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product fleet-server \
 && mkdir -p /out \
 && cp .build/release/fleet-server /out/ \
 && cp -R .build/release/Fleet_FleetServer.resources /out/

FROM debian:bookworm-slim
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      libmicrohttpd12 libpq5 libjansson4 libcurl4 libbpf1 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home /var/lib/fleet --create-home fleet
COPY --from=build /out/ /usr/local/bin/
USER fleet
WORKDIR /var/lib/fleet
EXPOSE 8080
# DATABASE_URL must name the PostgreSQL to use (see compose.yaml); the first start prints an admin
# token and writes it to /var/lib/fleet/admin-token.
ENTRYPOINT ["/usr/local/bin/fleet-server"]
CMD ["serve", "--listen", "0.0.0.0:8080", "--data-dir", "/var/lib/fleet"]
