#!/usr/bin/env python3
"""The training feed's batch order, computed from docs/training.md's description alone (no code shared with C#).

Reads a JSON request on stdin: {"units": [[id, ...] per row group, in manifest order], "seed", "epoch", "worldSize",
"window", "batch", "remainder": "pad"|"drop"|"partial", "shuffle": bool} and prints {"ranks": [[id per delivered
row, in order] per rank]}. The C# test feeds it the ids of a real output and compares every rank's delivered ids.
"""
import json
import sys

M = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15


def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)


class SplitMix64:
    def __init__(self, state):
        self.state = state

    def next(self):
        self.state = (self.state + GAMMA) & M
        return mix(self.state)

    def below(self, bound):
        # Lemire: the high half of next*bound, rejecting low halves under 2^64 mod bound.
        product = self.next() * bound
        if product & M < bound:
            threshold = (1 << 64) % bound
            while product & M < threshold:
                product = self.next() * bound
        return product >> 64

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.below(i + 1)
            items[i], items[j] = items[j], items[i]


def generator(seed, epoch, stream):
    return SplitMix64(mix(mix(mix(seed) ^ epoch) ^ stream))


def main():
    q = json.load(sys.stdin)
    units = [list(u) for u in q["units"] if u]  # row groups without rows are no units
    seed, epoch, world, window, batch = q["seed"], q["epoch"], q["worldSize"], q["window"], q["batch"]
    order = list(range(len(units)))
    if q["shuffle"]:
        generator(seed, epoch, 0).shuffle(order)
    rows = [0] * world
    mine = [[] for _ in range(world)]
    for u in order:
        rank = min(range(world), key=lambda r: (rows[r], r))  # fewest rows so far, lowest rank on ties
        rows[rank] += len(units[u])
        mine[rank].append(u)
    streams = []
    for rank in range(world):
        stream, w, i = [], 0, 0
        while i < len(mine[rank]):
            ids = []
            while i < len(mine[rank]) and (len(ids) < window or not ids):
                ids += units[mine[rank][i]]
                i += 1
            perm = list(range(len(ids)))
            if q["shuffle"]:
                generator(seed, epoch, 1 + (rank << 32) + w).shuffle(perm)
            stream += [ids[k] for k in perm]
            w += 1
        streams.append(stream)
    remainder = q["remainder"]
    if remainder == "drop":
        steps = min(rows) // batch
        total = [steps * batch] * world
    elif remainder == "pad":
        steps = -(-max(rows) // batch)
        total = [steps * batch] * world
    else:
        total = rows
    print(json.dumps({"ranks": [[streams[r][p % len(streams[r])] for p in range(total[r])] for r in range(world)]}))


main()
