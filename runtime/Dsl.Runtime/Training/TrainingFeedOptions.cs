namespace Dsl.Training;

/// <summary>What a rank does with the rows that do not fill its last batch.</summary>
public enum FeedRemainder
{
    /// <summary>
    /// Every rank takes as many steps as the rank with the most rows needs; a rank's batches past its own rows repeat its
    /// epoch's first rows (counted in <see cref="FeedBatch.PaddedRows"/>). Every row is delivered at least once.
    /// </summary>
    Pad,

    /// <summary>Every rank takes as many full batches as the rank with the fewest rows has; the rows after them are not delivered this epoch.</summary>
    Drop,

    /// <summary>One rank only: the last batch holds the rows that are left (fewer than the batch size). Every row exactly once.</summary>
    Partial,
}

/// <summary>How a <see cref="TrainingFeed"/> reads, orders, shards and prefetches a committed output.</summary>
public sealed record TrainingFeedOptions
{
    /// <summary>The feature columns, in the order of the batches' feature matrix.</summary>
    public required IReadOnlyList<string> Features { get; init; }

    /// <summary>The label column; null for a feed without labels.</summary>
    public string? Label { get; init; }

    /// <summary>Rows per batch.</summary>
    public required int BatchSize { get; init; }

    /// <summary>The seed of every shuffle: the same seed and epoch give the same batches on every machine.</summary>
    public ulong Seed { get; init; }

    /// <summary>Whether to shuffle (row groups, then rows within each window). Off: the manifest's order.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>
    /// The rows shuffled together: consecutive row groups (in the epoch's row-group order) form a window of at least this
    /// many rows, whose rows are permuted; the feed holds at most two windows decoded at once. Larger windows mix
    /// better and hold more memory (rows × (features + label) × 4 bytes each).
    /// </summary>
    public int ShuffleWindowRows { get; init; } = 65_536;

    /// <summary>This process's data-parallel rank, from 0 to <see cref="WorldSize"/> - 1.</summary>
    public int Rank { get; init; }

    /// <summary>The number of data-parallel ranks; each gets disjoint row groups and the same number of steps.</summary>
    public int WorldSize { get; init; } = 1;

    /// <summary>What to do with the rows that do not fill a last batch; <see cref="FeedRemainder.Partial"/> needs one rank.</summary>
    public FeedRemainder Remainder { get; init; } = FeedRemainder.Pad;

    /// <summary>The bytes of assembled batches the prefetch ring may hold ahead of the trainer (at least two batches).</summary>
    public long PrefetchBytes { get; init; } = 64L << 20;

    /// <summary>The threads that decode a window's row groups (besides the one that assembles batches).</summary>
    public int DecodeThreads { get; init; } = 1;

    /// <summary>The sink to read when the pipeline has several (its folder in the output); see <see cref="CommittedOutput.Open"/>.</summary>
    public string? Sink { get; init; }
}
