#!/usr/bin/env bash
# Runs the shell commands of JOBS (one per line) on SLOTS parallel slots in a detached session that
# outlives the calling shell; each job's output goes to LOGS/<line>.log, ending with "rc=N".
# Usage: scripts/gpu/run_jobs.sh JOBS [SLOTS=nproc] [LOGS=logs]
set -euo pipefail
jobs=$1 slots=${2:-$(nproc)} logs=${3:-logs}
mkdir -p "$logs"
logs=$(cd "$logs" && pwd)
awk -v d="$logs" '{print $0 " > " d "/" NR ".log 2>&1; echo rc=$? >> " d "/" NR ".log"}' "$jobs" \
  > "$logs/jobs.sh"
setsid nohup xargs -d '\n' -P "$slots" -I{} bash -c "{}" < "$logs/jobs.sh" > "$logs/xargs.log" 2>&1 &
echo "$(wc -l < "$jobs") jobs on $slots slots; logs in $logs"
