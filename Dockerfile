# The release image: one compiled xenon binary on Debian 12 with MariaDB's client tools.
# `deno compile` downloads Deno's runtime, so this build needs network access (it cannot run in
# our offline lab, where everything runs `main.ts` through `deno run` instead).
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
    && tools/node_modules/.bin/deno compile -A --output /out/xenon main.ts

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      mariadb-client mariadb-backup openssh-client sshpass iproute2 iputils-arping ca-certificates \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /out/xenon /usr/local/bin/xenon
# xenoncli, as the original's scripts and the Kubernetes operator call it: the same binary.
RUN printf '#!/bin/sh\nXENON_INVOKED_AS=xenoncli exec /usr/local/bin/xenon "$@"\n' > /usr/local/bin/xenoncli \
    && chmod 755 /usr/local/bin/xenoncli
ENTRYPOINT ["/usr/local/bin/xenon"]
CMD ["serve", "-c", "/etc/xenon/xenon.json"]
