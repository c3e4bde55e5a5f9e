#!/usr/bin/env bash
# The whole test suite: installs what it needs (see setup.sh), runs every test against real
# mariadbd processes, and ends with one line `N passed, N failed`.
# Extra arguments go to `deno test` (e.g. a file or `--filter NAME`).
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system || exit 1

out=$(mktemp)
trap 'rm -f "$out"' EXIT
NO_COLOR=1 tools/node_modules/.bin/deno test -A --parallel "$@" 2>&1 | tee "$out"
status=${PIPESTATUS[0]}

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

# Deno's summary: "ok | 12 passed (3 steps) | 0 failed (4s)"; a run that dies early has none.
summary=$(grep -E '^(ok|FAILED) \| [0-9]+ passed' "$out" | tail -1)
passed=$(sed -E 's/^[A-Z a-z]+\| ([0-9]+) passed.*/\1/' <<<"$summary")
failed=$(sed -E 's/.*\| ([0-9]+) failed.*/\1/' <<<"$summary")
if [ -z "$summary" ]; then passed=0; failed=1; fi
[ "$status" = 0 ] || [ "$failed" != 0 ] || failed=1
echo "$passed passed, $failed failed"
exit "$status"
