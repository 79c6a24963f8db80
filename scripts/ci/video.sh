#!/usr/bin/env bash
# The seed's video: `npm run demo:video` records the round trip from the agenda page in Debian's
# Chromium beside GHL's side, and Debian's ffmpeg composes it (both installed with apt-get when
# missing, with Chromium's Spanish language pack so date fields read as in Peru). Then it checks
# what came out, the fresh copy and the one committed under docs/video/: 120–180 s long, under
# the size limit, and pictures that are neither black nor blank nor all the same.
set -euo pipefail
cd "$(dirname "$0")/../.."

started=$(date +%s)
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
need=()
[ -x "$CHROMIUM_PATH" ] || need+=(chromium)
[ -e /usr/lib/chromium/locales/es-419.pak ] || need+=(chromium-l10n)
{ command -v ffmpeg && command -v ffprobe; } > /dev/null || need+=(ffmpeg)
if [ "${#need[@]}" -gt 0 ]; then
  echo "-- installing Debian's ${need[*]} (apt-get)"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi
echo "-- $("$CHROMIUM_PATH" --version 2>/dev/null); $(ffmpeg -version | head -1)"
# --install-only: what it needs is on the machine, nothing recorded (CI installs first, then records
# beside the browser tests, so two apt-gets never meet).
if [ "${1:-}" = "--install-only" ]; then exit 0; fi

echo "-- npm run demo:video"
npm run --silent demo:video

fail() { echo "✗ $*" >&2; exit 1; }

# check FILE MAX_MB: length, size, and three pictures (at 15 %, 50 % and 85 %) that each show a
# page (dark text on a light page: a wide range of brightness) and differ from one another.
check() {
  local file=$1 max_mb=$2
  [ -s "$file" ] || fail "$file was not written"
  local seconds bytes
  seconds=$(ffprobe -v error -show_entries format=duration -of default=nw=1:nk=1 "$file")
  bytes=$(stat -c %s "$file")
  awk -v s="$seconds" 'BEGIN { exit !(s >= 120 && s <= 180) }' || fail "$file lasts $seconds s, not 120–180 s"
  [ "$bytes" -le $((max_mb * 1024 * 1024)) ] || fail "$file is $bytes bytes, over $max_mb MB"
  local black
  black=$(ffmpeg -hide_banner -i "$file" -vf "fps=2,blackdetect=d=1:pix_th=0.10" -an -f null - 2>&1 | grep -c black_start || true)
  [ "$black" -eq 0 ] || fail "$file has $black black stretch(es) of a second or more"
  local sums=() at pct range sum
  for pct in 15 50 85; do
    at=$(awk -v s="$seconds" -v p="$pct" 'BEGIN { printf "%.2f", s * p / 100 }')
    range=$(ffmpeg -v error -ss "$at" -i "$file" -frames:v 1 -vf "signalstats,metadata=mode=print:file=-" -f null - \
      | awk -F= '/YMIN=/ { min = $2 } /YMAX=/ { max = $2 } END { print max - min }')
    [ "${range:-0}" -ge 150 ] || fail "$file at $at s shows no page (brightness range ${range:-none})"
    sum=$(ffmpeg -v error -ss "$at" -i "$file" -frames:v 1 -vf "scale=380:-2,format=gray" -f rawvideo - | md5sum | cut -c1-32)
    sums+=("$sum")
  done
  [ "$(printf '%s\n' "${sums[@]}" | sort -u | wc -l)" -eq 3 ] || fail "$file shows the same picture at 15 %, 50 % and 85 %"
  printf '   ✓ %s: %.1f s, %.2f MB, no black, three different pages\n' "$file" "$seconds" "$(awk -v b="$bytes" 'BEGIN { print b / 1048576 }')"
}

echo "-- checking the videos"
check artifacts/video/citas-sync-round-trip.webm 40
check artifacts/video/citas-sync-round-trip.mp4 5
check docs/video/citas-sync-round-trip.mp4 5
echo "-- video done in $(( $(date +%s) - started )) s"
