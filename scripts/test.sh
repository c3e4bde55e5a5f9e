#!/usr/bin/env bash
# The whole test suite: installs what it needs (see setup.sh), runs every test against real
# mariadbd processes, and ends with one line `N passed, N failed`.
# Extra arguments go to `deno test` (e.g. a file or `--filter NAME`).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system || exit 1

out=$(mktemp)
trap 'rm -f "$out"' EXIT
deno=tools/node_modules/.bin/deno
# Tests that run whole clusters (several mariadbd and agents, writers, failovers under timers)
# run one file at a time, after the rest: two of them side by side on 2 cores starve each
# other's heartbeats and fail for reasons that are not the code's. Arguments run as given.
clusters=(tests/e2e tests/netns tests/backup tests/sandbox)
if [ $# -gt 0 ]; then
  NO_COLOR=1 "$deno" test -A --parallel "$@" 2>&1 | tee "$out"
  status=${PIPESTATUS[0]}
else
  ignore=$(IFS=,; echo "${clusters[*]}")
  NO_COLOR=1 "$deno" test -A --parallel --ignore="$ignore" 2>&1 | tee "$out"
  status=${PIPESTATUS[0]}
  NO_COLOR=1 DENO_JOBS=1 "$deno" test -A --parallel "${clusters[@]}" 2>&1 | tee -a "$out"
  [ "${PIPESTATUS[0]}" = 0 ] || status=1
fi

# Nothing a test started may outlive the run: servers, agents, temp dirs (the harness checks
# each test; this catches what a crashed test process could leave).
tmp=${TMPDIR:-/tmp}
for _ in 1 2 3 4 5 6 7 8 9 10; do # watchdogs may need a moment to notice the run ended
  leftovers=$(pgrep -af "xenon-test-|xenon-e2e-|xenon-sandbox-test" | grep -v pgrep || true)
  leftdirs=$(find "$tmp" -maxdepth 1 \( -name 'xenon-test-*' -o -name 'xenon-e2e-*' \
    -o -name 'xenon-sandbox-test-*' \) 2>/dev/null || true)
  [ -z "$leftovers$leftdirs" ] && break
  sleep 0.5
done
if [ -n "$leftovers$leftdirs" ]; then
  echo "left behind by the tests:"; echo "$leftovers"; echo "$leftdirs"
  status=1
fi

# Deno's summary per run: "ok | 12 passed (3 steps) | 0 failed (4s)"; a run that dies early has
# none, which counts as a failure.
runs=$([ $# -gt 0 ] && echo 1 || echo 2)
summaries=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$out")
passed=0
failed=0
while read -r line; do
  [ -n "$line" ] || continue
  passed=$((passed + $(sed -E 's/^[A-Z a-z]+\| ([0-9]+) passed.*/\1/' <<<"$line")))
  failed=$((failed + $(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$line")))
done <<<"$summaries"
if [ "$(grep -c . <<<"$summaries")" -lt "$runs" ]; then failed=$((failed + 1)); fi
[ "$status" = 0 ] || [ "$failed" != 0 ] || failed=1
echo "$passed passed, $failed failed"
exit "$status"
