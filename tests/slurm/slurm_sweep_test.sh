#!/usr/bin/env bash
# The Slurm executor of `qlab sweep` against a real single-node Slurm (scripts/local_slurm.sh,
# started here and stopped on exit): a sweep runs as a job array, fills the results database and
# the per-run logs; submitting again submits nothing, neither while the array runs nor after it;
# a run cancelled mid-way (scancel: SIGTERM, checkpoint) and submitted again ends with exactly the
# metrics of the same run done by the local executor. Exit 77 (ctest: skipped) only when
# slurm-wlm and munge are not installed or we are not root.
#   tests/slurm/slurm_sweep_test.sh QLAB_BINARY
set -uo pipefail
qlab=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
for tool in munged slurmctld slurmd sbatch; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool not installed (scripts/setup.sh installs slurm-wlm and munge)"
    exit 77
  fi
done
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: a local slurmd needs root"
  exit 77
fi

work=$(mktemp -d /tmp/qlab_slurm_test.XXXXXX)
cleanup() {
  "$root/scripts/local_slurm.sh" stop "$work/cluster"
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  for log in "$work"/cluster/log/*.log "$work"/*/logs/slurm-*.out; do
    [ -f "$log" ] && { echo "--- $log"; tail -n 15 "$log"; }
  done
  exit 1
}
"$root/scripts/local_slurm.sh" start "$work/cluster" || fail "the local Slurm did not start"
export SLURM_CONF=$work/cluster/slurm.conf

# spec NAME ITERATIONS STEPS: DQN on CartPole, two sigmas x SEEDS seeds, Slurm executor
spec() {
  cat >"$work/$1.toml" <<TOML
[sweep]
agent = "dqn"
config = ["dqn/cleanrl_classic"]
envs = ["classic/cartpole"]
seeds = $4
executor = "slurm"
out = "$work/$1"
[slurm]
time = "00:10:00"
max_parallel = 2
[set]
"run.iterations" = $2
"run.training_steps" = $3
"agent.min_replay_history" = 200
[grid]
"agent.updates_per_step" = [0.5, 1]
TOML
  echo "$work/$1.toml"
}

# 1. a sweep of 4 runs, waited for
small=$(spec small 2 400 2)
out=$("$qlab" sweep "$small" --wait 2>&1) || fail "qlab sweep --wait exited $?: $out"
echo "$out"
grep -q "submitted job array" <<<"$out" || fail "no job array submitted"
grep -q "4 runs: 4 done" <<<"$out" || fail "not all 4 runs done"
[ "$(ls "$work"/small/logs/classic-cartpole_*.log | wc -l)" -eq 4 ] || fail "expected 4 run logs"
[ "$(ls "$work"/small/logs/slurm-*_*.out | wc -l)" -eq 4 ] || fail "expected 4 Slurm task logs"
grep -q "^#SBATCH --array=0-3%2$" "$work/small/slurm/array_1.sh" || fail "array/throttle not in the script"
grep -q "^#SBATCH --time=00:10:00$" "$work/small/slurm/array_1.sh" || fail "time limit not in the script"
rows=$("$qlab" query "$work/small/results.db" "select count(*) from runs where status = 'done'" --csv | tail -n 1)
[ "$rows" = 4 ] || fail "results.db has $rows done runs, expected 4"
metrics=$("$qlab" query "$work/small/results.db" "select count(distinct run_id) from metrics" --csv | tail -n 1)
[ "$metrics" = 4 ] || fail "results.db has metrics of $metrics runs, expected 4"
again=$("$qlab" sweep "$small" 2>&1) || fail "re-submitting a finished sweep exited $?"
grep -q "nothing to submit (4 finished" <<<"$again" || fail "a finished sweep was submitted again: $again"
status=$("$qlab" sweep status "$small") || fail "qlab sweep status failed"
grep -q "4 runs: 4 done" <<<"$status" || fail "sweep status: $status"

# 2. cancel a running array, submit again: the run resumes and ends exactly as uninterrupted
# long enough that both runs are still running when the next commands look and scancel takes
# effect, even with an ASan build's slow start-up (6000 steps per iteration, ~12 s and ~25 s per
# run on an earlier machine, finished before scancel on a faster one beside another test)
long=$(spec long 8 20000 1)
"$qlab" sweep "$long" --quiet || fail "submitting the long sweep failed"
job=$(cut -f1 "$work/long/slurm/jobs.tsv")
while_running=$("$qlab" sweep "$long" 2>&1)
grep -q "nothing to submit (0 finished, 2 queued or running)" <<<"$while_running" ||
  fail "a queued/running array was submitted twice: $while_running"
# the status shows each queued/running task's Slurm state (squeue may be briefly unreachable)
for _ in $(seq 20); do
  status=$("$qlab" sweep status "$long" 2>&1)
  grep -q "(job ${job}_" <<<"$status" && break
  sleep 0.5
done
grep -q "(job ${job}_" <<<"$status" || fail "sweep status shows no Slurm state: $status"
# wait until both runs have checkpointed at least two iterations
for _ in $(seq 600); do
  n=0
  for m in "$work"/long/runs/*/metrics.jsonl; do
    [ -f "$m" ] && [ "$(wc -l <"$m")" -ge 2 ] && n=$((n + 1))
  done
  [ "$n" -eq 2 ] && break
  sleep 0.1
done
[ "$n" -eq 2 ] || fail "the runs never reached iteration 2"
scancel "$job"
for _ in $(seq 300); do
  [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.2
done
stopped=$(grep -l "^stopped" "$work"/long/runs/*/status | wc -l)
[ "$stopped" -ge 1 ] || fail "no run was stopped by scancel: $(cat "$work"/long/runs/*/status)"
resumed=$("$qlab" sweep "$long" --wait 2>&1) || fail "re-submitting after scancel exited $?: $resumed"
grep -q "2 runs: 2 done" <<<"$resumed" || fail "the resumed sweep did not finish: $resumed"
grep -q "resumes" "$work"/long/logs/slurm-*.out || fail "no task resumed its run"

sed "s#out = \"$work/long\"#out = \"$work/local\"#" "$long" >"$work/local.toml"
"$qlab" sweep "$work/local.toml" --executor local --quiet || fail "the local reference sweep failed"
metrics_sql="select run_id, iteration, name, value from metrics where name not in ('wall_s', 'env_steps_per_s', 'updates_per_s') order by run_id, iteration, name"
"$qlab" query "$work/long/results.db" "$metrics_sql" --csv >"$work/slurm.csv"
"$qlab" query "$work/local/results.db" "$metrics_sql" --csv >"$work/local.csv"
[ "$(wc -l <"$work/slurm.csv")" -gt 20 ] || fail "too few metrics rows: $(wc -l <"$work/slurm.csv")"
diff -q "$work/slurm.csv" "$work/local.csv" >/dev/null ||
  fail "cancelled+resumed Slurm runs differ from local runs: $(diff "$work/slurm.csv" "$work/local.csv" | head -5)"
echo "PASS: Slurm executor (job arrays, idempotent re-submission, exact resume after scancel)"
