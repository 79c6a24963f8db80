#!/usr/bin/env bash
# The agenda page in a real browser: Debian's Chromium, installed with apt-get when missing,
# driven by playwright-core (npm run test:browser). The tests start `npm start` themselves, in a
# fresh data folder on free ports. Screenshots and the service's log: artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../.."

export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_PATH" ]; then
  if [ "$CHROMIUM_PATH" != /usr/bin/chromium ]; then
    echo "CHROMIUM_PATH=$CHROMIUM_PATH does not exist" >&2
    exit 1
  fi
  echo "-- installing Debian's chromium (apt-get)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium
fi
echo "-- $("$CHROMIUM_PATH" --version 2>/dev/null)"

echo "-- npm run test:browser (the agenda page against npm start)"
npm run test:browser
