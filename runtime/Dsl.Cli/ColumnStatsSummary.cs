using Dsl.Cli.Formatting;
using Dsl.Parquet.Metadata;

namespace Dsl.Cli;

/// <summary>
/// One leaf column's statistics over a set of row groups (the whole file, or one row group), from the footer alone:
/// rows, values, nulls, min and max, distinct count, sizes and encodings.
/// </summary>
/// <remarks>
/// Never a wrong answer: a figure that any row group does not record is unknown (null, with
/// <see cref="MinMaxNote"/> saying why for min/max), not a sum of the row groups that do. Min and max are the min
/// of the minimums and the max of the maximums in the column's sort order (<see cref="StatisticsOrders"/>); row
/// groups whose values are all null hold no bounds and are passed over. Distinct counts of row groups do not add
/// up, so over several row groups only bounds are known: at least the largest, at most the sum.
/// </remarks>
internal sealed class ColumnStatsSummary
{
    private readonly SchemaElement _leaf;
    private readonly StatisticsOrder _order;
    private readonly string? _orderProblem;
    private byte[]? _min;
    private byte[]? _max;
    private string? _unknownReason;
    private long _distinctLow;
    private long _distinctHigh;
    private bool _distinctMissing;

    /// <summary>Starts an empty summary of <paramref name="leaf"/>, the leaf column <paramref name="path"/>.</summary>
    /// <param name="path">The leaf's dotted path.</param>
    /// <param name="leaf">Its schema element.</param>
    /// <param name="fileOrder">The file's <c>column_orders</c> entry for it, or null when the file lists none.</param>
    public ColumnStatsSummary(string path, SchemaElement leaf, ColumnOrder? fileOrder)
    {
        Path = path;
        _leaf = leaf;
        _order = StatisticsOrders.Of(leaf);
        _orderProblem = _order == StatisticsOrder.Undefined ? $"its type ({leaf.Type.ToString()?.ToUpperInvariant()}{(leaf.LogicalType is { } lt ? " " + lt : "")}) has no defined sort order"
            : fileOrder == ColumnOrder.Unknown ? "the file gives it a sort order this reader does not know"
            : null;
    }

    /// <summary>The leaf's dotted path.</summary>
    public string Path { get; }

    /// <summary>Rows in the row groups added.</summary>
    public long Rows { get; private set; }

    /// <summary>Leaf values (with nulls, and with each list element) the column chunks record; null when a chunk has no metadata.</summary>
    public long? Values { get; private set; } = 0;

    /// <summary>Null values; null when any chunk does not record its null count.</summary>
    public long? Nulls { get; private set; } = 0;

    /// <summary>The minimum, as <c>meta</c> prints it (the logical type's text), or null when unknown or when there is no value.</summary>
    public string? Min => _unknownReason is null && _min is not null ? StatisticsFormatter.Format(_leaf, _min) : null;

    /// <summary>The maximum, as <see cref="Min"/>.</summary>
    public string? Max => _unknownReason is null && _max is not null ? StatisticsFormatter.Format(_leaf, _max) : null;

    /// <summary>Whether <see cref="Min"/> is a value of the column, not a truncated lower bound.</summary>
    public bool MinExact { get; private set; } = true;

    /// <summary>Whether <see cref="Max"/> is a value of the column, not a truncated upper bound.</summary>
    public bool MaxExact { get; private set; } = true;

    /// <summary>Whether min and max came from the deprecated <c>min</c>/<c>max</c> fields (signed order, numeric types only).</summary>
    public bool FromDeprecatedFields { get; private set; }

    /// <summary>Why min and max are unknown, or that no row holds a value; null when they are known.</summary>
    public string? MinMaxNote => _unknownReason is { } reason ? "unknown: " + reason
        : _min is null ? (Rows == 0 ? "no rows" : "every value is null")
        : null;

    /// <summary>Whether the floating-point bounds leave NaN out (Parquet statistics never count it).</summary>
    public bool IsFloating => _order == StatisticsOrder.Floating;

    /// <summary>The fewest distinct values the row groups' counts allow (their largest), or null when any row group records none.</summary>
    public long? DistinctAtLeast => _distinctMissing ? null : _distinctLow;

    /// <summary>The most distinct values the row groups' counts allow (their sum), or null when any row group records none.</summary>
    public long? DistinctAtMost => _distinctMissing ? null : _distinctHigh;

    /// <summary>Compressed bytes of the chunks (headers included); null when a chunk has no metadata.</summary>
    public long? CompressedBytes { get; private set; } = 0;

    /// <summary>Uncompressed bytes of the chunks; null when a chunk has no metadata.</summary>
    public long? UncompressedBytes { get; private set; } = 0;

    /// <summary>Uncompressed over compressed bytes, or null when either is unknown or nothing is stored.</summary>
    public double? CompressionRatio => CompressedBytes is > 0 && UncompressedBytes is { } u ? (double)u / CompressedBytes.Value : null;

    /// <summary>Every encoding any chunk lists, in the order first seen.</summary>
    public List<ParquetEncoding> Encodings { get; } = [];

    /// <summary>Adds the column's chunk of row group <paramref name="index"/>.</summary>
    public void Add(int index, RowGroup group, ColumnChunk? chunk)
    {
        Rows += group.NumRows;
        if (chunk?.MetaData is not { } meta)
        {
            Values = Nulls = CompressedBytes = UncompressedBytes = null;
            _distinctMissing = true;
            _unknownReason ??= $"row group {index} has no metadata for this column";
            return;
        }
        Values += meta.NumValues;
        CompressedBytes += meta.TotalCompressedSize;
        UncompressedBytes += meta.TotalUncompressedSize;
        foreach (ParquetEncoding encoding in meta.Encodings)
        {
            if (!Encodings.Contains(encoding))
            {
                Encodings.Add(encoding);
            }
        }
        Statistics? stats = meta.Statistics;
        Nulls = stats?.NullCount is { } nulls ? Nulls + nulls : null;
        if (stats?.DistinctCount is { } distinct)
        {
            _distinctLow = Math.Max(_distinctLow, distinct);
            _distinctHigh += distinct;
        }
        else
        {
            _distinctMissing = true;
        }
        AddBounds(index, group, meta, stats);
    }

    private void AddBounds(int index, RowGroup group, ColumnMetaData meta, Statistics? stats)
    {
        if (_unknownReason is not null)
        {
            return;
        }
        if (_orderProblem is not null)
        {
            _unknownReason = _orderProblem;
            return;
        }
        (byte[]? low, byte[]? high) = (stats?.MinValue, stats?.MaxValue);
        bool deprecated = false;
        if (low is null && high is null && stats is { Min: not null, Max: not null }
            && _order is StatisticsOrder.Boolean or StatisticsOrder.SignedInteger or StatisticsOrder.Floating
            && _leaf.Type is not PhysicalType.FixedLenByteArray)
        {
            // The deprecated fields hold signed-order bounds: right for these types, wrong for strings and unsigned ints.
            (low, high, deprecated) = (stats.Min, stats.Max, true);
        }
        if (low is null || high is null)
        {
            // A chunk with no values has no bounds to give; any other chunk without them leaves min/max unknown.
            bool noValues = group.NumRows == 0 || meta.NumValues == 0 || (stats?.NullCount is { } n && n >= meta.NumValues);
            if (!noValues)
            {
                _unknownReason = $"row group {index} records no min/max for this column";
            }
            return;
        }
        if ((StatisticsOrders.Unusable(_leaf, _order, low) ?? StatisticsOrders.Unusable(_leaf, _order, high)) is { } why)
        {
            _unknownReason = $"row group {index} has {why}";
            return;
        }
        FromDeprecatedFields |= deprecated;
        // A truncated bound is still a bound; which one wins decides whether the result is exact.
        bool lowExact = stats!.IsMinValueExact != false;
        bool highExact = stats.IsMaxValueExact != false;
        int byMin = _min is null ? -1 : StatisticsOrders.Compare(_leaf, _order, low, _min);
        if (byMin < 0)
        {
            (_min, MinExact) = (low, lowExact);
        }
        else if (byMin == 0)
        {
            MinExact |= lowExact;
        }
        int byMax = _max is null ? 1 : StatisticsOrders.Compare(_leaf, _order, high, _max);
        if (byMax > 0)
        {
            (_max, MaxExact) = (high, highExact);
        }
        else if (byMax == 0)
        {
            MaxExact |= highExact;
        }
    }
}
