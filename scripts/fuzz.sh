#!/bin/sh
# Runs every libFuzzer target briefly under ASan+UBSan, seeded from fuzz/corpus/<thing>/.
#   scripts/fuzz.sh BUILD_DIR [SECONDS]
# Prints one line per target: "fuzz <thing>: ok" or "fuzz <thing>: FAILED".
set -u
build=$1
secs=${2:-20}
fails=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for bin in "$build"/fuzz_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	thing=${bin##*/fuzz_}
	mkdir -p "$work/$thing"
	# New inputs go to a scratch folder; the committed seeds stay as they are.
	if "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/$thing-" "$work/$thing" "fuzz/corpus/$thing" >"$work/$thing.log" 2>&1; then
		execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$thing.log" | grep -o '[0-9]*$')
		echo "fuzz $thing: ok (${execs:-?} runs in ${secs}s)"
	else
		echo "fuzz $thing: FAILED"
		tail -40 "$work/$thing.log"
		for a in "$work/$thing-"*; do
			[ -f "$a" ] && mkdir -p fuzz/crashes && cp "$a" fuzz/crashes/ && echo "crash input kept in fuzz/crashes/${a##*/}"
		done
		fails=$((fails + 1))
	fi
done
exit $fails
