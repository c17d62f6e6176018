"""The CA network (conv encoder, max-unpool, stand-alone self-attention, FC head) and its CD ablation."""
import torch
import torch.nn.functional as F
from torch import nn


class EncoderBlock(nn.Module):
    """conv 3×3 → batch norm → ReLU → 2×2 max pool (indices kept)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.pool = nn.MaxPool2d(2, return_indices=True)

    def forward(self, x: torch.Tensor):
        return self.pool(F.relu(self.bn(self.conv(x))))


class SASA(nn.Module):
    """Stand-alone self-attention: each pixel attends to its k×k neighbourhood (4 heads).

    Logits are q·k + q·r, r the relative (row, column) offset embedding (half the channels
    of a head for the row offset, half for the column offset). Written as broadcast-multiply
    and sum over static shapes (ONNX-friendly); padded neighbours are masked out.
    """

    def __init__(self, channels: int, size: int, kernel: int = 7, heads: int = 4) -> None:
        super().__init__()
        if channels % heads != 0:
            raise ValueError(f"SASA: channels ({channels}) must divide by heads ({heads})")
        self.c, self.size, self.k, self.heads, self.d = channels, size, kernel, heads, channels // heads
        self.q = nn.Conv2d(channels, channels, 1, bias=False)
        self.kv = nn.Conv2d(channels, 2 * channels, 1, bias=False)
        self.rel_row = nn.Parameter(torch.randn(self.d // 2, kernel) * 0.1)
        self.rel_col = nn.Parameter(torch.randn(self.d - self.d // 2, kernel) * 0.1)
        pad = kernel // 2
        ones = F.pad(torch.ones(1, 1, size, size), (pad, pad, pad, pad))
        mask = torch.stack([ones[:, :, dy : dy + size, dx : dx + size] for dy in range(kernel) for dx in range(kernel)], 2)
        self.register_buffer("mask", ((1 - mask) * -1e4).reshape(1, 1, kernel * kernel, size * size))

    def _neighbours(self, x: torch.Tensor) -> torch.Tensor:
        """[B, C, H, W] → [B, heads, d, k·k, H·W] (zero-padded)."""
        k, s, pad = self.k, self.size, self.k // 2
        xp = F.pad(x, (pad, pad, pad, pad))
        nb = torch.stack([xp[:, :, dy : dy + s, dx : dx + s] for dy in range(k) for dx in range(k)], 2)
        return nb.reshape(-1, self.heads, self.d, k * k, s * s)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k, s = self.k, self.size
        q = self.q(x).reshape(-1, self.heads, self.d, 1, s * s) * (self.d**-0.5)
        keys, values = self.kv(x).split(self.c, 1)
        rel = torch.cat(
            [
                self.rel_row[:, :, None].expand(self.d // 2, k, k),
                self.rel_col[:, None, :].expand(self.d - self.d // 2, k, k),
            ],
            0,
        ).reshape(1, 1, self.d, k * k, 1)
        logits = (q * (self._neighbours(keys) + rel)).sum(2) + self.mask  # [B, heads, k·k, H·W]
        weights = torch.softmax(logits, 2)
        out = (weights[:, :, None] * self._neighbours(values)).sum(3)  # [B, heads, d, H·W]
        return out.reshape(-1, self.c, s, s)


class AccordNet(nn.Module):
    """CA (variant 'ca': SASA decoder) or CD (variant 'cd': conv decoder); output [B, L] in [0, 1] ('sdtw') or logits [B, L, K] ('ce')."""

    def __init__(self, L: int = 256, in_channels: int = 2, variant: str = "ca", head: str = "sdtw", bins: int = 128,
                 widths=(16, 32, 64, 64), hidden: int = 512, kernel: int = 7, heads: int = 4, input_pool: int = 2,
                 readout: str = "fc", map_proj: int = 0) -> None:
        super().__init__()
        if L % (16 * input_pool) != 0:
            raise ValueError(f"AccordNet: L must be a multiple of {16 * input_pool} (input pooling, four 2× poolings), got {L}")
        if variant not in ("ca", "cd") or head not in ("sdtw", "ce") or readout not in ("fc", "map"):
            raise ValueError(f"AccordNet: variant ca|cd, head sdtw|ce, readout fc|map expected, got {variant}, {head}, {readout}")
        self.readout = readout
        self.grid = L // input_pool
        self.L, self.variant, self.head, self.bins = L, variant, head, bins
        # CPU budget: the L × L input is average-pooled by `input_pool` before the encoder.
        self.input_pool = nn.AvgPool2d(input_pool) if input_pool > 1 else nn.Identity()
        chans = [in_channels, *widths]
        self.encoder = nn.ModuleList([EncoderBlock(chans[i], chans[i + 1]) for i in range(4)])
        self.low = L // input_pool // 8  # one unpool step above the bottleneck
        c = widths[-1]
        self.unpool = nn.MaxUnpool2d(2)
        if variant == "ca":
            self.mix = nn.ModuleList([SASA(c, self.low, kernel, heads), SASA(c, self.low, kernel, heads)])
        else:
            self.mix = nn.ModuleList([nn.Conv2d(c, c, 3, padding=1, bias=False), nn.Conv2d(c, c, 3, padding=1, bias=False)])
        self.mix_bn = nn.ModuleList([nn.BatchNorm2d(c), nn.BatchNorm2d(c)])
        if readout == "fc":
            self.squeeze = nn.Conv2d(c, 4, 1)
            self.fc1 = nn.Linear(4 * self.low * self.low, hidden)
            self.fc2 = nn.Linear(hidden, L * bins if head == "ce" else L)
            self.dropout = nn.Dropout(0.4)
        else:
            # Map readout: the decoder's context, upsampled to the pooled input grid and joined with
            # the input itself, scores every (row, column); each row reads its position as the
            # softmax-weighted column (soft-DTW) or takes the columns as its CE classes.
            # map_proj > 0: a 1×1 projection of the context to that many channels before the
            # upsampling (the 3×3 map conv at full grid resolution is the costliest layer).
            self.proj = nn.Conv2d(c, map_proj, 1) if map_proj > 0 else None
            self.up = nn.Upsample(size=(self.grid, self.grid), mode="bilinear", align_corners=False)
            self.map1 = nn.Conv2d((map_proj if map_proj > 0 else c) + in_channels, 16, 3, padding=1)
            self.map2 = nn.Conv2d(16, 1, 1)
            self.dropout = nn.Dropout2d(0.1)
            self.register_buffer("columns", ((torch.arange(self.grid, dtype=torch.float32) + 0.5) / self.grid).reshape(1, 1, self.grid))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        indices = []
        x = self.input_pool(x)
        x0 = x
        for block in self.encoder:
            x, idx = block(x)
            indices.append(idx)
        x = self.unpool(x, indices[-1], output_size=[self.low, self.low])
        for layer, bn in zip(self.mix, self.mix_bn):
            x = F.relu(bn(layer(x)))
        if self.readout == "map":
            if self.proj is not None:
                x = F.relu(self.proj(x))
            m = torch.cat([self.up(x), x0], 1)
            logits = self.map2(self.dropout(F.relu(self.map1(m)))).reshape(-1, self.grid, self.grid)  # [B, rows, cols]
            if self.head == "ce":
                return logits
            pos = (torch.softmax(logits, 2) * self.columns).sum(2)  # [B, grid rows]
            if self.grid == self.L:
                return pos
            return F.interpolate(pos.reshape(-1, 1, self.grid), size=self.L, mode="linear", align_corners=False).reshape(-1, self.L)
        x = F.relu(self.squeeze(x)).reshape(-1, 4 * self.low * self.low)
        x = self.dropout(F.relu(self.fc1(self.dropout(x))))
        x = self.fc2(x)
        if self.head == "ce":
            return x.reshape(-1, self.L, self.bins)
        return torch.sigmoid(x)

    def positions(self, out: torch.Tensor) -> torch.Tensor:
        """Network output → normalised score position per row [B, L] (CE: centre of the most likely bin)."""
        if self.head == "ce":
            bins = out.shape[-1]
            pos = (out.argmax(-1).to(torch.float32) + 0.5) / bins
            if pos.shape[1] != self.L:
                pos = F.interpolate(pos.reshape(-1, 1, pos.shape[1]), size=self.L, mode="linear", align_corners=False).reshape(-1, self.L)
            return pos
        return out
