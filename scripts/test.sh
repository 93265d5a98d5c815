#!/bin/bash
# make test: unit tests under ASan+UBSan, the fuzzers, the format check, the API and
# browser tests. Ends with one line "N passed, N failed".
set -u
cd "$(dirname "$0")/.."
build=build-test
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count_cmocka() {
	local p f
	p=$(grep -o '^\[  PASSED  \] [0-9]*' "$log" | awk '{s+=$4} END {print s+0}')
	f=$(grep -o '^\[  FAILED  \] [0-9]*' "$log" | awk '{s+=$4} END {print s+0}')
	passed=$((passed + p))
	failed=$((failed + f))
}

echo "== unit tests (ASan + UBSan)"
if meson test -C "$build" --print-errorlogs -v >"$log" 2>&1; then
	grep -E '^ *[0-9]+/[0-9]+ ' "$log"
else
	grep -E '^ *[0-9]+/[0-9]+ |FAILED|ERROR|runtime error|Sanitizer' "$log" | head -60
	failed=$((failed + 1))
fi
count_cmocka

echo "== fuzzers"
if [ "${KAMER_FUZZ_SECONDS:-}" != 0 ]; then
	out=$(scripts/fuzz.sh "$build" "${KAMER_FUZZ_SECONDS:-15}")
	echo "$out"
	passed=$((passed + $(echo "$out" | grep -c ': ok')))
	failed=$((failed + $(echo "$out" | grep -c ': FAILED')))
fi

echo "== format"
if files=$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'fuzz/*.c' 'tools/*.c' 'tools/*.h' 'bench/*.c') &&
	clang-format --dry-run -Werror $files >"$log" 2>&1; then
	echo "format: ok"
	passed=$((passed + 1))
else
	head -20 "$log"
	echo "format: FAILED (run make format)"
	failed=$((failed + 1))
fi

echo "== API and browser tests"
export KAMERD="$PWD/$build/kamerd"
if node --test --test-force-exit --test-reporter=tap tests/api/ tests/security/ tests/tools/ tests/e2e/ >"$log" 2>&1; then
	:
fi
grep -E '^(not )?ok |^# (pass|fail)|^# Subtest' "$log" | grep -v '^# Subtest' | tail -60
p=$(grep -E '^# pass ' "$log" | awk '{print $3}')
f=$(grep -E '^# fail ' "$log" | awk '{print $3}')
if [ -z "$p" ]; then
	tail -40 "$log"
	f=1
fi
[ "${f:-0}" != 0 ] && grep -B2 -A30 '^not ok' "$log" | head -120
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-0}))

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
