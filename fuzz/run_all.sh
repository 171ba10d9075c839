#!/bin/sh
# Runs every fuzz target for SECONDS each (default 180), one after the other, with the
# seeds of seed.sh (PARALLEL=1: all at once). Needs cargo-fuzz; see README.md. Run from fuzz/.
# Crashes land in artifacts/<target>/; logs in $LOGDIR (default /tmp).
SECONDS_EACH=${1:-180}
LOGDIR=${LOGDIR:-/tmp}
TARGETS=${TARGETS:-"read_xlsx read_xls read_ods read_csv read_html parse_value parse_numbered load"}
[ -d corpus ] || sh seed.sh
# A stable toolchain takes cargo-fuzz's nightly flags under RUSTC_BOOTSTRAP=1.
if cargo +nightly --version >/dev/null 2>&1; then FUZZ="cargo +nightly fuzz"; else
    export RUSTC_BOOTSTRAP=1; FUZZ="cargo fuzz"; fi
$FUZZ build -O || exit 1
# A timeout of 60 s: fuzzing beside other work (or paused with SIGSTOP) must not turn a
# slow moment into a "timeout" finding; real hangs still show.
run() {
    case $1 in
        parse_*) len=4096 ;;
        *) len=131072 ;;
    esac
    nice -n 19 $FUZZ run -O "$1" -- -max_total_time="$SECONDS_EACH" -max_len=$len \
        -timeout=60 -rss_limit_mb=2048 -print_final_stats=1 > "$LOGDIR/fuzz-$1.log" 2>&1
    echo "$1 exit=$? $(grep -E '^#[0-9]+' "$LOGDIR/fuzz-$1.log" | tail -1)"
}
for t in $TARGETS; do
    if [ -n "$PARALLEL" ]; then run "$t" & else run "$t"; fi
done
wait
