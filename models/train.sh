#!/usr/bin/env bash
# One command from the corpus to the shipped model (models/README.md, "Training"):
#   bash models/train.sh            # data generation, training, export into models/accord-ca
# Environment: MINUTES (training budget, default 40), RUN (run folder name, default main),
# THREADS (torch threads, default 1 as for the shipped run), SKIP_DATA=1 (reuse models/data as it is).
# The budget is wall clock, so the step count (and the weights) depend on the machine's speed:
# the shipped run made 19,282 steps of 8 in 40 min beside a second run on this 2-core machine.
# Every step is resumable: the generator continues a cut-short data set (--resume), training
# continues from <run>/last.pt (--resume). Never run in CI.
set -euo pipefail
cd "$(dirname "$0")/.."

MINUTES="${MINUTES:-40}"
RUN="models/runs/${RUN:-main}"
THREADS="${THREADS:-1}"
PY=/usr/bin/python3

npx tsc -p tsconfig.node.json
if [ "${SKIP_DATA:-0}" != 1 ]; then
  # ≈ 20 min on the 2-core machine: 330 train performances (two per piece where there are two) × 12 samples,
  # 16 validation performances × 4 samples; seed 1.
  node dist/node/electron/training/makeDataset.js --out models/data --train-perfs 330 --train-samples 12 \
    --val-perfs 16 --val-samples 4 --jobs 2 --resume
fi

mkdir -p "$RUN"
"$PY" models/train.py --variant ca --loss ce --readout map --input-pool 4 --widths 16,32,64,64 \
  --sdtw-pool 4 --epoch-steps 300 --seed 1 --threads "$THREADS" --minutes "$MINUTES" --out "$RUN" --resume |
  tee -a "$RUN/train.log"

"$PY" models/export.py --run "$RUN" --out models/accord-ca
echo "exported $RUN → models/accord-ca; now: npx vitest run electron/services/neural shared/neural"
