"""A small, fast QR code encoder for the print QR code on every project and park page.

A 10,000-project site draws tens of thousands of page QR codes, and a general encoder
(segno) spent about a third of a cold build on them. These codes are all alike: an absolute
URL in byte mode, error correction level M, one fixed mask. So everything that depends only
on the version (the function patterns, the order in which data modules are filled, the mask
over them, the format and version information) is worked out once per version and cached;
encoding a URL is then a handful of whole-string and big-integer operations:

    bytes -> data codewords -> Reed-Solomon per block -> interleave -> one big int of bits
          -> XOR the mask -> one string of "0"/"1" -> scatter into the matrix (itemgetter)

Pages draw their codes from `packed_rows`, which goes further for the small versions page URLs
need: there every step after the bytes is linear over GF(2) (Reed-Solomon's arithmetic is XOR
and multiplication by constants, placement moves bits, the mask and the function patterns are
fixed), so the finished matrix is a fixed part XOR, for each byte of the URL, what that byte
flips at its place; those flips are looked up in tables made once per version and length.

The result matches segno's `make(text, error="m", micro=False, mask=2)` module for module
(tests/test_qr.py checks this), including its choice of version and its raising of the error
level when the data still fits the same version at Q or H.

Everything here follows ISO/IEC 18004:2015 ("the standard" below); section numbers refer to it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from operator import getitem, itemgetter, xor

# The one mask every page code uses (7.8.2, mask 010: flip the data modules whose column % 3 == 0).
# Any mask gives a valid code that readers decode; scoring all eight to pick the "best" would cost
# several times the encoding itself.
MASK = 2

# ---- Tables of the standard --------------------------------------------------------------------
# Only M, Q and H: we start at M and may only go up (see `choose_version`). Index = version - 1.

# Table 9: error correction codewords per block and number of blocks.
EC_CODEWORDS_PER_BLOCK = {
    "M": (10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
          26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28),
    "Q": (13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
          28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    "H": (17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
          30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
}
EC_BLOCKS = {
    "M": (1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
          17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49),
    "Q": (1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
          23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68),
    "H": (1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
          25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81),
}

# Annex E Table E.1: row/column centres of the alignment patterns.
ALIGNMENT_CENTRES = (
    (), (6, 18), (6, 22), (6, 26), (6, 30), (6, 34),
    (6, 22, 38), (6, 24, 42), (6, 26, 46), (6, 28, 50), (6, 30, 54), (6, 32, 58), (6, 34, 62),
    (6, 26, 46, 66), (6, 26, 48, 70), (6, 26, 50, 74), (6, 30, 54, 78), (6, 30, 56, 82),
    (6, 30, 58, 86), (6, 34, 62, 90),
    (6, 28, 50, 72, 94), (6, 26, 50, 74, 98), (6, 30, 54, 78, 102), (6, 28, 54, 80, 106),
    (6, 32, 58, 84, 110), (6, 30, 58, 86, 114), (6, 34, 62, 90, 118),
    (6, 26, 50, 74, 98, 122), (6, 30, 54, 78, 102, 126), (6, 26, 52, 78, 104, 130),
    (6, 30, 56, 82, 108, 134), (6, 34, 60, 86, 112, 138), (6, 30, 58, 86, 114, 142),
    (6, 34, 62, 90, 118, 146),
    (6, 30, 54, 78, 102, 126, 150), (6, 24, 50, 76, 102, 128, 154), (6, 28, 54, 80, 106, 132, 158),
    (6, 32, 58, 84, 110, 136, 162), (6, 26, 54, 82, 110, 138, 166), (6, 30, 58, 86, 114, 142, 170),
)

# Table 12: the two bits naming the error correction level in the format information.
LEVEL_BITS = {"M": 0b00, "Q": 0b11, "H": 0b10}

MAX_VERSION = len(ALIGNMENT_CENTRES)
BYTE_MODE = 0b0100  # Table 2


class DataTooLong(ValueError):
    """The text does not fit the largest QR code (version 40) at level M."""


@dataclass(frozen=True)
class Symbol:
    """An encoded QR code: `modules` holds its rows, top to bottom, as "0" (light) and "1" (dark)
    characters, each row followed by a newline (`pack_rows` turns it into the packed form pages
    draw)."""
    version: int
    level: str
    size: int
    modules: str

    def rows(self) -> list[str]:
        return self.modules.split("\n")[:-1]


def encode(text: str) -> Symbol:
    """The QR code of `text`: byte mode, the smallest version that holds it at level M, mask 2.

    Always byte mode: segno too picks byte mode for anything starting with a lowercase "http"
    (numeric and alphanumeric modes have no lowercase letters), so page URLs match it."""
    data = text_bytes(text)
    version, level = choose_version(len(data))
    plan = plan_for(version, level)
    codewords = final_codewords(data, plan)
    return Symbol(version, level, version_size(version), place(codewords, plan))


# ---- Data encoding (7.4) -----------------------------------------------------------------------

def text_bytes(text: str) -> bytes:
    """The bytes that go into the code, chosen as segno chooses them so that codes stay identical:
    ISO-8859-1 (the standard's default for byte mode), else Shift JIS, else UTF-8.
    Page URLs are plain ASCII in practice, where all three agree."""
    for codec in ("iso-8859-1", "shift_jis"):
        try:
            return text.encode(codec)
        except UnicodeError:
            pass
    return text.encode("utf-8")


def count_bits(version: int) -> int:
    """Length of the byte-mode character count (Table 3)."""
    return 8 if version <= 9 else 16


def choose_version(length: int) -> tuple[int, str]:
    """The smallest version holding `length` bytes at level M, then the highest level (M, Q, H)
    that still fits that same version: a free upgrade in robustness, and what segno does by
    default (`boost_error=True`), so our codes equal today's."""
    for version in range(1, MAX_VERSION + 1):
        needed = 4 + count_bits(version) + 8 * length
        if needed <= 8 * data_codeword_count(version, "M"):
            level = "M"
            for better in ("Q", "H"):
                if needed > 8 * data_codeword_count(version, better):
                    break
                level = better
            return version, level
    raise DataTooLong(f"{length} bytes do not fit a QR code at error correction level M")


def data_codewords(data: bytes, version: int, capacity: int) -> bytes:
    """Mode indicator, character count, the bytes, terminator and padding (7.4.2-7.4.10).

    In byte mode the 4-bit mode indicator shifts every byte by half a byte, so the bit stream is
    built as one integer: header, data, then four zero bits, which are at once the terminator and
    the padding to a whole byte (choose_version leaves room for them). The unused codewords are
    filled with 11101100 and 00010001 in turn.

    One quirk is copied from segno so that our codes equal the ones it made: its padding step
    adds a whole zero byte when the stream already ends on a byte boundary, which in byte mode it
    always does. Readers stop at the terminator, so the extra byte changes nothing for them; when
    the data fills the symbol it is cut off like the pad codewords.
    """
    header = (BYTE_MODE << count_bits(version)) | len(data)
    stream = ((header << 8 * len(data)) | int.from_bytes(data, "big")) << 4
    used = (4 + count_bits(version) + 8 * len(data) + 4) // 8
    filler = b"\x00" + b"\xec\x11" * ((capacity - used) // 2 + 1)
    return stream.to_bytes(used, "big") + filler[:capacity - used]


# ---- Error correction (7.5) --------------------------------------------------------------------

def galois_tables() -> tuple[list[int], list[int]]:
    """Powers of the generator 2 in GF(256) with the standard's polynomial x^8+x^4+x^3+x^2+1
    (0x11D), and their logarithms. The power table is doubled so that exp[log a + log b] needs
    no modulo."""
    exp, log = [0] * 510, [0] * 256
    value = 1
    for power in range(255):
        exp[power] = exp[power + 255] = value
        log[value] = power
        value <<= 1
        if value & 0x100:
            value ^= 0x11D
    return exp, log


EXP, LOG = galois_tables()


@functools.lru_cache(maxsize=None)
def generator_multiples(degree: int) -> tuple[int, ...]:
    """For each byte value f, f times the generator polynomial of `degree` (Annex A), without its
    leading 1, packed into one integer of `degree` bytes (highest power first).

    With these the division in `ec_codewords` is one shift and one XOR per data byte, instead of
    a loop over the generator's coefficients.
    """
    generator = [1]  # product of (x - 2^i) for i < degree; coefficients highest power first
    for i in range(degree):
        root = EXP[i]
        generator = [a ^ (gf_multiply(b, root)) for a, b in zip(generator + [0], [0] + generator)]
    tail = generator[1:]
    return tuple(int.from_bytes(bytes(gf_multiply(f, c) for c in tail), "big") for f in range(256))


def gf_multiply(a: int, b: int) -> int:
    return EXP[LOG[a] + LOG[b]] if a and b else 0


def ec_codewords(block: bytes, degree: int) -> bytes:
    """The Reed-Solomon check bytes of one block: the remainder of block(x) * x^degree divided by
    the generator polynomial, computed as a shift register held in one integer."""
    multiples = generator_multiples(degree)
    top_shift = 8 * (degree - 1)
    keep = (1 << 8 * degree) - 1
    remainder = 0
    for byte in block:
        factor = byte ^ (remainder >> top_shift)
        remainder = ((remainder << 8) & keep) ^ multiples[factor]
    return remainder.to_bytes(degree, "big")


def final_codewords(data: bytes, plan: Plan) -> bytes:
    """Data codewords split into blocks, each followed by its check bytes, then interleaved into
    the final message (7.6) by one precomputed permutation."""
    codewords = data_codewords(data, plan.version, plan.data_count)
    pieces, start = [codewords], 0
    for length in plan.block_lengths:
        pieces.append(ec_codewords(codewords[start:start + length], plan.ec_per_block))
        start += length
    return bytes(plan.interleave(b"".join(pieces)))


# ---- Version layout (6.3, 7.7) -----------------------------------------------------------------

def version_size(version: int) -> int:
    return 17 + 4 * version


@dataclass(frozen=True)
class Layout:
    """What a version looks like before any data: `fixed` maps each flat index (row * size + col)
    of a function module to its colour (format information left light, filled in per level), and
    `order` lists the flat indexes of the data modules in the order bits are placed (7.7)."""
    size: int
    fixed: dict[int, int]
    order: tuple[int, ...]


@functools.lru_cache(maxsize=None)
def layout(version: int) -> Layout:
    size = version_size(version)
    fixed: dict[int, int] = {}
    draw_timing_patterns(fixed, size)
    for row, col in ((0, 0), (0, size - 7), (size - 7, 0)):
        draw_finder_pattern(fixed, size, row, col)
    for row, col in alignment_centres(version):
        draw_alignment_pattern(fixed, size, row, col)
    for index in format_positions(size)[0] + format_positions(size)[1]:
        fixed[index] = 0
    fixed[(size - 8) * size + 8] = 1  # the module that is always dark (7.9.1)
    for pair in version_positions(size) if version >= 7 else ():
        fixed[pair[0]] = fixed[pair[1]] = 0
    return Layout(size, fixed, placement_order(size, fixed))


def draw_timing_patterns(fixed: dict[int, int], size: int) -> None:
    """Row 6 and column 6 alternate dark and light, starting dark (6.3.5); finders and alignment
    patterns drawn afterwards overwrite their ends."""
    for i in range(size):
        fixed[6 * size + i] = fixed[i * size + 6] = 1 - i % 2


def draw_finder_pattern(fixed: dict[int, int], size: int, top: int, left: int) -> None:
    """A 7x7 finder (dark ring, light ring, dark 3x3 centre) plus its light separator (6.3.3)."""
    for row in range(top - 1, top + 8):
        for col in range(left - 1, left + 8):
            if 0 <= row < size and 0 <= col < size:
                ring = max(abs(row - top - 3), abs(col - left - 3))
                fixed[row * size + col] = 0 if ring in (2, 4) else 1


def alignment_centres(version: int) -> list[tuple[int, int]]:
    """Every pair of listed coordinates, except the three that would sit on a finder (6.3.6)."""
    centres = ALIGNMENT_CENTRES[version - 1]
    if not centres:
        return []
    first, last = centres[0], centres[-1]
    on_finder = {(first, first), (first, last), (last, first)}
    return [(r, c) for r in centres for c in centres if (r, c) not in on_finder]


def draw_alignment_pattern(fixed: dict[int, int], size: int, row: int, col: int) -> None:
    """A 5x5 alignment pattern: dark ring, light ring, dark centre."""
    for r in range(row - 2, row + 3):
        for c in range(col - 2, col + 3):
            fixed[r * size + c] = 0 if max(abs(r - row), abs(c - col)) == 1 else 1


def format_positions(size: int) -> tuple[list[int], list[int]]:
    """The flat indexes of the two copies of the 15 format bits (7.9.1), listed from
    bit 0 (least significant) to bit 14. Copy one wraps the top-left finder, going up column 8
    then left along row 8, skipping the timing pattern; copy two is split between the
    top-right (bits 0-7, row 8) and bottom-left (bits 8-14, column 8) finders."""
    around_top_left = ([r * size + 8 for r in (0, 1, 2, 3, 4, 5, 7, 8)]
                       + [8 * size + c for c in (7, 5, 4, 3, 2, 1, 0)])
    split = ([8 * size + size - 1 - i for i in range(8)]
             + [(size - 7 + i) * size + 8 for i in range(7)])
    return around_top_left, split


def version_positions(size: int) -> list[tuple[int, int]]:
    """The flat indexes of the 18 version bits, bit 0 first, as pairs (7.10): a 6x3
    block above the bottom-left finder and its transpose left of the top-right finder."""
    pairs = []
    for i in range(18):
        near, far = i // 3, size - 11 + i % 3
        pairs.append((far * size + near, near * size + far))
    return pairs


def placement_order(size: int, fixed: dict[int, int]) -> tuple[int, ...]:
    """Data modules in placement order (7.7): two-module-wide columns from the right edge,
    alternately upwards and downwards, right module before left, skipping function modules.
    Column 6 (the vertical timing pattern) is skipped whole, so the columns left of it shift."""
    order = []
    upwards = True
    right = size - 1
    while right > 0:
        if right == 6:
            right = 5
        rows = range(size - 1, -1, -1) if upwards else range(size)
        for row in rows:
            for col in (right, right - 1):
                index = row * size + col
                if index not in fixed:
                    order.append(index)
        upwards = not upwards
        right -= 2
    return tuple(order)


def data_codeword_count(version: int, level: str) -> int:
    return total_codeword_count(version) - (EC_CODEWORDS_PER_BLOCK[level][version - 1]
                                            * EC_BLOCKS[level][version - 1])


@functools.lru_cache(maxsize=None)
def total_codeword_count(version: int) -> int:
    """All codewords of a version: its data modules in whole bytes (the rest are remainder bits)."""
    return len(layout(version).order) // 8


# ---- Format and version information (7.9, 7.10) ------------------------------------------------

def bch_code(value: int, value_bits: int, generator: int) -> int:
    """`value` followed by the remainder of its division by `generator` (polynomials over GF(2))."""
    check_bits = generator.bit_length() - 1
    remainder = value << check_bits
    for shift in range(value_bits - 1, -1, -1):
        if remainder & (1 << (shift + check_bits)):
            remainder ^= generator << shift
    return (value << check_bits) | remainder


def format_bits(level: str) -> int:
    """Level and mask, BCH(15,5)-protected, XORed with 101010000010010 so that they are never
    all light (7.9.1)."""
    return bch_code(LEVEL_BITS[level] << 3 | MASK, 5, 0b10100110111) ^ 0b101010000010010


def version_bits(version: int) -> int:
    """The version number, BCH(18,6)-protected (7.10)."""
    return bch_code(version, 6, 0b1111100100101)


# ---- Putting the bits in the matrix (7.7, 7.8) ---------------------------------------------------

@dataclass(frozen=True)
class Plan:
    """Everything fixed for a (version, level): the block structure, the interleaving
    permutation, the mask over the data modules, and a getter that reads the whole matrix, row
    by row, out of the string of masked data bits."""
    version: int
    data_count: int
    block_lengths: tuple[int, ...]
    ec_per_block: int
    interleave: itemgetter
    data_modules: int
    mask: int
    scatter: itemgetter


@functools.lru_cache(maxsize=None)
def plan_for(version: int, level: str) -> Plan:
    grid = layout(version)
    data_count = data_codeword_count(version, level)
    blocks = EC_BLOCKS[level][version - 1]
    ec_per_block = EC_CODEWORDS_PER_BLOCK[level][version - 1]
    block_lengths = block_sizes(data_count, blocks)
    return Plan(version=version, data_count=data_count, block_lengths=block_lengths,
                ec_per_block=ec_per_block,
                interleave=itemgetter(*interleaving(block_lengths, ec_per_block)),
                data_modules=len(grid.order), mask=mask_over(grid),
                scatter=itemgetter(*matrix_sources(grid, version, level)))


def block_sizes(data_count: int, blocks: int) -> tuple[int, ...]:
    """Data codewords per block: equal shares, the later blocks one longer when the split is
    uneven (Table 9's two groups of blocks)."""
    short, longer = divmod(data_count, blocks)
    return (short,) * (blocks - longer) + (short + 1,) * longer


def interleaving(block_lengths: tuple[int, ...], ec_per_block: int) -> list[int]:
    """Where each byte of the final message comes from in "all data, then each block's check
    bytes": the i-th data byte of every block in turn, then the i-th check byte of each (7.6)."""
    starts, start = [], 0
    for length in block_lengths:
        starts.append(start)
        start += length
    sources = [s + i for i in range(max(block_lengths))
               for s, length in zip(starts, block_lengths) if i < length]
    ec_start = start
    sources += [ec_start + b * ec_per_block + i for i in range(ec_per_block)
                for b in range(len(block_lengths))]
    return sources


def mask_over(grid: Layout) -> int:
    """Mask 2 over the data modules in placement order, as an integer whose first (most
    significant) bit belongs to the first data module: XOR it with the bits and they are masked."""
    bits = "".join("1" if index % grid.size % 3 == 0 else "0" for index in grid.order)
    return int(bits, 2)


def matrix_sources(grid: Layout, version: int, level: str) -> list[int]:
    """For every character of the finished matrix string (rows joined with newlines), its index in
    the string `data bits + "01\\n"`: data modules read their bit, function modules the fixed
    light ("0") or dark ("1") just after the bits, row ends the newline."""
    colours = dict(grid.fixed)
    format_value = format_bits(level)
    for copy in format_positions(grid.size):
        for bit, index in enumerate(copy):
            colours[index] = format_value >> bit & 1
    if version >= 7:
        version_value = version_bits(version)
        for bit, pair in enumerate(version_positions(grid.size)):
            for index in pair:
                colours[index] = version_value >> bit & 1
    light, dark, newline = len(grid.order), len(grid.order) + 1, len(grid.order) + 2
    source = {index: k for k, index in enumerate(grid.order)}
    sources = []
    for row in range(grid.size):
        for index in range(row * grid.size, (row + 1) * grid.size):
            sources.append(source[index] if index in source else (dark if colours[index] else light))
        sources.append(newline)
    return sources


def place(codewords: bytes, plan: Plan) -> str:
    """The matrix as a string: the codewords' bits (then zero remainder bits) masked in one XOR,
    written out as "0"/"1", and scattered to their modules by the plan's getter."""
    remainder_bits = plan.data_modules - 8 * len(codewords)
    bits = (int.from_bytes(codewords, "big") << remainder_bits) ^ plan.mask
    return "".join(plan.scatter(format(bits, f"0{plan.data_modules}b") + "01\n"))


# ---- Packed rows: many codes of one version, fast (see the module's docstring) -------------------

# Versions up to this one (URLs up to 180 bytes) are encoded by table look-ups; their tables take
# a few tens of milliseconds to make (longer for larger versions: one Reed-Solomon division per
# data bit), so larger, rare codes go the general way.
TABLED_VERSIONS = 9


def packed_rows(text: str) -> tuple[int, bytes]:
    """The QR code of `text` (as `encode` makes it): its size, and its rows top to bottom, each
    padded with light modules to whole bytes, one bit per module, the leftmost in the highest bit
    of the row's first byte (a dark module is 1)."""
    data = text_bytes(text)
    version, level = choose_version(len(data))
    if version > TABLED_VERSIONS:
        plan = plan_for(version, level)
        return version_size(version), pack_rows(place(final_codewords(data, plan), plan))
    fixed, by_byte = length_tables(version, level, len(data))
    tables = version_tables(version, level)
    matrix = functools.reduce(xor, map(getitem, by_byte, data), fixed)
    return tables.size, matrix.to_bytes(tables.byte_count, "big")


def pack_rows(modules: str) -> bytes:
    """A matrix string ("0"/"1" rows, each ending in a newline) in the form of `packed_rows`."""
    rows = modules.split("\n")[:-1]
    width = (len(rows[0]) + 7) // 8
    return b"".join(int(row.ljust(8 * width, "0"), 2).to_bytes(width, "big") for row in rows)


@dataclass(frozen=True)
class VersionTables:
    """What every code of one (version, level) shares, in packed-row bits (the matrix read as one
    integer): the modules of a code whose codewords are all zero (function patterns, format and
    version information, the mask), and for each bit of the data codewords, the modules it flips:
    its own and those of the check bytes it changes."""
    size: int
    byte_count: int
    blank: int
    flips_of_bit: tuple[int, ...]


@functools.lru_cache(maxsize=None)
def version_tables(version: int, level: str) -> VersionTables:
    plan = plan_for(version, level)
    size = version_size(version)
    byte_count = size * ((size + 7) // 8)
    blank_codewords = bytes(plan.data_count + plan.ec_per_block * len(plan.block_lengths))
    blank = int.from_bytes(pack_rows(place(blank_codewords, plan)), "big")
    # Where the bit of weight 2**k of the interleaved message lands, as a packed-row bit (`place`
    # puts the message's bits, highest first, on the data modules in placement order).
    row_bits = 8 * ((size + 7) // 8)
    placed = layout(version).order[:8 * len(blank_codewords)]
    landing = [1 << (8 * byte_count - 1 - (index // size * row_bits + index % size)) for index in reversed(placed)]

    def flips(codewords: bytes) -> int:
        pieces, start = [codewords], 0
        for length in plan.block_lengths:
            pieces.append(ec_codewords(codewords[start:start + length], plan.ec_per_block))
            start += length
        bits, out = int.from_bytes(bytes(plan.interleave(b"".join(pieces))), "big"), 0
        while bits:
            lowest = bits & -bits
            out |= landing[lowest.bit_length() - 1]
            bits ^= lowest
        return out

    data_bits = 8 * plan.data_count
    flips_of_bit = tuple(flips((1 << (data_bits - 1 - bit)).to_bytes(plan.data_count, "big"))
                         for bit in range(data_bits))
    return VersionTables(size, byte_count, blank, flips_of_bit)


@functools.lru_cache(maxsize=64)
def length_tables(version: int, level: str, length: int) -> tuple[int, list[ByteFlips]]:
    """For texts of `length` bytes: the modules of the text of zero bytes (header, terminator and
    padding written in), and per byte of the text, what each value of it flips."""
    tables = version_tables(version, level)
    plan = plan_for(version, level)
    zero_text = data_codewords(bytes(length), version, plan.data_count)
    fixed = tables.blank
    for bit in _set_bits(int.from_bytes(zero_text, "big"), 8 * plan.data_count):
        fixed ^= tables.flips_of_bit[bit]
    first = 4 + count_bits(version)           # the text starts after the mode and the count
    return fixed, [ByteFlips(tables.flips_of_bit[first + 8 * i: first + 8 * i + 8]) for i in range(length)]


def _set_bits(value: int, width: int) -> list[int]:
    """The positions of the 1 bits of a `width`-bit value, counted from its highest bit."""
    return [i for i, bit in enumerate(format(value, f"0{width}b")) if bit == "1"]


class ByteFlips(dict):
    """A byte value at one place of the text → the modules it flips; made when first met (a
    site's URLs share most of their bytes, so few values are ever made)."""

    def __init__(self, bit_flips: tuple[int, ...]):
        super().__init__()
        self.bit_flips = bit_flips

    def __missing__(self, value: int) -> int:
        flips = 0
        for bit in _set_bits(value, 8):
            flips ^= self.bit_flips[bit]
        self[value] = flips
        return flips
