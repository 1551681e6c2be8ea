using System.Buffers.Binary;
using Dsl.Parquet;
using Dsl.Parquet.Metadata;

namespace Dsl.Execution;

/// <summary>
/// Decides from a row group's column statistics whether it can hold a row that passes the pipeline's source filters,
/// so the scan can skip it unread. Conservative by construction: it skips only when the statistics prove that every
/// row fails at least one <see cref="ScanPredicate"/>, and the filters still run on every row that is read, so pruning
/// never changes results. Statistics it cannot interpret with certainty (unsigned or converted types, NaN bounds,
/// legacy unordered string bounds) never prune.
/// </summary>
internal sealed class RowGroupPruner
{
    // One conjunction per segment reading the pipeline input; a row group is skipped only when every one is refuted.
    private readonly IReadOnlyList<ScanPredicate>[] _conjunctions;
    private readonly BatchSchema _input;

    /// <summary>The pruner of the run's second pass: the segments that read the input, first-pass (FitOnly) ones left out.</summary>
    public RowGroupPruner(PipelinePlan plan)
        : this(plan, s => !s.FitOnly, keepsEveryRow: false)
    {
    }

    /// <summary>
    /// The pruner of a pass that runs the input-reading segments <paramref name="segments"/> selects;
    /// <paramref name="keepsEveryRow"/> when the pass also needs every input row as read (a fit observing the raw
    /// input), so nothing is pruned.
    /// </summary>
    public RowGroupPruner(PipelinePlan plan, Func<SegmentPlan, bool> segments, bool keepsEveryRow)
    {
        _input = plan.Schemas[plan.InputSchema];
        IEnumerable<IReadOnlyList<ScanPredicate>> conjunctions = plan.Segments
            .Where(s => s.ReadsInput && segments(s))
            .Select(s => (IReadOnlyList<ScanPredicate>)s.Stages
                .SelectMany(name => plan.Stages.First(stage => stage.Name == name).ScanPredicates ?? [])
                .ToArray());
        // An empty conjunction is never refuted, so IsActive turns false.
        _conjunctions = keepsEveryRow ? [.. conjunctions, []] : [.. conjunctions];
    }

    /// <summary>Whether any pruning is possible at all.</summary>
    public bool IsActive => _conjunctions.Length > 0 && _conjunctions.All(c => c.Count > 0);

    /// <summary>Whether row group <paramref name="rowGroup"/> of <paramref name="reader"/> provably has no row the source filters keep.</summary>
    public bool CanSkip(ParquetFileReader reader, int rowGroup) =>
        IsActive && _conjunctions.All(conjunction => conjunction.Any(p => Refutes(reader, rowGroup, p)));

    /// <summary>
    /// Whether a partition whose columns hold the same value in every row (hive partition folder values, by column
    /// name: an int, long, double, float, bool or string, or null) provably has no row the source filters keep, so its
    /// file need not be opened. Columns without a constant never refute.
    /// </summary>
    public bool CanSkipConstants(IReadOnlyDictionary<string, object?> constants) =>
        constants.Count > 0 && IsActive && _conjunctions.All(conjunction => conjunction.Any(p => Refutes(constants, p)));

    private bool Refutes(IReadOnlyDictionary<string, object?> constants, ScanPredicate predicate)
    {
        if (predicate.Operator == ScanOperator.AnyOf)
        {
            return predicate.Alternatives.Count > 0 && predicate.Alternatives.All(a => Refutes(constants, a));
        }
        if (!constants.TryGetValue(predicate.Column, out object? constant) || _input.IndexOf(predicate.Column) is var index && index < 0)
        {
            return false;
        }
        switch (predicate.Operator)
        {
            case ScanOperator.IsNull:
                return constant is not null;
            case ScanOperator.IsNotNull:
                return constant is null;
        }
        if (constant is null)
        {
            // A lifted comparison with null is false; only 'x != c' holds for a null x.
            return predicate.Operator != ScanOperator.NotEqual;
        }
        ColumnType type = _input[index].Type;
        if (!Bound.TryFrom(predicate.Value, type, out Bound value) || !Bound.TryFrom(constant, type, out Bound row))
        {
            return false;
        }
        int order = row.CompareTo(value);
        return predicate.Operator switch
        {
            ScanOperator.Equal => order != 0,
            ScanOperator.NotEqual => order == 0,
            ScanOperator.LessThan => order >= 0,
            ScanOperator.LessThanOrEqual => order > 0,
            ScanOperator.GreaterThan => order <= 0,
            ScanOperator.GreaterThanOrEqual => order < 0,
            _ => false,
        };
    }

    private static bool Refutes(ParquetFileReader reader, int rowGroup, ScanPredicate predicate)
    {
        if (predicate.Operator == ScanOperator.AnyOf)
        {
            // A kept row satisfies one of them: only when the statistics rule out every one is the row group empty of them.
            return predicate.Alternatives.Count > 0 && predicate.Alternatives.All(a => Refutes(reader, rowGroup, a));
        }
        ParquetColumnInfo? info = reader.Columns.FirstOrDefault(c => c.Name == predicate.Column);
        if (info is not { IsGroup: false, Field: { } field })
        {
            return false;
        }
        RowGroup group = reader.Footer.RowGroups[rowGroup];
        if (info.LeafIndex >= group.Columns.Count || group.Columns[info.LeafIndex].MetaData?.Statistics is not { } stats)
        {
            return false;
        }
        long rows = group.NumRows;
        switch (predicate.Operator)
        {
            case ScanOperator.IsNull:
                return stats.NullCount == 0;
            case ScanOperator.IsNotNull:
                return stats.NullCount == rows;
        }

        // A lifted comparison with null is false, so an all-null row group fails every comparison but '!='.
        bool allNull = stats.NullCount == rows && rows > 0;
        if (!TryBounds(info.Element, field.Type, stats, out Bound min, out Bound max))
        {
            return allNull && predicate.Operator != ScanOperator.NotEqual;
        }
        if (!Bound.TryFrom(predicate.Value, field.Type, out Bound value))
        {
            return false;
        }
        return predicate.Operator switch
        {
            ScanOperator.Equal => value.CompareTo(min) < 0 || value.CompareTo(max) > 0,
            // 'x != c' is true for null rows (lifted) and for NaN, so only a null-free, NaN-free constant chunk refutes it.
            ScanOperator.NotEqual => stats.NullCount == 0 && !min.IsFloating && min.CompareTo(value) == 0 && max.CompareTo(value) == 0,
            ScanOperator.LessThan => min.CompareTo(value) >= 0,
            ScanOperator.LessThanOrEqual => min.CompareTo(value) > 0,
            ScanOperator.GreaterThan => max.CompareTo(value) <= 0,
            ScanOperator.GreaterThanOrEqual => max.CompareTo(value) < 0,
            _ => false,
        };
    }

    // Only physical types whose statistics order matches the C# comparison of the values read: plain ones, signed
    // integers however annotated, and UTF-8 strings.
    private static bool TryBounds(SchemaElement element, ColumnType type, Statistics stats, out Bound min, out Bound max)
    {
        min = max = default;
        bool plain = element.ConvertedType is null && element.LogicalType is null;
        // DuckDB, Spark and pyarrow mark ints INT(32|64, signed) / INT_32 / INT_64 (and narrower signed ints are
        // stored in INT32): signed statistics, the same order as the values read. Unsigned ones order unsigned.
        bool signedInteger = plain
            || (element.LogicalType is { Kind: LogicalTypeKind.Integer, IsSigned: true } && element.ConvertedType is null or ConvertedType.Int8 or ConvertedType.Int16 or ConvertedType.Int32 or ConvertedType.Int64)
            || (element.LogicalType is null && element.ConvertedType is ConvertedType.Int8 or ConvertedType.Int16 or ConvertedType.Int32 or ConvertedType.Int64);
        bool utf8 = element.LogicalType is { Kind: LogicalTypeKind.String } || element.ConvertedType is ConvertedType.Utf8;
        (byte[]? lo, byte[]? hi) = (stats.MinValue, stats.MaxValue);
        if (element.Type is not PhysicalType.ByteArray)
        {
            // The deprecated fields use signed ordering, which is right for these plain numeric types.
            (lo, hi) = (lo ?? stats.Min, hi ?? stats.Max);
        }
        if (lo is null || hi is null)
        {
            return false;
        }
        switch (element.Type)
        {
            case PhysicalType.Int32 when signedInteger && type == ColumnType.Int32 && lo.Length == 4 && hi.Length == 4:
                (min, max) = (Bound.Integer(BinaryPrimitives.ReadInt32LittleEndian(lo)), Bound.Integer(BinaryPrimitives.ReadInt32LittleEndian(hi)));
                return true;
            case PhysicalType.Int64 when signedInteger && type == ColumnType.Int64 && lo.Length == 8 && hi.Length == 8:
                (min, max) = (Bound.Integer(BinaryPrimitives.ReadInt64LittleEndian(lo)), Bound.Integer(BinaryPrimitives.ReadInt64LittleEndian(hi)));
                return true;
            case PhysicalType.Float when plain && lo.Length == 4 && hi.Length == 4:
                (min, max) = (Bound.Floating(BinaryPrimitives.ReadSingleLittleEndian(lo)), Bound.Floating(BinaryPrimitives.ReadSingleLittleEndian(hi)));
                return !double.IsNaN(min.Number) && !double.IsNaN(max.Number);
            case PhysicalType.Double when plain && lo.Length == 8 && hi.Length == 8:
                (min, max) = (Bound.Floating(BinaryPrimitives.ReadDoubleLittleEndian(lo)), Bound.Floating(BinaryPrimitives.ReadDoubleLittleEndian(hi)));
                return !double.IsNaN(min.Number) && !double.IsNaN(max.Number);
            case PhysicalType.Boolean when plain && lo.Length == 1 && hi.Length == 1:
                (min, max) = (Bound.Integer(lo[0] & 1), Bound.Integer(hi[0] & 1));
                return true;
            case PhysicalType.ByteArray when utf8 && type == ColumnType.String:
                (min, max) = (Bound.Bytes(lo), Bound.Bytes(hi));
                return true;
            default:
                return false;
        }
    }

    /// <summary>A statistics bound or a predicate constant, comparable as the column's values compare in C#.</summary>
    private readonly record struct Bound(long Int, double Number, byte[]? Utf8, bool IsFloating)
    {
        public static Bound Integer(long value) => new(value, 0, null, false);

        public static Bound Floating(double value) => new(0, value, null, true);

        public static Bound Bytes(byte[] value) => new(0, 0, value, false);

        public static bool TryFrom(object? value, ColumnType type, out Bound bound)
        {
            Bound? converted = (type, value) switch
            {
                (ColumnType.Int32 or ColumnType.Int64, int i) => Integer(i),
                (ColumnType.Int32 or ColumnType.Int64, long l) => Integer(l),
                (ColumnType.Float or ColumnType.Double, double d) when !double.IsNaN(d) => Floating(d),
                (ColumnType.Float or ColumnType.Double, float f) when !float.IsNaN(f) => Floating(f),
                (ColumnType.Float or ColumnType.Double, int i) => Floating(i),
                (ColumnType.Float or ColumnType.Double, long l) => Floating(l),
                (ColumnType.Boolean, bool b) => Integer(b ? 1 : 0),
                (ColumnType.String, string s) => Bytes(System.Text.Encoding.UTF8.GetBytes(s)),
                _ => null,
            };
            bound = converted.GetValueOrDefault();
            return converted.HasValue;
        }

        // Strings compare as unsigned bytes (UTF-8 preserves code point order); numbers by value.
        public int CompareTo(Bound other) =>
            Utf8 is not null ? Utf8.AsSpan().SequenceCompareTo(other.Utf8) :
            IsFloating || other.IsFloating ? (IsFloating ? Number : Int).CompareTo(other.IsFloating ? other.Number : other.Int) :
            Int.CompareTo(other.Int);
    }
}
