"""Regenerate the DSP golden fixtures (independent numpy reference of shared/dsp/features.ts).

Run from the repo root:
    /usr/bin/python3 shared/dsp/golden/make_golden.py          # golden only, from the committed wav
    /usr/bin/python3 shared/dsp/golden/make_golden.py --render # also re-render phrase.mid -> phrase.wav

--render needs fluidsynth + sox and /usr/share/sounds/sf2/FluidR3_GM.sf2.

Writes, beside this script:
  phrase.mid          a 5.5 s piano phrase (11 chords around the circle of fifths + melody)
  phrase.notes.json   its notes as ScoreNote-like objects (seconds, velocity 0..1)
  phrase.wav          fluidsynth render, mono 16-bit at 22050 Hz (no reverb/chorus)
  phrase.golden.json  parameters used + shapes + dtype notes
  phrase.golden.bin   float32 little-endian: pitch energy [frames x 88], chroma [frames x 12],
                      onset [frames x 12], energy [frames], concatenated in that order.

Method (must match features.ts; the test checks PARAMS equals FEATURE_PARAMS):
  frames = len//hop + 1, frame f centred at f*hop (zero padding of N/2 on both sides),
  periodic Hann window, power |rfft|^2 * 16/N^2, bin k (k >= 1) belongs to MIDI pitch
  floor(69 + 12 log2(k sr/N / 440) + 0.5) if within minPitch..maxPitch; pitch energy = sum
  (stored as it is). The features' E is it moved to the reference level (normaliseLevel: the 99th
  percentile of the frames' total at -10 dB, raised by at most 40 dB).
  Compressed C = log(1 + eta E); chroma = fold pitch classes, L2-normalise (norm < silenceNorm ->
  1/sqrt(12)); energy = log(energyFloor + sum_p E).
  Onset (DLNCO): d = C[f] - C[f-1] (C[-1] = 0); per pitch each run of d > 0 becomes one impulse
  (the run's sum) at the run's largest d (first on ties); fold, divide each frame by
  max(onsetNormFloor, max of frame L2 norms over f +- round(onsetNormSeconds/hop/2)),
  causal convolution with sqrt((n-k)/n), k = 0..n-1, n = onsetDecayFrames.
"""
import json
import os
import struct
import subprocess
import sys
import tempfile
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
PARAMS = {
    "sampleRate": 22050,
    "frameLength": 2048,
    "hopLength": 512,
    "tuningHz": 440,
    "minPitch": 21,
    "maxPitch": 108,
    "compressionEta": 10000,
    "silenceNorm": 0.05,
    "energyFloor": 1e-10,
    "onsetNormSeconds": 1.5,
    "onsetNormFloor": 0.5,
    "onsetDecayFrames": 10,
}
# LEVEL_REFERENCE_DB, LEVEL_QUANTILE, MAX_LEVEL_GAIN_DB of shared/dsp/features.ts
LEVEL = {"referenceDb": -10, "quantile": 0.99, "maxGainDb": 40}
SOUNDFONT = "/usr/share/sounds/sf2/FluidR3_GM.sf2"


def phrase_notes():
    """11 half-second chords (root in the bass, triad, two melody notes), circle of fifths from C."""
    notes = []
    seg = 0.5
    for i in range(11):
        root = (i * 7) % 12
        t = i * seg
        minor = i % 3 == 2
        third = 3 if minor else 4
        notes.append((36 + root, t, seg, 0.7))
        for iv in (0, third, 7):
            notes.append((60 + (root + iv) % 12, t, seg, 0.6))
        notes.append((72 + (root + third) % 12, t, seg / 2, 0.8))
        notes.append((72 + (root + 7) % 12, t + seg / 2, seg / 2, 0.8))
    notes.sort(key=lambda n: (n[1], n[0]))
    return [{"pitch": p, "onset": round(o, 6), "duration": d, "velocity": v, "measure": int(o // 2)} for p, o, d, v in notes]


def write_midi(notes, path):
    """Format-0 SMF, 480 ticks/quarter, 120 bpm (960 ticks per second), program 0."""
    tps = 960
    events = []
    for n in notes:
        on = round(n["onset"] * tps)
        off = round((n["onset"] + n["duration"]) * tps)
        vel = max(1, min(127, round(n["velocity"] * 127)))
        events.append((off, 0, bytes([0x80, n["pitch"], 0])))
        events.append((on, 1, bytes([0x90, n["pitch"], vel])))
    events.sort(key=lambda e: (e[0], e[1]))

    def vlq(x):
        out = [x & 0x7F]
        x >>= 7
        while x:
            out.append((x & 0x7F) | 0x80)
            x >>= 7
        return bytes(reversed(out))

    track = bytearray(b"\x00\xff\x51\x03\x07\xa1\x20" + b"\x00\xc0\x00")
    now = 0
    for t, _, data in events:
        track += vlq(t - now) + data
        now = t
    track += b"\x00\xff\x2f\x00"
    with open(path, "wb") as f:
        f.write(b"MThd" + struct.pack(">IHHH", 6, 0, 1, 480))
        f.write(b"MTrk" + struct.pack(">I", len(track)) + bytes(track))


def render(mid, wav_path, seconds):
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, "raw.wav")
        subprocess.run(["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.8", "-r", str(PARAMS["sampleRate"]),
                        "-F", raw, SOUNDFONT, mid], check=True)
        subprocess.run(["sox", raw, "-c", "1", "-b", "16", wav_path, "trim", "0", str(seconds)], check=True)


def read_wav_mono16(path):
    with wave.open(path, "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1 and w.getframerate() == PARAMS["sampleRate"]
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return data.astype(np.float64) / 32768.0


def normalise_level(pe):
    """normaliseLevel: the loud frames (99th percentile of the frames' total) moved to -10 dB (raised by at most 40)."""
    totals = np.sort(pe[:: max(1, len(pe) // 4000)].sum(axis=1))
    loud = totals[int(np.floor(LEVEL["quantile"] * (len(totals) - 1)))]
    if not loud > 0:
        return pe
    gain_db = min(LEVEL["maxGainDb"], LEVEL["referenceDb"] - 10 * np.log10(loud))
    return pe * 10 ** (gain_db / 10)


def features(x):
    P = PARAMS
    N, hop, sr = P["frameLength"], P["hopLength"], P["sampleRate"]
    frames = len(x) // hop + 1
    padded = np.concatenate([np.zeros(N // 2), x, np.zeros(N)])
    idx = np.arange(frames)[:, None] * hop + np.arange(N)[None, :]
    win = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(N) / N)
    spec = np.fft.rfft(padded[idx] * win, axis=1)
    power = np.abs(spec) ** 2 * 16 / N**2
    k = np.arange(1, N // 2 + 1)
    pitch = np.floor(69 + 12 * np.log2(k * sr / N / P["tuningHz"]) + 0.5).astype(int)
    npitch = P["maxPitch"] - P["minPitch"] + 1
    pe = np.zeros((frames, npitch))
    for kk, p in zip(k, pitch):
        if P["minPitch"] <= p <= P["maxPitch"]:
            pe[:, p - P["minPitch"]] += power[:, kk]
    raw = pe
    pe = normalise_level(pe)
    C = np.log1p(P["compressionEta"] * pe)
    fold = np.zeros((npitch, 12))
    fold[np.arange(npitch), (np.arange(npitch) + P["minPitch"]) % 12] = 1
    chroma = C @ fold
    norm = np.linalg.norm(chroma, axis=1, keepdims=True)
    silent = norm[:, 0] < P["silenceNorm"]
    chroma = chroma / np.where(norm > 0, norm, 1)
    chroma[silent] = 1 / np.sqrt(12)
    energy = np.log(P["energyFloor"] + pe.sum(axis=1))
    diff = np.diff(np.vstack([np.zeros((1, npitch)), C]), axis=0)
    imp = np.zeros_like(diff)
    for p in range(npitch):
        f = 0
        while f < frames:
            if diff[f, p] > 0:
                g = f
                while g < frames and diff[g, p] > 0:
                    g += 1
                imp[f + int(np.argmax(diff[f:g, p])), p] = diff[f:g, p].sum()
                f = g
            else:
                f += 1
    D = imp @ fold
    dn = np.linalg.norm(D, axis=1)
    half = round(P["onsetNormSeconds"] / (hop / sr) / 2)
    local = np.array([dn[max(0, f - half): f + half + 1].max() for f in range(frames)])
    D = D / np.maximum(local, P["onsetNormFloor"])[:, None]
    n = P["onsetDecayFrames"]
    kern = np.sqrt((n - np.arange(n)) / n)
    onset = np.zeros_like(D)
    for kk in range(n):
        onset[kk:] += kern[kk] * D[: frames - kk]
    return raw, chroma, onset, energy


def main():
    mid = os.path.join(HERE, "phrase.mid")
    wav_path = os.path.join(HERE, "phrase.wav")
    notes = phrase_notes()
    if "--render" in sys.argv:
        write_midi(notes, mid)
        with open(os.path.join(HERE, "phrase.notes.json"), "w") as f:
            json.dump({"durationSeconds": 5.5, "notes": notes}, f, indent=0)
        render(mid, wav_path, 6.0)
    x = read_wav_mono16(wav_path)
    pe, chroma, onset, energy = features(x)
    frames = pe.shape[0]
    with open(os.path.join(HERE, "phrase.golden.bin"), "wb") as f:
        for a in (pe, chroma, onset, energy):
            f.write(a.astype("<f4").tobytes())
    meta = {"source": "phrase.wav", "params": PARAMS, "samples": int(len(x)), "frames": int(frames),
            "layout": ["pitchEnergy[frames x 88]", "chroma[frames x 12]", "onset[frames x 12]", "energy[frames]"]}
    with open(os.path.join(HERE, "phrase.golden.json"), "w") as f:
        json.dump(meta, f, indent=2)
    # Keep the JSON in the repo's prettier style (format:check covers it).
    subprocess.run(["npx", "prettier", "--log-level", "warn", "--write", os.path.join(HERE, "*.json")], check=False)
    print(f"wrote golden for {len(x)} samples, {frames} frames")


if __name__ == "__main__":
    main()
