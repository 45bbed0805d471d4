#!/usr/bin/env bash
# The main job: set up, build, and run a random-policy rollout report on every MinAtar game.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
qlab=build/release/qlab
$qlab version
for game in breakout asterix freeway seaquest space_invaders; do
  $qlab rollout --env "minatar/$game(actions=full)" --policy random --episodes 200 --seed 0
done
