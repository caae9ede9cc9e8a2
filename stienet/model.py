"""STIENet's network (§3.2): the spatiotemporal encoder φ and the K+1-way classifier f.

Explained in ``notebooks/train``. φ maps a raw 16 kHz waveform ``(batch, samples)`` to a
feature vector ``(batch, 2 * lstm_hidden)``: four 1-D convolution blocks (Conv1d → BatchNorm →
ReLU → MaxPool → Dropout; kernels 15, 5, 3, 3, ending at 128 channels), a 2-layer
bidirectional LSTM (64 units per direction), and **mean pooling over time** of the LSTM
outputs. When a clip is shorter than the crop, its zero padding is neither pooled nor seen by
the LSTM (``lengths``): the padding share differs by corpus and would otherwise be a corpus
cue (the paper is silent on padding). Level normalisation happens before the model
(:func:`stienet.train.level_gains`). f maps φ to K+1 logits through a 1024-unit hidden layer; the last logit is "unknown".
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class ModelConfig:
    """Architecture hyper-parameters.

    From the paper: kernels 15, 5, 3, 3; 128 channels at the end; 2-layer BiLSTM with 64 units;
    a 1024-unit classifier layer. This implementation's choices (the paper does not give them):
    the first conv's stride (10) and its width (16), and the pool sizes — together they turn
    3 s at 16 kHz into 75 LSTM steps of 40 ms, which is what makes CPU training practical
    (stride 4 and 32 channels: 39 training clips/s on 2 cores; these defaults: ~177).
    ``first_stride=1, pools=(40, 4, 2, 2)`` gives the same 75 steps from a convolution at every
    sample (each step sees the envelope of the filter outputs, not every tenth sample): on
    synthetic B → C at shift 0.5 it raised source-only OS* by 1.8 points over five corpus draws
    (37.4 → 39.2 %; ``benchmarks/source_only_seeds.py --fine``, book chapter 11) but trains at
    63–71 clips/s, so it is not the default.
    """

    channels: tuple = (16, 64, 128, 128)
    kernels: tuple = (15, 5, 3, 3)
    first_stride: int = 10
    pools: tuple = (4, 4, 2, 2)
    conv_dropout: float = 0.1
    lstm_hidden: int = 64
    lstm_layers: int = 2
    hidden: int = 1024
    classifier_dropout: float = 0.5
    frontend: str = "wave"        # "wave" (the paper's raw-waveform first block) or "logmel"
    n_mels: int = 64              # log-mel front-end: bands, FFT size, hop and window (samples)
    n_fft: int = 512
    hop: int = 160
    win: int = 400
    sample_rate: int = 16000

    def __post_init__(self):
        if self.frontend not in FRONTENDS:
            raise ValueError(f"frontend must be one of {FRONTENDS}, got {self.frontend!r}")

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


FRONTENDS = ("wave", "logmel")

#: The finer first block measured in book chapter 11 (not the default: ~2.5x slower to train).
FINE_FIRST_BLOCK = ModelConfig(first_stride=1, pools=(40, 4, 2, 2))

#: Beyond the paper: a log-mel spectrogram (25-ms Hann window, 10-ms hop, 64 bands; computed with
#: ``torch.stft`` inside φ) in place of the raw-waveform first block. The same four convolution
#: blocks then run over 10-ms frames (stride 1, pools 2, 2, 1, 1): 3 s give the same 75 LSTM
#: steps of 40 ms as the waveform front-end.
LOGMEL = ModelConfig(frontend="logmel", channels=(64, 64, 128, 128), first_stride=1,
                     pools=(2, 2, 1, 1))


class Encoder(nn.Module):
    """φ(x): CNN blocks + 2-layer BiLSTM + mean over time. ``(B, T) -> (B, 2 * lstm_hidden)``."""

    def __init__(self, cfg: ModelConfig = ModelConfig()):
        super().__init__()
        self.frontend = cfg.frontend
        blocks, c_in = [], 1
        if cfg.frontend == "logmel":
            import librosa  # the filterbank only (Slaney mel, as librosa.feature.melspectrogram)

            fb = librosa.filters.mel(sr=cfg.sample_rate, n_fft=cfg.n_fft, n_mels=cfg.n_mels)
            self.register_buffer("mel_fb", torch.from_numpy(fb).float(), persistent=False)
            self.register_buffer("window", torch.hann_window(cfg.win), persistent=False)
            self.n_fft, self.hop, self.win = cfg.n_fft, cfg.hop, cfg.win
            c_in = cfg.n_mels
        for i, (c, k, p) in enumerate(zip(cfg.channels, cfg.kernels, cfg.pools)):
            blocks += [nn.Conv1d(c_in, c, k, stride=cfg.first_stride if i == 0 else 1,
                                 padding=k // 2, bias=False),
                       nn.BatchNorm1d(c), nn.ReLU(inplace=True), nn.MaxPool1d(p),
                       nn.Dropout(cfg.conv_dropout)]
            c_in = c
        self.cnn = nn.Sequential(*blocks)
        self.lstm = nn.LSTM(c_in, cfg.lstm_hidden, num_layers=cfg.lstm_layers,
                            batch_first=True, bidirectional=True)
        self.out_dim = 2 * cfg.lstm_hidden

    def frames(self, samples: torch.Tensor) -> torch.Tensor:
        """LSTM steps that cover ``samples`` real samples: the CNN's length arithmetic
        (``Conv1d`` with padding ``k // 2``, then ``MaxPool1d``), applied to integer lengths."""
        n = samples.long()
        if self.frontend == "logmel":     # torch.stft(center=True): 1 + floor(T / hop) frames
            n = torch.div(n, self.hop, rounding_mode="floor") + 1
        for mod in self.cnn:
            if isinstance(mod, nn.Conv1d):
                k, s, pad = mod.kernel_size[0], mod.stride[0], mod.padding[0]
                n = torch.div(n + 2 * pad - k, s, rounding_mode="floor") + 1
            elif isinstance(mod, nn.MaxPool1d):
                n = torch.div(n, mod.kernel_size, rounding_mode="floor")
        return n.clamp(min=1)

    def logmel(self, wave: torch.Tensor) -> torch.Tensor:
        """``(B, T) -> (B, n_mels, 1 + T // hop)``: log(mel power + 1e-6) of the waveform."""
        spec = torch.stft(wave, self.n_fft, hop_length=self.hop, win_length=self.win,
                          window=self.window, center=True, pad_mode="constant",
                          return_complex=True)
        return torch.log(torch.matmul(self.mel_fb, spec.abs() ** 2) + 1e-6)

    def forward(self, wave: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """``wave (B, T)``; ``lengths (B,)``: real samples per clip (the rest is zero padding;
        default: all ``T``). Returns φ ``(B, 2 * lstm_hidden)``."""
        B, T = wave.shape
        if lengths is None:
            lengths = torch.full((B,), T, dtype=torch.long, device=wave.device)
        lengths = lengths.to(wave.device).clamp(1, T)
        real = torch.arange(T, device=wave.device) < lengths[:, None]           # (B, T)
        wave = wave * real
        h = self.cnn(self.logmel(wave) if self.frontend == "logmel" else wave.unsqueeze(1))
        h = h.transpose(1, 2)                                                    # (B, T', C)
        steps = self.frames(lengths).clamp(max=h.shape[1])
        if bool((steps < h.shape[1]).any()):
            packed = nn.utils.rnn.pack_padded_sequence(h, steps.cpu(), batch_first=True,
                                                       enforce_sorted=False)
            h, _ = nn.utils.rnn.pad_packed_sequence(self.lstm(packed)[0], batch_first=True,
                                                    total_length=h.shape[1])
        else:
            h, _ = self.lstm(h)                                                 # (B, T', 2H)
        mask = (torch.arange(h.shape[1], device=h.device) < steps[:, None]).unsqueeze(2)
        return (h * mask).sum(1) / steps[:, None]                               # mean over real steps


class Classifier(nn.Module):
    """f(φ): Linear → BatchNorm → ReLU → Dropout → Linear to K+1 logits (last = unknown)."""

    def __init__(self, in_dim: int, n_known: int, cfg: ModelConfig = ModelConfig()):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(in_dim, cfg.hidden), nn.BatchNorm1d(cfg.hidden), nn.ReLU(inplace=True),
            nn.Dropout(cfg.classifier_dropout), nn.Linear(cfg.hidden, n_known + 1))

    def forward(self, feats: torch.Tensor, extra: torch.Tensor | None = None):
        """Logits ``(n, K+1)`` of ``feats (n, d)``. With ``extra (e, d)`` (pseudo-unknowns),
        returns ``(logits, extra_logits)``: the extra rows are normalised with the BatchNorm
        statistics of ``feats`` and never enter them, so in training the statistics come from
        real clips only — the ones the running averages, and so evaluation, will use."""
        if extra is None:
            return self.net(feats)
        linear, bn, relu, drop, out = self.net
        h, he = linear(feats), linear(extra)
        if self.training:
            mean, var = h.mean(0), h.var(0, unbiased=False)
            he = (he - mean) / torch.sqrt(var + bn.eps) * bn.weight + bn.bias
        else:
            he = bn(he)
        return out(drop(relu(bn(h)))), out(drop(relu(he)))


    def batch_stats(self, feats: torch.Tensor) -> torch.Tensor:
        """Logits of ``feats`` as in evaluation (dropout off) but normalised with the batch's
        own BatchNorm statistics, leaving the running statistics untouched (the target's
        prediction during training when each domain keeps its own statistics)."""
        linear, bn, relu, _, out = self.net
        h = linear(feats)
        h = (h - h.mean(0)) / torch.sqrt(h.var(0, unbiased=False) + bn.eps) * bn.weight + bn.bias
        return out(relu(h))


class STIENet(nn.Module):
    """Encoder φ and classifier f with K+1 outputs. ``forward`` returns ``(features, logits)``."""

    def __init__(self, n_known: int = 3, cfg: ModelConfig = ModelConfig()):
        super().__init__()
        if n_known < 1:
            raise ValueError(f"n_known must be >= 1, got {n_known}")
        self.n_known, self.cfg = n_known, cfg
        self.encoder = Encoder(cfg)
        self.classifier = Classifier(self.encoder.out_dim, n_known, cfg)

    def forward(self, wave: torch.Tensor, lengths: torch.Tensor | None = None,
                offset: torch.Tensor | None = None):
        """``(features, logits)``; ``offset (B, d)`` is subtracted from φ first (the speaker's
        mean feature, when speaker normalisation is on; see :mod:`stienet.train`)."""
        feats = self.encoder(wave, lengths)
        if offset is not None:
            feats = feats - offset
        return feats, self.classifier(feats)


def pick_device(device: str = "auto") -> torch.device:
    """``"auto"`` → CUDA when available, else CPU; otherwise the named device."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)
