#!/bin/sh
# Regenerate every PNG from the Graphviz source beside it. Needs Graphviz (`dot`) at development
# time only: the PNGs are committed, so CI and Podium never need it.
set -eu
cd "$(dirname "$0")"
for source in *.dot; do
  dot -Tpng -Gdpi=110 "$source" -o "${source%.dot}.png"
  echo "${source%.dot}.png"
done
