namespace Dsl.Barriers.Joins;

/// <summary>Chooses between a broadcast hash join and a hash-partitioned one from the table's size on disk.</summary>
internal static class JoinStrategy
{
    /// <summary>
    /// A broadcast hash join when the table's files take at most <paramref name="thresholdBytes"/>, else a
    /// hash-partitioned join; a threshold of 0 turns broadcasting off. The reason names the table when
    /// <paramref name="tableName"/> is given: "table 'users' is 3.2 MiB, below the broadcast threshold of 64 MiB:
    /// broadcast hash join".
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative.</exception>
    public static JoinChoice Choose(long tableBytes, long thresholdBytes, string? tableName = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(tableBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(thresholdBytes);
        string table = tableName is null ? "the table" : $"table '{tableName}'";
        string size = JoinMemory.Format(tableBytes);
        string threshold = JoinMemory.Format(thresholdBytes);
        const string Shuffle = "hash-partitioned join (both sides spread over buckets on disk, joined bucket by bucket)";
        if (thresholdBytes == 0)
        {
            return new JoinChoice(false, $"{table} is {size} and the broadcast threshold is 0 (broadcasting off): {Shuffle}");
        }
        return tableBytes < thresholdBytes
            ? new JoinChoice(true, $"{table} is {size}, below the broadcast threshold of {threshold}: broadcast hash join")
            : tableBytes == thresholdBytes
                ? new JoinChoice(true, $"{table} is {size}, equal to the broadcast threshold: broadcast hash join")
                : new JoinChoice(false, $"{table} is {size}, above the broadcast threshold of {threshold}: {Shuffle}");
    }
}
