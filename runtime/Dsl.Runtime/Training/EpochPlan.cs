namespace Dsl.Training;

/// <summary>One row group of the output: the unit the feed shuffles and shards.</summary>
/// <param name="Part">Its part's index in the output's part list.</param>
/// <param name="RowGroup">Its index in the part.</param>
/// <param name="Rows">Its rows.</param>
internal readonly record struct FeedUnit(int Part, int RowGroup, int Rows);

/// <summary>A run of consecutive row groups of one rank whose rows are shuffled together.</summary>
/// <param name="Index">Its position in the rank's epoch.</param>
/// <param name="Units">Its row groups, in order.</param>
/// <param name="FirstRow">Its first row's position in the rank's stream of rows.</param>
/// <param name="Rows">Its rows.</param>
internal sealed record FeedWindow(int Index, FeedUnit[] Units, long FirstRow, int Rows);

/// <summary>
/// One rank's epoch, worked out from the footers alone (nothing is decoded): the row groups in the epoch's order
/// (a seeded Fisher–Yates shuffle), each given to the rank with the fewest rows so far (ties: the lowest rank), cut
/// into windows, and the step count every rank shares.
/// </summary>
internal sealed class EpochPlan
{
    private EpochPlan(int epoch, FeedWindow[] windows, long rankRows, int steps, int lastBatchRows)
    {
        Epoch = epoch;
        Windows = windows;
        RankRows = rankRows;
        Steps = steps;
        LastBatchRows = lastBatchRows;
    }

    public int Epoch { get; }

    /// <summary>This rank's windows, in order.</summary>
    public FeedWindow[] Windows { get; }

    /// <summary>This rank's rows this epoch (before padding or dropping).</summary>
    public long RankRows { get; }

    /// <summary>Steps of every rank this epoch.</summary>
    public int Steps { get; }

    /// <summary>Rows of the last batch (the batch size except under <see cref="FeedRemainder.Partial"/>).</summary>
    public int LastBatchRows { get; }

    public static EpochPlan Make(IReadOnlyList<FeedUnit> units, TrainingFeedOptions options, int epoch)
    {
        var order = units.ToArray();
        if (options.Shuffle)
        {
            FeedRandom.For(options.Seed, (ulong)epoch, 0).Shuffle(order.AsSpan());
        }
        var rowsPerRank = new long[options.WorldSize];
        var mine = new List<FeedUnit>();
        foreach (FeedUnit unit in order)
        {
            int rank = 0;
            for (int r = 1; r < rowsPerRank.Length; r++)
            {
                if (rowsPerRank[r] < rowsPerRank[rank])
                {
                    rank = r;
                }
            }
            rowsPerRank[rank] += unit.Rows;
            if (rank == options.Rank)
            {
                mine.Add(unit);
            }
        }
        var windows = new List<FeedWindow>();
        long first = 0;
        for (int u = 0; u < mine.Count;)
        {
            int start = u;
            long rows = 0;
            while (u < mine.Count && (rows < options.ShuffleWindowRows || u == start))
            {
                rows += mine[u++].Rows;
            }
            if (rows > Array.MaxLength / Math.Max(1, options.Features.Count + 1))
            {
                throw new InvalidDataException($"A shuffle window of {rows} rows does not fit in one buffer: lower ShuffleWindowRows or write smaller row groups.");
            }
            windows.Add(new FeedWindow(windows.Count, mine.GetRange(start, u - start).ToArray(), first, (int)rows));
            first += rows;
        }
        long b = options.BatchSize;
        long rankRows = rowsPerRank[options.Rank];
        (long steps, int last) = options.Remainder switch
        {
            FeedRemainder.Drop => (rowsPerRank.Min() / b, options.BatchSize),
            FeedRemainder.Pad => ((rowsPerRank.Max() + b - 1) / b, options.BatchSize),
            _ => ((rankRows + b - 1) / b, rankRows % b == 0 ? options.BatchSize : (int)(rankRows % b)),
        };
        if (steps == 0)
        {
            throw new InvalidDataException(
                $"Epoch {epoch} has no full batch of {options.BatchSize} rows for every rank (rows per rank: {string.Join(", ", rowsPerRank)}); " +
                "use a smaller batch size or Remainder = Pad.");
        }
        if (steps > int.MaxValue)
        {
            throw new InvalidDataException($"Epoch {epoch} would take {steps} steps; use a larger batch size.");
        }
        return new EpochPlan(epoch, windows.ToArray(), rankRows, (int)steps, last);
    }

    /// <summary>The window holding stream row <paramref name="row"/> (0 ≤ row &lt; <see cref="RankRows"/>).</summary>
    public int WindowOf(long row)
    {
        int lo = 0, hi = Windows.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (Windows[mid].FirstRow <= row)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return lo;
    }
}
