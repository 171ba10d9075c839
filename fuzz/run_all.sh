#!/bin/sh
# Runs every fuzz target for SECONDS each (default 180), one after the other, with the
# seeds of seed.sh. Needs cargo-fuzz and a nightly toolchain. Run from fuzz/.
# Crashes land in artifacts/<target>/; logs in $LOGDIR (default /tmp).
SECONDS_EACH=${1:-180}
LOGDIR=${LOGDIR:-/tmp}
TARGETS=${TARGETS:-"read_xlsx read_xls read_ods read_csv read_html parse_value parse_numbered load"}
[ -d corpus ] || sh seed.sh
cargo +nightly fuzz build -O || exit 1
for t in $TARGETS; do
    case $t in
        parse_*) len=4096 ;;
        *) len=131072 ;;
    esac
    cargo +nightly fuzz run -O "$t" -- -max_total_time="$SECONDS_EACH" -max_len=$len \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 > "$LOGDIR/fuzz-$t.log" 2>&1
    echo "$t exit=$? $(grep -E '^#[0-9]+' "$LOGDIR/fuzz-$t.log" | tail -1)"
done
