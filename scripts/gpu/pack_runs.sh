#!/usr/bin/env bash
# Packs the finished runs (status done or diverged) of a sweep's out dir into one tarball, without
# their checkpoints (~9 MB a MinAtar run, which would not fit through a lent machine's 16 MiB
# file limit), so they can be brought home and unpacked into the same sweep's runs/ there: the
# sweep then counts them as finished (run ids do not depend on the machine, docs/sweeps.md).
# Usage: scripts/gpu/pack_runs.sh SWEEP_OUT DEST.tgz     e.g. sweeps/minatar100k $OUT/runs.tgz
set -euo pipefail
out=$1 dest=$2
[[ -d $out/runs ]] || { echo "pack_runs.sh: no runs/ in '$out'" >&2; exit 2; }
list=$(mktemp)
for dir in "$out"/runs/*/; do
  status=$(head -n 1 "$dir/status" 2>/dev/null || true)
  [[ $status == done || $status == diverged* ]] && echo "runs/$(basename "$dir")" >> "$list"
done
[[ -s $list ]] || { echo "pack_runs.sh: no finished run in '$out/runs'" >&2; rm -f "$list"; exit 1; }
tar czf "$dest" -C "$out" --exclude=checkpoints -T "$list"
echo "$(wc -l < "$list") finished runs -> $dest ($(du -h "$dest" | cut -f1))"
rm -f "$list"
