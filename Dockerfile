# Two images from one compiled xenon binary. `deno compile` downloads Deno's runtime, so this build
# needs network access (it cannot run in our offline lab, where everything runs `main.ts` through
# `deno run` instead; neither image has been built there).
#   docker build --target release  -t xenon .            a host-style image (serve -c ...)
#   docker build --target operator -t xenon:operator .   spec.xenonOpts.image of the Kubernetes
#                                                        operator (radondb-mysql-kubernetes)
FROM debian:12 AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY tools/package.json tools/package-lock.json tools/
RUN npm ci --prefix tools --no-audit --no-fund
COPY deno.json deno.lock main.ts ./
COPY src/ src/
ARG XENON_TAG=v0.1.0
ARG XENON_GIT=unknown
RUN sed -i -e "s/^export const TAG = .*/export const TAG = \"${XENON_TAG}\";/" \
           -e "s/^export const GIT = .*/export const GIT = \"${XENON_GIT}\";/" src/build/info.ts \
    && tools/node_modules/.bin/deno install \
    && tools/node_modules/.bin/deno compile -A --output /out/xenon main.ts \
    # xenoncli, as the original's scripts and the operator call it: the same binary.
    && printf '#!/bin/sh\nXENON_INVOKED_AS=xenoncli exec /usr/local/bin/xenon "$@"\n' > /out/xenoncli \
    && chmod 755 /out/xenoncli

# The operator's /xenonchecker (its leader-start/stop commands and pod hooks), built from the
# operator's own source as its build/xenon/Dockerfile does (Apache-2.0).
FROM golang:1.21 AS xenonchecker
ARG OPERATOR_REF=main
RUN git clone --depth 1 --branch "${OPERATOR_REF}" \
      https://github.com/radondb/radondb-mysql-kubernetes.git /operator \
    && cd /operator && CGO_ENABLED=0 go build -o /out/xenonchecker ./cmd/xenon

FROM debian:12-slim AS release
RUN apt-get update && apt-get install -y --no-install-recommends \
      mariadb-client mariadb-backup openssh-client sshpass iproute2 iputils-arping ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/xenon /out/xenoncli /usr/local/bin/
ENTRYPOINT ["/usr/local/bin/xenon"]
CMD ["serve", "-c", "/etc/xenon/xenon.json"]

# What the operator expects of its xenon container (mysqlcluster/container/xenon.go): a process
# named `xenon` started as `xenon -c /etc/xenon/xenon.json` (its probes run `pgrep xenon &&
# xenoncli xenon ping`), `xenoncli` on the PATH finding the config through /config.path in the
# working directory, /xenonchecker, the config and meta volumes at /etc/xenon and /var/lib/xenon
# writable by uid 1001, peer RPC on 8801 and the HTTP API on 6601.
FROM debian:12-slim AS operator
RUN apt-get update && apt-get install -y --no-install-recommends \
      procps curl bash jq ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd -g 1001 mysql && useradd -u 1001 -g 1001 -r -M mysql \
    && mkdir -p /etc/xenon /var/lib/xenon \
    && echo "/etc/xenon/xenon.json" > /config.path \
    && chown -R 1001:1001 /etc/xenon /var/lib/xenon
COPY --from=build /out/xenon /out/xenoncli /usr/local/bin/
COPY --from=xenonchecker /out/xenonchecker /xenonchecker
USER 1001
WORKDIR /
EXPOSE 8801 6601
VOLUME ["/var/lib/xenon", "/etc/xenon"]
ENTRYPOINT ["xenon"]
CMD ["-c", "/etc/xenon/xenon.json"]
