#!/usr/bin/env bash
# Installs what xenon needs on this machine, idempotently:
#   - Deno, from the npm package `deno`, into tools/ (apart from the project's own npm packages);
#   - the project's npm packages (deno.lock);
#   - with --system: MariaDB, mariabackup, openssh, sshpass, iproute2, arping, openssl (test
#     certificates) from Debian packages, and for the network-namespace tests and the sample
#     configs: nftables (partitions), haproxy (conf/haproxy.cfg in front of the VIP) and prometheus
#     (promtool checks conf/alerts.yml).
# Prints one line per step it takes; exits non-zero with one line saying what to fix.
set -euo pipefail
cd "$(dirname "$0")/.."

want_system=0
for arg in "$@"; do
  case "$arg" in
    --system) want_system=1 ;;
    *) echo "setup.sh: unknown option '$arg' (expected --system)" >&2; exit 2 ;;
  esac
done

deno_bin=tools/node_modules/.bin/deno
want_version=$(sed -n 's/.*"deno": *"\([^"]*\)".*/\1/p' tools/package.json)
if ! [ -x "$deno_bin" ] || ! "$deno_bin" --version 2>/dev/null | grep -q "^deno $want_version "; then
  command -v npm >/dev/null || { echo "setup.sh: npm is missing; install Node.js 20+ (apt-get install nodejs npm)" >&2; exit 1; }
  echo "setup: installing deno $want_version from npm into tools/"
  npm ci --prefix tools --no-audit --no-fund --loglevel=error >/dev/null
fi

if [ "$want_system" = 1 ]; then
  missing=()
  command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
  command -v mariadb-backup >/dev/null || missing+=(mariadb-backup)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v sshpass >/dev/null || missing+=(sshpass)
  command -v ip >/dev/null || missing+=(iproute2)
  command -v arping >/dev/null || missing+=(iputils-arping)
  command -v killall >/dev/null || missing+=(psmisc)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v nft >/dev/null || [ -x /usr/sbin/nft ] || missing+=(nftables)
  command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)
  command -v promtool >/dev/null || missing+=(prometheus)
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "setup.sh: missing packages: ${missing[*]}; run as root: apt-get install -y ${missing[*]}" >&2
      exit 1
    fi
    echo "setup: installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  # The distro's own MariaDB service must not keep port 3306 (apt starts it where systemd runs).
  if [ -S /run/mysqld/mysqld.sock ] && mariadb-admin --socket=/run/mysqld/mysqld.sock ping >/dev/null 2>&1; then
    echo "setup: stopping the distribution's MariaDB service (it is not managed by xenon)"
    service mariadb stop >/dev/null 2>&1 || mariadb-admin --socket=/run/mysqld/mysqld.sock shutdown
  fi
fi

"$deno_bin" install --quiet >/dev/null
