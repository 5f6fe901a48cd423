"""H.264 frames that repeat the previous one, written without the encoder.

Most of this video's frames are held (a wait with nothing moving), and x264 spends about 6 ms on
every 1080p frame even when it repeats the last one exactly and comes out as a 69-byte packet
(measured with `preset=ultrafast`, one thread, here and with Debian's ffmpeg alike): analysing
8,160 macroblocks to find that all of them can be skipped. A held frame's packet can be written
directly instead: a P slice whose every macroblock is skipped (P_Skip with a zero motion vector,
since no neighbour moves), so the decoder copies the previous picture exactly.

`skip_frame` writes that slice for a stream described by its SPS and PPS (parsed here from the
encoder's extradata), continuing the frame numbers of the encoder's last frame. Only what such a
slice needs is parsed; a stream this does not cover (field coding, picture order count type 0/1,
slice groups) is refused with `Unsupported`, and the caller lets the encoder do the work.

Entropy coding, CAVLC: one `mb_skip_run` for the whole picture. CABAC: one `mb_skip_flag` per
macroblock (context 11: both neighbours are skipped or absent, so ctxIdxInc is 0) and one
`end_of_slice_flag`, with the arithmetic coder of H.264 clause 9.3.4. Tested byte for byte
against x264's own all-skip packets (tests/scene/test_held_frames.py).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass


class Unsupported(ValueError):
    """A stream whose held frames must go through the encoder."""


# H.264 Table 9-44: rangeTabLPS[pStateIdx][qCodIRangeIdx].
_RANGE_LPS = (
    (128, 176, 208, 240), (128, 167, 197, 227), (128, 158, 187, 216), (123, 150, 178, 205),
    (116, 142, 169, 195), (111, 135, 160, 185), (105, 128, 152, 175), (100, 122, 144, 166),
    (95, 116, 137, 158), (90, 110, 130, 150), (85, 104, 123, 142), (81, 99, 117, 135),
    (77, 94, 111, 128), (73, 89, 105, 122), (69, 85, 100, 116), (66, 80, 95, 110),
    (62, 76, 90, 104), (59, 72, 86, 99), (56, 69, 81, 94), (53, 65, 77, 89),
    (51, 62, 73, 85), (48, 59, 69, 80), (46, 56, 66, 76), (43, 53, 63, 72),
    (41, 50, 59, 69), (39, 48, 56, 65), (37, 45, 54, 62), (35, 43, 51, 59),
    (33, 41, 48, 56), (32, 39, 46, 53), (30, 37, 43, 50), (29, 35, 41, 48),
    (27, 33, 39, 45), (26, 31, 37, 43), (24, 30, 35, 41), (23, 28, 33, 39),
    (22, 27, 32, 37), (21, 26, 30, 35), (20, 24, 29, 33), (19, 23, 27, 31),
    (18, 22, 26, 30), (17, 21, 25, 28), (16, 20, 23, 27), (15, 19, 22, 25),
    (14, 18, 21, 24), (14, 17, 20, 23), (13, 16, 19, 22), (12, 15, 18, 21),
    (12, 14, 17, 20), (11, 14, 16, 19), (11, 13, 15, 18), (10, 12, 15, 17),
    (10, 12, 14, 16), (9, 11, 13, 15), (9, 11, 12, 14), (8, 10, 12, 14),
    (8, 9, 11, 13), (7, 9, 11, 12), (7, 9, 10, 12), (7, 8, 10, 11),
    (6, 8, 9, 11), (6, 7, 9, 10), (6, 7, 8, 9), (2, 2, 2, 2),
)
# H.264 Table 9-45: the state after a least probable symbol (after a most probable one it is
# min(state + 1, 62)).
_NEXT_AFTER_LPS = (
    0, 0, 1, 2, 2, 4, 4, 5, 6, 7, 8, 9, 9, 11, 11, 12,
    13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21, 22, 22, 23, 24,
    24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33,
    33, 33, 34, 34, 35, 35, 35, 36, 36, 36, 37, 37, 37, 38, 38, 63,
)
# H.264 Table 9-13, ctxIdx 11 (mb_skip_flag in P slices, ctxIdxInc 0): (m, n) per cabac_init_idc.
_SKIP_FLAG_INIT = ((23, 33), (22, 25), (29, 16))
_P_SLICE = 5  # slice_type 5: P, and every slice of the picture is P
_HIGH_PROFILES = {100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135}


class _BitReader:
    def __init__(self, rbsp: bytes) -> None:
        self.data, self.pos = rbsp, 0

    def u(self, n: int) -> int:
        value = 0
        for _ in range(n):
            byte = self.data[self.pos >> 3]
            value = (value << 1) | ((byte >> (7 - (self.pos & 7))) & 1)
            self.pos += 1
        return value

    def ue(self) -> int:
        zeros = 0
        while self.u(1) == 0:
            zeros += 1
            if zeros > 31:
                raise Unsupported("malformed Exp-Golomb code")
        return (1 << zeros) - 1 + self.u(zeros)

    def se(self) -> int:
        k = self.ue()
        return (k + 1) // 2 if k % 2 else -(k // 2)


class _BitWriter:
    def __init__(self) -> None:
        self.bits: list[int] = []

    def u(self, n: int, value: int) -> None:
        self.bits += [(value >> (n - 1 - i)) & 1 for i in range(n)]

    def ue(self, value: int) -> None:
        code = value + 1
        length = code.bit_length()
        self.u(length - 1, 0)
        self.u(length, code)

    def se(self, value: int) -> None:
        self.ue(2 * value - 1 if value > 0 else -2 * value)

    def aligned(self) -> bool:
        return len(self.bits) % 8 == 0

    def to_bytes(self) -> bytes:
        assert self.aligned()
        return _packed(self.bits)


def _packed(bits: list[int]) -> bytes:
    """Bits, first bit most significant, as bytes (a whole number of them)."""
    return int("".join(map(str, bits)), 2).to_bytes(len(bits) // 8, "big") if bits else b""


def unescape(payload: bytes) -> bytes:
    """A NAL unit's payload without its emulation prevention bytes (00 00 03 -> 00 00)."""
    out, zeros = bytearray(), 0
    for byte in payload:
        if zeros >= 2 and byte == 3:
            zeros = 0
            continue
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def escape(rbsp: bytes) -> bytes:
    """Emulation prevention: a 03 after any two zero bytes that precede a byte of 00 to 03."""
    out, zeros = bytearray(), 0
    for byte in rbsp:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def nal_units(data: bytes) -> list[bytes]:
    """The NAL units (header byte first) of an Annex B byte stream or of an avcC record."""
    if data[:3] == b"\0\0\1" or data[:4] == b"\0\0\0\1":
        units, i = [], 0
        starts = []
        while True:
            i = data.find(b"\0\0\1", i)
            if i < 0:
                break
            starts.append(i + 3)
            i += 3
        for n, start in enumerate(starts):
            end = starts[n + 1] - 3 if n + 1 < len(starts) else len(data)
            units.append(data[start:end].rstrip(b"\0") if n + 1 < len(starts) else data[start:end])
        return units
    if data[:1] == b"\1" and len(data) > 6:  # avcC: version 1, then SPS and PPS arrays
        units, pos = [], 6
        for count_mask in (0x1F, 0xFF):
            count = data[pos - 1] & count_mask
            for _ in range(count):
                size = int.from_bytes(data[pos:pos + 2], "big")
                units.append(data[pos + 2:pos + 2 + size])
                pos += 2 + size
            pos += 1
        return units
    raise Unsupported("extradata is neither an Annex B stream nor an avcC record")


@dataclass(frozen=True)
class StreamHeaders:
    """What a skipped P slice needs from the stream's SPS and PPS."""

    log2_max_frame_num: int
    poc_type: int
    width_mbs: int
    height_mbs: int
    pps_id: int
    cabac: bool
    num_ref_idx_l0_default: int
    weighted_pred: bool
    chroma_array_type: int
    pic_init_qp: int
    deblocking_control: bool
    redundant_pic_cnt: bool

    @property
    def macroblocks(self) -> int:
        return self.width_mbs * self.height_mbs

    @classmethod
    def from_extradata(cls, extradata: bytes) -> StreamHeaders:
        units = nal_units(extradata)
        sps = [u for u in units if u and u[0] & 0x1F == 7]
        pps = [u for u in units if u and u[0] & 0x1F == 8]
        if len(sps) != 1 or len(pps) != 1:
            raise Unsupported(f"{len(sps)} SPS and {len(pps)} PPS in the extradata, not one of each")
        return cls._parse(sps[0], pps[0])

    @classmethod
    def _parse(cls, sps_nal: bytes, pps_nal: bytes) -> StreamHeaders:
        r = _BitReader(unescape(sps_nal[1:]))
        profile = r.u(8)
        r.u(16)  # constraint flags, level
        sps_id = r.ue()
        chroma_format = 1
        separate_planes = 0
        if profile in _HIGH_PROFILES:
            chroma_format = r.ue()
            if chroma_format == 3:
                separate_planes = r.u(1)
            r.ue(), r.ue(), r.u(1)  # bit depths, transform bypass
            if r.u(1):
                raise Unsupported("the SPS carries scaling matrices")
        log2_max_frame_num = r.ue() + 4
        poc_type = r.ue()
        if poc_type != 2:
            # Types 0 and 1 need a picture order count per frame, continued from the encoder's.
            raise Unsupported(f"picture order count type {poc_type} (only 2, x264 without B-frames)")
        r.ue()  # max_num_ref_frames
        r.u(1)  # gaps_in_frame_num_value_allowed_flag
        width_mbs = r.ue() + 1
        height_map_units = r.ue() + 1
        if not r.u(1):
            raise Unsupported("field coding (frame_mbs_only_flag is 0)")

        r = _BitReader(unescape(pps_nal[1:]))
        pps_id = r.ue()
        if r.ue() != sps_id:
            raise Unsupported("the PPS refers to another SPS")
        cabac = bool(r.u(1))
        r.u(1)  # bottom_field_pic_order_in_frame_present_flag: no fields here
        if r.ue() != 0:
            raise Unsupported("slice groups")
        num_ref_idx_l0_default = r.ue() + 1
        r.ue()
        weighted_pred = bool(r.u(1))
        r.u(2)
        pic_init_qp = 26 + r.se()
        r.se(), r.se()
        deblocking_control = bool(r.u(1))
        r.u(1)
        redundant_pic_cnt = bool(r.u(1))
        return cls(log2_max_frame_num, poc_type, width_mbs, height_map_units, pps_id, cabac,
                   num_ref_idx_l0_default, weighted_pred, 0 if separate_planes else chroma_format,
                   pic_init_qp, deblocking_control, redundant_pic_cnt)


@dataclass(frozen=True)
class SliceStart:
    """The start of a coded picture's first slice: enough to continue its frame numbers."""

    nal_ref_idc: int
    idr: bool
    frame_num: int

    @classmethod
    def of_packet(cls, packet: bytes, headers: StreamHeaders) -> SliceStart:
        for unit in nal_units(packet):
            kind = unit[0] & 0x1F
            if kind in (1, 5):
                r = _BitReader(unescape(unit[1:8]))
                r.ue(), r.ue()  # first_mb_in_slice, slice_type
                if r.ue() != headers.pps_id:
                    raise Unsupported("a slice refers to another PPS")
                return cls(unit[0] >> 5, kind == 5, r.u(headers.log2_max_frame_num))
        raise Unsupported("the packet holds no coded slice")


def next_frame_num(previous: SliceStart, headers: StreamHeaders) -> int:
    if previous.nal_ref_idc == 0:
        # After a non-reference picture the next reference one keeps its frame_num plus one of
        # the last reference picture; this stream's held frames only ever follow reference ones.
        raise Unsupported("the encoder's last picture is not a reference picture")
    return (previous.frame_num + 1) % (1 << headers.log2_max_frame_num)


def skip_frame(headers: StreamHeaders, frame_num: int, *, nal_ref_idc: int = 2, qp: int | None = None,
               cabac_init_idc: int = 0) -> bytes:
    """One Annex B access unit: a P picture whose every macroblock repeats the previous picture.

    `qp` sets slice_qp_delta; nothing is coded at that QP, but CABAC's contexts start from it.
    """
    if nal_ref_idc == 0:
        raise Unsupported("held frames are written as reference pictures (picture order count type 2)")
    qp = headers.pic_init_qp if qp is None else qp
    w = _BitWriter()
    w.ue(0)  # first_mb_in_slice
    w.ue(_P_SLICE)
    w.ue(headers.pps_id)
    w.u(headers.log2_max_frame_num, frame_num)
    if headers.redundant_pic_cnt:
        w.ue(0)
    if headers.num_ref_idx_l0_default == 1:
        w.u(1, 0)  # num_ref_idx_active_override_flag
    else:
        w.u(1, 1)
        w.ue(0)  # one reference picture: the previous one
    w.u(1, 0)  # ref_pic_list_modification_flag_l0
    if headers.weighted_pred:
        w.ue(0)  # luma_log2_weight_denom
        if headers.chroma_array_type:
            w.ue(0)
        w.u(1, 0)  # luma_weight_l0_flag
        if headers.chroma_array_type:
            w.u(1, 0)
    w.u(1, 0)  # adaptive_ref_pic_marking_mode_flag: sliding window
    if headers.cabac:
        w.ue(cabac_init_idc)
    w.se(qp - headers.pic_init_qp)
    if headers.deblocking_control:
        w.ue(1)  # disable_deblocking_filter_idc: nothing to filter in a copied picture
    if headers.cabac:
        while not w.aligned():
            w.u(1, 1)  # cabac_alignment_one_bit
        rbsp = w.to_bytes() + _cabac_all_skipped(headers.macroblocks, qp, cabac_init_idc)
    else:
        w.ue(headers.macroblocks)  # mb_skip_run
        w.u(1, 1)  # rbsp_stop_one_bit
        while not w.aligned():
            w.u(1, 0)
        rbsp = w.to_bytes()
    return b"\0\0\0\1" + bytes([(nal_ref_idc << 5) | 1]) + escape(rbsp)


@functools.lru_cache(maxsize=8)
def _cabac_all_skipped(macroblocks: int, qp: int, cabac_init_idc: int) -> bytes:
    """The CABAC slice data of `macroblocks` skipped macroblocks, with the stop bit and alignment."""
    m, n = _SKIP_FLAG_INIT[cabac_init_idc]
    pre = min(max(((m * min(max(qp, 0), 51)) >> 4) + n, 1), 126)
    state, mps = (63 - pre, 0) if pre <= 63 else (pre - 64, 1)
    out: list[int] = []
    low, rng, first, outstanding = 0, 510, True, 0

    def put(bit: int) -> None:
        nonlocal first, outstanding
        if first:
            first = False
        else:
            out.append(bit)
        out.extend([1 - bit] * outstanding)
        outstanding = 0

    def renorm() -> None:
        nonlocal low, rng, outstanding
        while rng < 256:
            if low < 256:
                put(0)
            elif low >= 512:
                low -= 512
                put(1)
            else:
                low -= 256
                outstanding += 1
            rng <<= 1
            low <<= 1

    for mb in range(macroblocks):
        lps = _RANGE_LPS[state][(rng >> 6) & 3]  # mb_skip_flag = 1
        rng -= lps
        if mps == 1:
            state = min(state + 1, 62)
        else:
            low += rng
            rng = lps
            if state == 0:
                mps = 1
            state = _NEXT_AFTER_LPS[state]
        renorm()
        rng -= 2  # end_of_slice_flag
        if mb < macroblocks - 1:
            renorm()
    low += rng  # end_of_slice_flag = 1, then flush (clause 9.3.4.5)
    rng = 2
    renorm()
    put((low >> 9) & 1)
    out += [(low >> 8) & 1, 1]  # the last bit is rbsp_stop_one_bit
    out += [0] * (-len(out) % 8)
    return _packed(out)
