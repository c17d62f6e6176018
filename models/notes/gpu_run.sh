#!/usr/bin/env bash
python3 -c 'import torch;print(torch.__version__, torch.cuda.is_available())'; nproc
# Three trainings of the note network side by side on one GPU (run from the repository root, with
# the pack of the note dump in models/notes-pack.npz: `train_notes.py pack`):
#   (a) 16 channels, 192 hidden (the CPU-speed design)   → $OUT/notes-a/
#   (b) 20 channels, 256 hidden                          → $OUT/notes-b/
#   (c) 12 channels, 128 hidden (the fastest)            → $OUT/notes-c/
# for ${MINUTES:-7} minutes of wall clock each (counted from each process's start, loading and
# evaluations included). Each folder gets run.json, log.jsonl, best.pt, data_info.json,
# golden_input.u8 and train.log. Environment: MINUTES, OUT (default ./runs), PACK, PY, EXTRA
# (more train_notes.py arguments for both runs, e.g. a CPU check: EXTRA="--device cpu --batch 2").
set -uo pipefail
PY="${PY:-python3}"
cd "$(dirname "$0")/../.."
MINUTES="${MINUTES:-7}"
OUT="${OUT:-runs}"
PACK="${PACK:-models/notes-pack.npz}"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=2 MKL_NUM_THREADS=2
mkdir -p "$OUT/notes-a" "$OUT/notes-b" "$OUT/notes-c"
ls -la "$PACK" || exit 1
LIMIT=$("$PY" -c "print(int(float('$MINUTES') * 60 + 45))")
COMMON=(train --data "$PACK" --minutes "$MINUTES" --batch 48 --crop 400 --eval-seconds "${EVAL_SECONDS:-40}")
# shellcheck disable=SC2206
EXTRA_ARGS=(${EXTRA:-})
(timeout -k 10 "$LIMIT" "$PY" models/notes/train_notes.py "${COMMON[@]}" --channels 16 --hidden 192 \
  --out "$OUT/notes-a" "${EXTRA_ARGS[@]}" 2>&1 | tee "$OUT/notes-a/train.log" | sed -u 's/^/[a] /') &
(timeout -k 10 "$LIMIT" "$PY" models/notes/train_notes.py "${COMMON[@]}" --channels 20 --hidden 256 \
  --out "$OUT/notes-b" "${EXTRA_ARGS[@]}" 2>&1 | tee "$OUT/notes-b/train.log" | sed -u 's/^/[b] /') &
(timeout -k 10 "$LIMIT" "$PY" models/notes/train_notes.py "${COMMON[@]}" --channels 12 --hidden 128 \
  --out "$OUT/notes-c" "${EXTRA_ARGS[@]}" 2>&1 | tee "$OUT/notes-c/train.log" | sed -u 's/^/[c] /') &
wait
