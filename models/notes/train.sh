#!/usr/bin/env bash
# One command from the corpus to the shipped note network (models/notes/README.md):
#   bash models/notes/train.sh      # note dump, training on this CPU, export into models/accord-notes
# The shipped model (models/accord-notes, run models/runs/notes-cpu2) was trained with this script
# on this 2-core CPU: MINUTES=35, the defaults below. A GPU session can train larger variants
# with models/notes/gpu_run.sh. Environment: MINUTES (training budget, default 35), RUN (run
# folder name, default notes-cpu), SKIP_DATA=1 (reuse models/notes-data as it is), CHANNELS /
# HIDDEN (16 / 16).
# Resumable: the dump skips excerpts already rendered (≈ 35 min for the train split on 2 cores).
# Never run in CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES="${MINUTES:-35}"
RUN="models/runs/${RUN:-notes-cpu}"
PY=/usr/bin/python3

npx tsc -p tsconfig.node.json
if [ "${SKIP_DATA:-0}" != 1 ]; then
  node dist/node/electron/tools/training/dumpNotes.js --split validation --limit 96 --jobs 2
  node dist/node/electron/tools/training/dumpNotes.js --split train --jobs 2
fi
mkdir -p "$RUN"
"$PY" models/notes/train_notes.py train --data models/notes-data --out "$RUN" --minutes "$MINUTES" \
  --channels "${CHANNELS:-16}" --hidden "${HIDDEN:-16}" --batch 16 --lr 0.003 --crop 200 --eval-seconds 240 \
  --val-limit 48 | tee -a "$RUN/train.log"
"$PY" models/notes/train_notes.py export --run "$RUN" --out models/accord-notes
echo "exported $RUN → models/accord-notes; now: npx vitest run electron/engine/notes"
