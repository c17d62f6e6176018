#!/usr/bin/env bash
# One command from the corpus to the shipped note network (models/notes/README.md):
#   bash models/notes/train.sh      # note dump, training on this CPU, export into models/accord-notes
# The shipped model was trained on a GPU with the same script (models/notes/gpu_run.sh); this
# runs the same training on the CPU alone with a smaller batch, so the result is a weaker model
# of the same shape. Environment: MINUTES (training budget, default 60), RUN (run folder name,
# default notes-cpu), SKIP_DATA=1 (reuse models/notes-data as it is), CHANNELS / HIDDEN (16 / 192).
# Resumable: the dump skips excerpts already rendered (≈ 35 min for the train split on 2 cores).
# Never run in CI.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES="${MINUTES:-60}"
RUN="models/runs/${RUN:-notes-cpu}"
PY=/usr/bin/python3

npx tsc -p tsconfig.node.json
if [ "${SKIP_DATA:-0}" != 1 ]; then
  node dist/node/electron/tools/training/dumpNotes.js --split validation --limit 96 --jobs 2
  node dist/node/electron/tools/training/dumpNotes.js --split train --jobs 2
fi
mkdir -p "$RUN"
"$PY" models/notes/train_notes.py train --data models/notes-data --out "$RUN" --minutes "$MINUTES" \
  --channels "${CHANNELS:-16}" --hidden "${HIDDEN:-192}" --batch 8 --crop 200 --eval-seconds 300 \
  --val-limit 48 | tee -a "$RUN/train.log"
"$PY" models/notes/train_notes.py export --run "$RUN" --out models/accord-notes
echo "exported $RUN → models/accord-notes; now: npx vitest run electron/engine/notes"
