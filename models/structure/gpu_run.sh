#!/usr/bin/env bash
python3 -c 'import torch;print(torch.__version__, torch.cuda.is_available())'; nproc
# Two trainings of the structure network side by side on one GPU (run from the repository root,
# with the block dump in models/blocks):
#   (a) CA, map readout, cross-entropy over the 256 columns       → $OUT/ca-ce/
#   (b) CA, FC readout (the paper), soft-DTW divergence + 0.2 L1  → $OUT/ca-sdtw/
# each with half the sample workers, for ${MINUTES:-8} minutes of wall clock (counted from each
# process's start, data loading and evaluations included). Each folder gets run.json, log.jsonl,
# best.pt, golden_input.u8 and train.log. Environment: MINUTES, OUT (default ./runs), BLOCKS
# (default models/blocks), WORKERS (per run; default (nproc − 4) / 2, at least 1), EVAL_SECONDS
# (default 60), PY (default python3), EXTRA (more train_gpu.py arguments for both runs, e.g. a CPU check:
# EXTRA="--L 64 --widths 8,8,8,8 --val-samples 8 --batch 2 --device cpu"); CE_EXTRA / SDTW_EXTRA
# for one run only (e.g. CE_EXTRA="--widths 32,64,96,128").
set -uo pipefail
PY="${PY:-python3}"
cd "$(dirname "$0")/../.."

MINUTES="${MINUTES:-8}"
OUT="${OUT:-runs}"
BLOCKS="${BLOCKS:-models/blocks}"
CORES="$(nproc)"
WORKERS="${WORKERS:-$(((CORES - 4) / 2))}"
[ "$WORKERS" -ge 1 ] || WORKERS=1
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
mkdir -p "$OUT/ca-ce" "$OUT/ca-sdtw"
ls "$BLOCKS" >/dev/null || exit 1
echo "blocks: $(ls "$BLOCKS/train" | grep -c '\.u8$') train, $(ls "$BLOCKS/validation" | grep -c '\.u8$') validation renderings; $MINUTES min, $WORKERS workers per run"

# A hard stop a little after the budget (the runs end by themselves; best.pt is kept at every evaluation).
LIMIT=$("$PY" -c "print(int(float('$MINUTES') * 60 + 45))")
COMMON=(--blocks "$BLOCKS" --minutes "$MINUTES" --workers "$WORKERS" --variant ca --input-pool 1 --L 256
  --val-cache /tmp/accord-valsets --eval-seconds "${EVAL_SECONDS:-60}")
# shellcheck disable=SC2206
EXTRA_ARGS=(${EXTRA:-})

(timeout -k 10 "$LIMIT" "$PY" models/structure/train_gpu.py "${COMMON[@]}" --readout map --loss ce \
  --out "$OUT/ca-ce" "${EXTRA_ARGS[@]}" ${CE_EXTRA:-} 2>&1 | tee "$OUT/ca-ce/train.log" | sed -u 's/^/[ca-ce] /') &
(timeout -k 10 "$LIMIT" "$PY" models/structure/train_gpu.py "${COMMON[@]}" --readout fc --loss sdtw --l1 0.2 \
  --sdtw-pool 4 --out "$OUT/ca-sdtw" "${EXTRA_ARGS[@]}" ${SDTW_EXTRA:-} 2>&1 | tee "$OUT/ca-sdtw/train.log" | sed -u 's/^/[ca-sdtw] /') &
wait

"$PY" - "$OUT" <<'EOF'
import json, os, sys
for name in ("ca-ce", "ca-sdtw"):
    path = os.path.join(sys.argv[1], name, "log.jsonl")
    rows = [json.loads(l) for l in open(path)] if os.path.exists(path) else []
    if not rows:
        print(f"{name}: no evaluation logged")
        continue
    best = min(rows, key=lambda r: r["val_mae_cells"])
    last = rows[-1]
    keys = ("step", "samples", "minutes", "val_mae_cells", "val_mae_cells_multi", "val_mae_seconds", "val_within_1_cell_pct",
            "jump_recall", "jump_precision")
    fmt = lambda r: ", ".join(f"{k} {r[k]:.3f}" if isinstance(r[k], float) else f"{k} {r[k]}" for k in keys)
    print(f"{name} best: {fmt(best)}")
    print(f"{name} last: {fmt(last)}")
EOF
