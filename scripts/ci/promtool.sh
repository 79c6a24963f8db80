#!/usr/bin/env bash
# Validates the Prometheus files in ops/ with promtool, Prometheus's own checker: the rule file
# parses and its expressions are valid PromQL (check rules), every alert fires and stays quiet as
# ops/prometheus-rules.test.yml says (test rules), and the example scrape config is valid (check
# config). promtool comes from Debian's `prometheus` package, installed here when missing (as root,
# as CI runs), without starting the server the package ships.
# Usage: bash scripts/ci/promtool.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v promtool > /dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "promtool is missing and installing it needs root: apt-get install -y --no-install-recommends prometheus" >&2
    exit 1
  fi
  echo "-- installing promtool (Debian package prometheus)"
  # Only promtool is wanted: a policy-rc.d answering 101 keeps the package from starting its
  # Prometheus server (containers usually have one already; then it is left as it is).
  made_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  trap '[ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d' EXIT
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends prometheus > /dev/null
fi
promtool --version | head -1

echo "-- promtool check rules ops/prometheus-rules.yml"
promtool check rules ops/prometheus-rules.yml
echo "-- promtool test rules ops/prometheus-rules.test.yml"
promtool test rules ops/prometheus-rules.test.yml
echo "-- promtool check config --syntax-only ops/prometheus.example.yml"
promtool check config --syntax-only ops/prometheus.example.yml
