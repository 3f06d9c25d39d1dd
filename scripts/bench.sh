#!/usr/bin/env bash
# Whole-process speed of `redlint check` as paired ratios, measured in one run so that the
# machine's drift cancels out: each pair runs A then B, RUNS times, and the median of the
# per-pair ratios A/B is printed with the median wall times.
#
#   redlint check FILE      vs  cat FILE                        (one stock config, cold process)
#   redlint check DIR       vs  cat DIR/* | wc -l               (10 000 small configs)
#   redlint check FILE      vs  redis-server FILE --port 0      (the server loading the file)
#
# Usage: scripts/bench.sh [RUNS]   (default 15; needs ../shared/corpus, redis-server optional)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
cargo build --release --quiet
bin=$PWD/target/release/redlint
stock=../shared/corpus/upstream/redis-7.4.1.conf
[ -f "$stock" ] || { echo "bench: $stock is missing" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 10 000 small configs: the real-world corpus files cycled under names the walk picks up.
mapfile -t small < <(find ../shared/corpus/wild -name '*.conf' -size -8k | sort)
mkdir "$work/many"
for i in $(seq 0 9999); do
    cp "${small[$((i % ${#small[@]}))]}" "$work/many/redis-$i.conf"
done

now() { date +%s%N; }

# pair NAME 'COMMAND A' 'COMMAND B': RUNS pairs after one warm-up of each.
pair() {
    local name=$1 a=$2 b=$3 t0 t1 t2
    eval "$a" >/dev/null 2>&1 || true
    eval "$b" >/dev/null 2>&1 || true
    for _ in $(seq "$runs"); do
        t0=$(now)
        eval "$a" >/dev/null 2>&1 || true
        t1=$(now)
        eval "$b" >/dev/null 2>&1 || true
        t2=$(now)
        echo "$((t1 - t0)) $((t2 - t1))"
    done | awk -v name="$name" '
        { a[NR] = $1 / 1e6; b[NR] = $2 / 1e6; r[NR] = $1 / ($2 > 0 ? $2 : 1) }
        function median(x, n,    i, j, t) {
            for (i = 2; i <= n; i++) for (j = i; j > 1 && x[j - 1] > x[j]; j--) {
                t = x[j]; x[j] = x[j - 1]; x[j - 1] = t
            }
            return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2
        }
        END {
            printf "%-44s %9.2f ms vs %9.2f ms   ratio %6.2f (median of %d pairs)\n",
                name, median(a, NR), median(b, NR), median(r, NR), NR
        }'
}

echo "machine: $(nproc) cores, $(uname -sr); $(date -u +%Y-%m-%d)"
pair "check stock 7.4 file / cat" "'$bin' check '$stock'" "cat '$stock'"
pair "check 10 000 files / cat | wc -l" "'$bin' check --quiet '$work/many'" "cat '$work'/many/* | wc -l"
if command -v redis-server >/dev/null; then
    # The stock file of the installed server's version, loaded until it has nothing to listen on.
    version=$(redis-server --version | sed -n 's/.*v=\([0-9]*\.[0-9]*\).*/\1/p')
    own=$(ls ../shared/corpus/upstream/redis-"$version".*.conf 2>/dev/null | head -1)
    own=${own:-$stock}
    cp "$own" "$work/server.conf"
    pair "check stock $version file / redis-server --port 0" \
        "'$bin' check --target-version $version '$work/server.conf'" \
        "cd '$work' && redis-server server.conf --port 0 --daemonize no --logfile ''"
fi
