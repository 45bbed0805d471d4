#!/usr/bin/env bash
# scripts/pack_runs.sh: only finished runs (done, diverged) travel, never a checkpoint, both into a
# tarball and into a folder; no finished run and a bad out dir are errors.
#   tests/pack_runs_test.sh SCRIPT
set -euo pipefail
script=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
make_run() {  # NAME STATUS
  mkdir -p "$tmp/out/runs/$1/checkpoints"
  echo "$2" > "$tmp/out/runs/$1/status"
  echo '{"iteration":0}' > "$tmp/out/runs/$1/metrics.jsonl"
  echo weights > "$tmp/out/runs/$1/checkpoints/ckpt_0"
}
make_run a_done done
make_run b_diverged "diverged: loss is nan"
make_run c_running running
make_run d_stopped "stopped: signal"
mkdir -p "$tmp/out/runs/e_no_status"

# into a folder
bash "$script" "$tmp/out" "$tmp/published" > "$tmp/log" || fail "folder mode exited $?"
grep -q "^2 finished runs" "$tmp/log" || fail "folder mode said: $(cat "$tmp/log")"
[[ "$(ls "$tmp/published" | tr '\n' ' ')" == "a_done b_diverged " ]] ||
  fail "folder holds: $(ls "$tmp/published")"
[[ -f $tmp/published/a_done/metrics.jsonl && -f $tmp/published/b_diverged/status ]] ||
  fail "run files missing"
[[ -z "$(find "$tmp/published" -name checkpoints)" ]] || fail "a checkpoint was copied"
# publishing again (more runs finished since) adds to the folder
make_run f_done done
bash "$script" "$tmp/out" "$tmp/published" > /dev/null || fail "second publish exited $?"
[[ -d $tmp/published/f_done && -d $tmp/published/a_done ]] || fail "second publish lost runs"

# into a tarball
bash "$script" "$tmp/out" "$tmp/runs.tgz" > /dev/null || fail "tarball mode exited $?"
listing=$(tar tzf "$tmp/runs.tgz")
grep -q "^runs/a_done/metrics.jsonl$" <<<"$listing" || fail "tarball lacks a_done: $listing"
grep -q "c_running\|d_stopped\|e_no_status\|checkpoints" <<<"$listing" &&
  fail "tarball holds unfinished runs or checkpoints: $listing"

# errors: no runs/ folder (2), nothing finished (1)
set +e
bash "$script" "$tmp/nowhere" "$tmp/x.tgz" 2> "$tmp/err"; rc=$?
[[ $rc -eq 2 ]] && grep -q "no runs/ in" "$tmp/err" || fail "missing out dir: rc $rc, $(cat "$tmp/err")"
mkdir -p "$tmp/empty/runs/r"; echo running > "$tmp/empty/runs/r/status"
bash "$script" "$tmp/empty" "$tmp/y.tgz" 2> "$tmp/err"; rc=$?
[[ $rc -eq 1 ]] && grep -q "no finished run" "$tmp/err" || fail "nothing finished: rc $rc"
set -e
echo "PASS: pack_runs.sh"
