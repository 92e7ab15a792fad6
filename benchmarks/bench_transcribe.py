"""Measure local transcription (issue #16): word error rate, speaker attribution and speed on the CPU.

Synthesises a fictional two-speaker interview of known text (44 turns) with espeak-ng in two voices (the
interviewer ``en-gb``, the participant ``en-us``), lays it out with sox as one track per speaker on one
timeline (gaps between turns drawn between --min-gap and --max-gap seconds, seeded), plus the same as one
mono mix, and transcribes it each way with bctcoder's own pipeline (the packaged tiny.en model unless
--model DIR or BCTCODER_WHISPER_MODEL says otherwise). Reports, per mode:

- WER: word-level Levenshtein distance / reference words, after lowercasing, removing punctuation and
  apostrophes, and mapping the script's few British spellings to the American ones tiny.en writes;
- attribution (tracks): of the reference words aligned to a recognised word (same or substituted), the share
  whose turn carries the right speaker. Deleted words count in WER, not here;
- purity (mono): of the aligned words, the share that sit in a turn whose majority reference speaker is their
  own, i.e. how well splitting at pauses (``--pause``) separates the speakers (the speaker stays Unassigned);
- turns recognised vs. spoken, audio duration, wall time (decoding and transcribing; the model is loaded
  once beforehand and its loading time reported apart), the real-time factor (wall time / audio duration)
  and the projected minutes per hour of audio.

    python benchmarks/bench_transcribe.py                    # the whole 44-turn interview, both modes
    python benchmarks/bench_transcribe.py --turns 8 --json   # a quick check
    python benchmarks/bench_transcribe.py --model /models/whisper-small-ct2 --modes tracks

Needs espeak-ng, sox and ``bctcoder[transcribe]``; reads and writes only a temporary folder; never uses the
network.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from bctcoder.corpus.readers import read_transcript
from bctcoder.transcribe.model_folder import load_model, resolve_model_dir
from bctcoder.transcribe.recording import transcribe_recording

VOICES = {"Interviewer": "en-gb", "Participant": "en-us"}
SCRIPT = [
    "Thank you for agreeing to talk with me today. Could you start by telling me how you first heard about the "
    "walking group?",
    "A friend from church mentioned it last spring. She said it was a gentle way to get out of the house.",
    "What made you decide to give it a try?",
    "Honestly I was lonely after my husband passed away, and my doctor kept telling me to move more.",
    "How did you feel before the first session?",
    "Nervous, really nervous. I thought everyone would be faster than me and I would hold them back.",
    "And what happened on that first morning?",
    "The leader walked next to me the whole time. She set a slow pace and nobody seemed to mind.",
    "Did anyone help you set a goal for yourself?",
    "Yes, we wrote down a small target. Walk to the park and back three times a week.",
    "How did you keep track of whether you met that target?",
    "I kept a little diary on the kitchen table. Every walk got a tick and a note about the weather.",
    "Did looking at the diary change anything for you?",
    "It did. When I saw a week with only one tick, I felt I had let myself down, so I went out the next day.",
    "Were there times when it was hard to keep going?",
    "In the winter it was dark and cold, and my knee was sore. I almost stopped completely in January.",
    "What helped you through that period?",
    "My neighbour started coming with me. Knowing she was waiting at the gate made it hard to stay inside.",
    "So having someone expecting you made a difference.",
    "A huge difference. I did not want to disappoint her, and we talked the whole way, so time flew.",
    "Did the group leader suggest any ways to deal with the sore knee?",
    "She showed us some stretches and told me to try the flat route by the river instead of the hill.",
    "How did you feel about changing your route like that?",
    "At first I felt it was cheating, but then I realised walking a little is better than not walking at all.",
    "Have you noticed any changes in your health since you started?",
    "I sleep much better, and my blood pressure is lower. My doctor was pleased at my last visit.",
    "What about how you feel in yourself, your mood?",
    "I am more cheerful. I look forward to Tuesday and Friday mornings now, which I never expected.",
    "Did you ever reward yourself for reaching a target?",
    "After the first month I bought myself a proper pair of walking shoes. That felt like a real prize.",
    "Were there people at home who encouraged you?",
    "My daughter phones every Sunday and asks how many walks I did. She is very proud of me.",
    "How does it feel when she asks?",
    "It keeps me honest. I want to have a good answer for her, so I make sure I get out there.",
    "Is there anything about the group you would change?",
    "I would like a later start in the winter, when the paths are icy first thing in the morning.",
    "Have you told the leader about that idea?",
    "Not yet, but I think I will mention it at the next meeting. Others have said the same thing.",
    "Looking ahead, what are your plans for the coming months?",
    "I want to join the longer walk on Saturdays, and perhaps help new members on their first day.",
    "Why would you like to help new members?",
    "Because I remember how frightened I was. A friendly face walking beside you makes all the difference.",
    "Is there anything else you would like to tell me about your experience?",
    "Only that I wish I had started years ago. It has given me my confidence back, and new friends too.",
]
SPELLINGS = {"neighbour": "neighbor", "realised": "realized"}
_NON_WORD = re.compile(r"[^\w\s]")


def normalise(text: str) -> list[str]:
    """Lowercased words without punctuation or apostrophes, British spellings of the script made American."""
    words = _NON_WORD.sub(" ", text.lower().replace("'", "").replace("\u2019", "")).split()
    return [SPELLINGS.get(w, w) for w in words]


def align(ref: list[str], hyp: list[str]) -> tuple[int, list[tuple[int | None, int | None]]]:
    """Word-level Levenshtein distance and one optimal alignment as (ref index, hyp index) pairs
    (None on the side of an insertion or deletion)."""
    n, m = len(ref), len(hyp)
    cost = [list(range(m + 1))] + [[i] + [0] * m for i in range(1, n + 1)]
    for i in range(1, n + 1):
        row, above = cost[i], cost[i - 1]
        for j in range(1, m + 1):
            row[j] = min(above[j] + 1, row[j - 1] + 1, above[j - 1] + (ref[i - 1] != hyp[j - 1]))
    pairs: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((None, j - 1))
            j -= 1
    return cost[n][m], pairs[::-1]


def _run(*args: str) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def synthesise(folder: Path, turns: int, min_gap: float, max_gap: float, seed: int) -> tuple[dict[str, Path],
                                                                                             Path, float]:
    """One track per speaker from t=0 (silence where the other speaks) and their mono mix; the duration."""
    rng = random.Random(seed)
    speakers = list(VOICES)
    pieces: dict[str, list[Path]] = {s: [] for s in speakers}
    ends = dict.fromkeys(speakers, 0.0)
    cursor = 0.5
    for i, text in enumerate(SCRIPT[:turns]):
        speaker = speakers[i % 2]
        raw, placed = folder / f"u{i:03d}.wav", folder / f"p{i:03d}.wav"
        _run("espeak-ng", "-v", VOICES[speaker], "-s", "160", "-w", str(raw), text)
        length = float(_run("soxi", "-D", str(raw)))
        _run("sox", str(raw), str(placed), "pad", f"{cursor - ends[speaker]:.3f}", "0")
        pieces[speaker].append(placed)
        ends[speaker] = cursor + length
        cursor += length + rng.uniform(min_gap, max_gap)
    tracks = {}
    for speaker in speakers:
        tracks[speaker] = folder / f"{speaker}.wav"
        _run("sox", *map(str, pieces[speaker]), str(tracks[speaker]), "pad", "0", f"{cursor - ends[speaker]:.3f}")
    mono = folder / "mono.wav"
    _run("sox", "-m", *[part for s in speakers for part in ("-v", "1", str(tracks[s]))], str(mono))
    return tracks, mono, cursor


def score(path: str, turns: int) -> dict[str, Any]:
    """WER, attribution and purity of the transcript at ``path`` against the first ``turns`` of the script."""
    ref_words, ref_speakers = [], []
    for i, text in enumerate(SCRIPT[:turns]):
        words = normalise(text)
        ref_words += words
        ref_speakers += [list(VOICES)[i % 2]] * len(words)
    transcript = read_transcript(path)
    hyp_words, hyp_speakers, hyp_turns = [], [], []
    for n, turn in enumerate(transcript.turns):
        words = normalise(transcript.turn_text(turn))
        hyp_words += words
        hyp_speakers += [turn.speaker] * len(words)
        hyp_turns += [n] * len(words)
    distance, pairs = align(ref_words, hyp_words)
    aligned = [(r, h) for r, h in pairs if r is not None and h is not None]
    right_speaker = sum(ref_speakers[r] == hyp_speakers[h] for r, h in aligned)
    majority: dict[int, Counter] = {}
    for r, h in aligned:
        majority.setdefault(hyp_turns[h], Counter())[ref_speakers[r]] += 1
    pure = sum(counts.most_common(1)[0][1] for counts in majority.values())
    attributed = any(s in VOICES for s in hyp_speakers)
    return {"reference_words": len(ref_words), "recognised_words": len(hyp_words),
            "wer": round(distance / max(1, len(ref_words)), 4),
            "attribution": round(right_speaker / len(aligned), 4) if aligned and attributed else None,
            "purity": round(pure / len(aligned), 4) if aligned else None,
            "turns_spoken": turns, "turns_recognised": len(transcript.turns)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns", type=int, default=len(SCRIPT), help=f"turns of the script (2..{len(SCRIPT)})")
    parser.add_argument("--modes", default="tracks,mono", help="comma-separated: tracks, mono, channels")
    parser.add_argument("--model", default=None, help="CTranslate2 Whisper folder (default: the packaged tiny.en)")
    parser.add_argument("--pause", type=float, default=1.0, help="pause that starts a new turn (seconds)")
    parser.add_argument("--min-gap", type=float, default=0.5, help="shortest silence between turns (seconds)")
    parser.add_argument("--max-gap", type=float, default=2.0, help="longest silence between turns (seconds)")
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a markdown table")
    args = parser.parse_args()
    missing = [tool for tool in ("espeak-ng", "sox", "soxi") if shutil.which(tool) is None]
    if missing:
        sys.exit(f"needs {', '.join(missing)} (apt install espeak-ng sox)")
    turns = max(2, min(args.turns, len(SCRIPT)))
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-transcribe-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        tracks, mono, duration = synthesise(folder, turns, args.min_gap, args.max_gap, args.seed)
        synthesis = time.perf_counter() - t0
        t0 = time.perf_counter()
        load_model(resolve_model_dir(args.model))      # loaded once, outside every mode's time
        loading = time.perf_counter() - t0
        for mode in modes:
            if mode == "tracks":
                audio, options = [tracks[s] for s in VOICES], {"speakers": list(VOICES)}
            elif mode == "channels":
                stereo = folder / "stereo.wav"
                _run("sox", "-M", *[str(tracks[s]) for s in VOICES], str(stereo))
                audio, options = [stereo], {"speakers": list(VOICES), "channels": True}
            elif mode == "mono":
                audio, options = [mono], {}
            else:
                sys.exit(f"unknown mode {mode!r} (tracks, mono, channels)")
            result = transcribe_recording(audio, out_dir=folder / mode, model=args.model, pause=args.pause,
                                          **options)
            rows.append({"mode": mode, "duration": result["duration"], "seconds": result["seconds"],
                         "real_time_factor": result["real_time_factor"],
                         "minutes_per_audio_hour": result["minutes_per_audio_hour"],
                         **score(result["transcript"], turns)})
    report = {"model": args.model or os.environ.get("BCTCODER_WHISPER_MODEL") or "packaged tiny.en",
              "turns": turns, "audio_seconds": round(duration, 1), "synthesis_seconds": round(synthesis, 1),
              "model_loading_seconds": round(loading, 2),
              "cpu_threads": os.cpu_count(), "pause": args.pause, "gaps": [args.min_gap, args.max_gap],
              "rows": rows}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"Model: {report['model']}; {turns} turns, {duration:.0f} s of synthesised speech; "
          f"{os.cpu_count()} CPU threads; pause {args.pause} s; gaps {args.min_gap}-{args.max_gap} s; "
          f"model loaded in {loading:.1f} s\n")
    print("| mode | audio s | wall s | RTF | min per audio hour | WER | attribution | purity "
          "| turns (spoken/recognised) |")
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        cells = [row["mode"], f"{row['duration']:.0f}", f"{row['seconds']:.1f}", f"{row['real_time_factor']:.3f}",
                 f"{row['minutes_per_audio_hour']:.1f}", f"{row['wer']:.1%}",
                 "—" if row["attribution"] is None else f"{row['attribution']:.1%}",
                 "—" if row["purity"] is None else f"{row['purity']:.1%}",
                 f"{row['turns_spoken']}/{row['turns_recognised']}"]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
