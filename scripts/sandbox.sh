#!/usr/bin/env bash
# Brings up a local xenon cluster to try it: installs what it needs (as root), then
# `xenon sandbox up`, which prints the cluster's status once a leader is writable.
# Arguments go to `xenon sandbox up` (e.g. --nodes 5).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system
exec bin/xenon sandbox up "$@"
