#!/usr/bin/env bash
# Copies the finished runs (status done or diverged) of a sweep's out dir without their checkpoints
# (~9-18 MB a MinAtar run), either into one tarball (DEST ends in .tgz: to bring runs home from a
# lent machine, whose files come back only up to 16 MiB) or into a folder (to publish a study's
# runs in the repository, so that it outlives the machine it ran on). Unpacked or copied into the
# same sweep's runs/ elsewhere, they count as finished there (run ids do not depend on the
# machine, docs/sweeps.md), so the sweep resumes with only the rest.
# Usage: scripts/pack_runs.sh SWEEP_OUT DEST.tgz|DEST_DIR
#   e.g. scripts/pack_runs.sh sweeps/minatar100k $OUT/runs.tgz
#        scripts/pack_runs.sh sweeps/minatar100k docs/results/minatar100k_runs
set -euo pipefail
[[ $# -eq 2 ]] || { echo "usage: pack_runs.sh SWEEP_OUT DEST.tgz|DEST_DIR" >&2; exit 2; }
out=$1 dest=$2
[[ -d $out/runs ]] || { echo "pack_runs.sh: no runs/ in '$out'" >&2; exit 2; }
list=$(mktemp)
trap 'rm -f "$list"' EXIT
for dir in "$out"/runs/*/; do
  status=$(head -n 1 "$dir/status" 2>/dev/null || true)
  [[ $status == done || $status == diverged* ]] && echo "$(basename "$dir")" >> "$list"
done
[[ -s $list ]] || { echo "pack_runs.sh: no finished run in '$out/runs'" >&2; exit 1; }
if [[ $dest == *.tgz ]]; then
  sed -i 's|^|runs/|' "$list"
  tar czf "$dest" -C "$out" --exclude=checkpoints -T "$list"
else
  mkdir -p "$dest"
  tar cf - -C "$out/runs" --exclude=checkpoints -T "$list" | tar xf - -C "$dest"
fi
echo "$(wc -l < "$list") finished runs -> $dest ($(du -sh "$dest" | cut -f1))"
