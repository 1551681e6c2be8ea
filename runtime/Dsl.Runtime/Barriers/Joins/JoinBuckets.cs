namespace Dsl.Barriers.Joins;

/// <summary>
/// Which bucket a key's hash (<see cref="Keys.EncodedKeys.Hash"/>) falls in. Level 0 (the first partitioning of both
/// sides) uses the hash's low half; each deeper level, which splits one bucket that was too big, remixes the whole
/// hash with the level first, so that the rows of one bucket spread over all sub-buckets. The hash index uses the high
/// half (<see cref="JoinKeyIndex"/>).
/// </summary>
internal static class JoinBuckets
{
    /// <summary>The bucket, from 0 to <paramref name="count"/> - 1, of <paramref name="hash"/> at <paramref name="level"/>.</summary>
    public static int Of(ulong hash, int level, int count)
    {
        ulong bits = level == 0 ? hash & 0xFFFF_FFFFUL : Remix(hash + ((ulong)level * 0x9E37_79B9_7F4A_7C15UL));
        return (int)(bits % (ulong)count);
    }

    // MurmurHash3's 64-bit finalizer: every input bit flips each output bit with probability about 1/2.
    private static ulong Remix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xFF51_AFD7_ED55_8CCDUL;
        k ^= k >> 33;
        k *= 0xC4CE_B9FE_1A85_EC53UL;
        k ^= k >> 33;
        return k;
    }
}
