#!/usr/bin/env bash
# Measures packaging of the example handlers: cold (empty zip cache and an
# empty Go build cache), warm-go (empty zip cache, warm Go build cache) and
# warm (nothing changed), plus the zip size of each handler.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
go build -o "$out/generator" ./generator

run() { # label, GOCACHE
  rm -rf build/functions
  local start end
  start=$(date +%s.%N)
  GOCACHE="$2" "$out/generator" -env dev >/dev/null
  end=$(date +%s.%N)
  printf '%-8s %6.2f s\n' "$1" "$(awk "BEGIN{print $end - $start}")"
}
echo "machine: $(nproc) cores, $(go version | awk '{print $3}')"
run cold "$out/gocache"
run warm-go "$out/gocache"
start=$(date +%s.%N); GOCACHE="$out/gocache" "$out/generator" -env dev >/dev/null; end=$(date +%s.%N)
printf '%-8s %6.2f s\n' warm "$(awk "BEGIN{print $end - $start}")"
echo "zip sizes:"
for z in build/functions/*.zip; do printf '  %-16s %6d KiB\n' "$(basename "$z" .zip)" $(( $(stat -c %s "$z") / 1024 )); done
