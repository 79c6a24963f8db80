#!/usr/bin/env bash
# End to end against `npm start` on the embedded defaults, in a fresh data folder: the Postman
# collection through newman, the narrated round-trip demo, and (when given) more commands that
# need the running service, e.g. the browser tests. Stops the service however things end.
# Usage: bash scripts/ci/e2e.sh [command ...]
set -euo pipefail
cd "$(dirname "$0")/../.."

data=$(mktemp -d)
export CITAS_DATA_DIR="$data/.data" PGLITE_DIR="$data/.data/pglite"
# One process (no npm/tsx wrappers), so stopping it stops everything it started.
node --import tsx scripts/dev-server.ts > "$data/server.log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  if curl -sf http://127.0.0.1:8787/healthz > /dev/null; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then cat "$data/server.log"; echo "npm start exited"; exit 1; fi
  sleep 0.5
done
curl -sf http://127.0.0.1:8787/healthz > /dev/null || { cat "$data/server.log"; echo "npm start did not come up"; exit 1; }

echo "-- newman: the Postman collection against npm start"
npx newman run postman/citas-sync.postman_collection.json -e postman/npm-start.postman_environment.json --reporters cli --color off
echo "-- npm run demo: the round trip, narrated"
npm run --silent demo
for cmd in "$@"; do
  echo "-- $cmd"
  bash -c "$cmd"
done
