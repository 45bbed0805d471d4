#!/usr/bin/env bash
# The main job: set up, build, train DQN (Dopamine's MinAtar preset, shortened to 100k env steps
# with evaluation phases) on MinAtar Breakout with 3 seeds, then write the evaluation report.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
qlab=build/release/qlab
$qlab version
runs=build/main_runs
rm -rf "$runs"
for seed in 0 1 2; do
  $qlab train --config dqn/dopamine_minatar --env minatar/breakout --seed "$seed" \
    --iterations 5 --steps-per-iteration 20000 --out "$runs/dqn_breakout_s$seed" \
    --set run.schedule=train_and_eval --set eval.episodes=20 \
    --set agent.epsilon_decay_steps=50000
done
$qlab report "$runs" -o build/main_report.html --reps 5000 --curve-reps 500
echo "report: build/main_report.html"
