"""Reference implementation of the split hash and assignment described in docs/splits.md, written from that text
alone (plain Python 3, no packages), so the C# tests can check that the runtime computes what the document says.

Reads one JSON object from standard input:
  {"seed": int, "fractions": [float, ...],
   "columns": [{"type": "int64" | "uint64" | "bool" | "double" | "string" | "binary" | "timestamp_micros"
                        | "timestamp_nanos" | "date" | "decimal" | "uuid" | "time", "scale": int (decimal only),
                "values": [...]}, ...],
   "strata": [value, ...] (optional: the stratify column's values, null for null), "max_buckets": int (optional)}
Values: integers and times as JSON integers; doubles as their IEEE-754 bits in a signed int64; binary as hex text;
decimals as the unscaled integer in decimal text; UUIDs in their usual text form; null for null.
Writes {"hashes": ["<uint64 as decimal text>", ...], "subsets": [int, ...]} to standard output.

Run with no input and the argument --self-test to check the MurmurHash3 implementation against its published value.
"""
import json
import struct
import sys
import uuid

MASK = (1 << 64) - 1
C1 = 0x87C37B91114253D5
C2 = 0x4CF5AD432745937F


def rotl(x, r):
    return ((x << r) | (x >> (64 - r))) & MASK


def fmix(k):
    k ^= k >> 33
    k = (k * 0xFF51AFD7ED558CCD) & MASK
    k ^= k >> 33
    k = (k * 0xC4CEB9FE1A85EC53) & MASK
    k ^= k >> 33
    return k


def murmur3_x64_128(data, seed=0):
    """MurmurHash3_x64_128 (Austin Appleby's reference algorithm); returns (h1, h2)."""
    h1 = h2 = seed
    n = len(data)
    blocks = n // 16
    for i in range(blocks):
        k1, k2 = struct.unpack_from("<QQ", data, i * 16)
        k1 = (k1 * C1) & MASK
        k1 = rotl(k1, 31)
        k1 = (k1 * C2) & MASK
        h1 ^= k1
        h1 = rotl(h1, 27)
        h1 = (h1 + h2) & MASK
        h1 = (h1 * 5 + 0x52DCE729) & MASK
        k2 = (k2 * C2) & MASK
        k2 = rotl(k2, 33)
        k2 = (k2 * C1) & MASK
        h2 ^= k2
        h2 = rotl(h2, 31)
        h2 = (h2 + h1) & MASK
        h2 = (h2 * 5 + 0x38495AB5) & MASK
    tail = data[blocks * 16:]
    k1 = k2 = 0
    for i in range(len(tail) - 1, 7, -1):
        k2 = (k2 << 8) | tail[i]
    for i in range(min(len(tail), 8) - 1, -1, -1):
        k1 = (k1 << 8) | tail[i]
    if len(tail) > 8:
        k2 = (k2 * C2) & MASK
        k2 = rotl(k2, 33)
        k2 = (k2 * C1) & MASK
        h2 ^= k2
    if len(tail) > 0:
        k1 = (k1 * C1) & MASK
        k1 = rotl(k1, 31)
        k1 = (k1 * C2) & MASK
        h1 ^= k1
    h1 ^= n
    h2 ^= n
    h1 = (h1 + h2) & MASK
    h2 = (h2 + h1) & MASK
    h1 = fmix(h1)
    h2 = fmix(h2)
    h1 = (h1 + h2) & MASK
    h2 = (h2 + h1) & MASK
    return h1, h2


def i64(value):
    return struct.pack("<q", ((value + (1 << 63)) & MASK) - (1 << 63))


EPOCH_TICKS = 621355968000000000
CANONICAL_NAN = 0x7FF8000000000000


def encode(column, value):
    if value is None:
        return b"\x00"
    kind = column["type"]
    if kind == "bool":
        return b"\x01" + (b"\x01" if value else b"\x00")
    if kind == "int64":
        return b"\x02" + i64(value)
    if kind == "uint64":
        return (b"\x02" + i64(value)) if value < (1 << 63) else (b"\x03" + struct.pack("<Q", value))
    if kind == "double":
        bits = value & MASK
        exponent = (bits >> 52) & 0x7FF
        mantissa = bits & ((1 << 52) - 1)
        if exponent == 0x7FF and mantissa != 0:
            bits = CANONICAL_NAN
        elif bits == 1 << 63:
            bits = 0
        return b"\x04" + struct.pack("<Q", bits)
    if kind in ("string", "binary"):
        raw = value.encode("utf-8") if kind == "string" else bytes.fromhex(value)
        return b"\x05" + struct.pack("<i", len(raw)) + raw
    if kind == "timestamp_micros":
        return b"\x06" + i64(value * 10 + EPOCH_TICKS)
    if kind == "timestamp_nanos":
        return b"\x06" + i64(value // 100 + EPOCH_TICKS)
    if kind == "date":
        return b"\x07" + i64(value)
    if kind == "decimal":
        unscaled = int(value)
        return b"\x08" + struct.pack("<i", column["scale"]) + (unscaled & ((1 << 128) - 1)).to_bytes(16, "little")
    if kind == "uuid":
        return b"\x09" + uuid.UUID(value).bytes
    if kind == "time":
        return b"\x0a" + i64(value)
    raise ValueError("unknown type " + kind)


def split_hash(seed, columns, row):
    data = i64(seed) + b"".join(encode(c, c["values"][row]) for c in columns)
    return murmur3_x64_128(data)[0]


def cumulative(fractions):
    out, total = [], 0.0
    for f in fractions:
        total += f
        out.append(total)
    out[-1] = 1.0
    return out


def plain_subset(h, cum):
    u = (h >> 11) * (1.0 / (1 << 53))
    for k, c in enumerate(cum[:-1]):
        if u < c:
            return k
    return len(cum) - 1


def stratified_subsets(hashes, strata, cum, max_buckets):
    """Per stratum: the largest resolution r <= 32 at which its hashes fill at most max_buckets buckets (top r bits);
    each asked cut c_k * n goes to the nearest bucket boundary, the lower one on a tie."""
    by_stratum = {}
    for row, s in enumerate(strata):
        by_stratum.setdefault(json.dumps(s), []).append(row)
    subsets = [None] * len(hashes)
    for rows in by_stratum.values():
        r = 32
        while len({hashes[i] >> (64 - r) for i in rows}) > max_buckets:
            r -= 1
        bucket = lambda h: (h >> (64 - r)) if r > 0 else 0
        counts = {}
        for i in rows:
            b = bucket(hashes[i])
            counts[b] = counts.get(b, 0) + 1
        keys = sorted(counts)
        boundaries = [0]
        for b in keys:
            boundaries.append(boundaries[-1] + counts[b])
        n = len(rows)
        thresholds = []
        for c in cum[:-1]:
            target = c * n
            i = max(j for j in range(len(boundaries)) if boundaries[j] <= target)
            if i < len(keys) and boundaries[i] < target and boundaries[i + 1] - target < target - boundaries[i]:
                i += 1
            thresholds.append(keys[i] if i < len(keys) else 1 << r)
        for row in rows:
            b = bucket(hashes[row])
            subsets[row] = next((k for k, t in enumerate(thresholds) if b < t), len(thresholds))
    return subsets


def main():
    if sys.argv[1:] == ["--self-test"]:
        h1, h2 = murmur3_x64_128(b"The quick brown fox jumps over the lazy dog")
        digest = struct.pack("<QQ", h1, h2).hex()
        assert digest == "6c1b07bc7bbc4be347939ac4a93c437a", digest
        print(json.dumps({"ok": True}))
        return
    request = json.load(sys.stdin)
    columns = request["columns"]
    rows = len(columns[0]["values"])
    hashes = [split_hash(request["seed"], columns, row) for row in range(rows)]
    cum = cumulative(request["fractions"])
    if request.get("strata") is not None:
        subsets = stratified_subsets(hashes, request["strata"], cum, request.get("max_buckets", 1 << 16))
    else:
        subsets = [plain_subset(h, cum) for h in hashes]
    print(json.dumps({"hashes": [str(h) for h in hashes], "subsets": subsets}))


main()
