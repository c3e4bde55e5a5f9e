#!/usr/bin/env bash
# Brings up a local xenon cluster to try it: installs what it needs (as root), then
# `xenon sandbox up`, which prints the cluster's status once a leader is writable.
# As root, each node is a host of its own (`sandbox up --netns`: a network namespace on a bridge,
# a real VIP on the leader); without root or where namespaces cannot be made (an unprivileged
# container), the nodes share loopback, with one line saying why. --loopback asks for loopback.
# Other arguments go to `xenon sandbox up` (e.g. --nodes 5).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system

args=()
want_netns=auto
for arg in "$@"; do
  case "$arg" in
    --loopback) want_netns=no ;;
    --netns) want_netns=yes ;;
    *) args+=("$arg") ;;
  esac
done

# Why namespaces cannot be used here, or nothing when they can (a probe namespace is made and
# removed again).
netns_refusal() {
  if [ "$(id -u)" != 0 ]; then
    echo "not running as root"
    return
  fi
  local probe="xsprobe$$" out
  if ! out=$(ip netns add "$probe" 2>&1); then
    echo "ip netns add failed: ${out}"
    return
  fi
  ip netns del "$probe" 2>/dev/null || true
}

if [ "$want_netns" = auto ]; then
  why=$(netns_refusal)
  if [ -z "$why" ]; then
    args+=(--netns)
  else
    echo "sandbox.sh: loopback, not network namespaces (${why}): the nodes share 127.0.0.1 and the VIP is a line in each node's leader.log"
  fi
elif [ "$want_netns" = yes ]; then
  args+=(--netns)
fi
exec bin/xenon sandbox up ${args[@]+"${args[@]}"}
