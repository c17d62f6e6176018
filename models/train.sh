#!/usr/bin/env bash
# One command from the corpus to the shipped structure network (models/README.md, "Training"):
#   bash models/train.sh            # block dump, training, export into models/accord-ca
# The shipped model was trained on a GPU with the same scripts (models/structure/gpu_run.sh);
# this runs the same training on this CPU alone, with a smaller batch and budget, so the
# result is a weaker model of the same shape.
# Environment: MINUTES (training budget, default 60), RUN (run folder name, default cpu),
# SKIP_DATA=1 (reuse models/blocks as it is), WORKERS (sample processes, default 1).
# Resumable: the dump skips performances already rendered. Never run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES="${MINUTES:-60}"
RUN="models/runs/${RUN:-cpu}"
PY=/usr/bin/python3

npx tsc -p tsconfig.node.json
if [ "${SKIP_DATA:-0}" != 1 ]; then
  # ≈ 1 h on the 2-core machine: every validation and train performance rendered once (seed 1).
  node dist/node/electron/tools/training/dumpFeatures.js --split validation --jobs 2
  node dist/node/electron/tools/training/dumpFeatures.js --split train --jobs 2
fi

mkdir -p "$RUN"
"$PY" models/structure/train_gpu.py --blocks models/blocks --out "$RUN" --minutes "$MINUTES" \
  --variant ca --readout map --loss ce --input-pool 1 --L 256 --map-proj 16 \
  --workers "${WORKERS:-1}" --batch 8 --val-samples 64 --eval-seconds 300 | tee -a "$RUN/train.log"

"$PY" models/export.py --run "$RUN" --out models/accord-ca
echo "exported $RUN → models/accord-ca; now: npx vitest run electron/engine/neural shared/neural"
