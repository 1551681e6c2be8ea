using Dsl.Execution;

namespace Dsl.Fitting;

/// <summary>How the first pass reads a column a fit asks about.</summary>
internal enum FitColumnKind
{
    /// <summary>A number (double, float, Half, the integer types) or a bool (false 0, true 1): every statistic.</summary>
    Numeric,

    /// <summary>A string or binary column (dictionary-encoded): counts, distinct counts and, for strings, frequencies.</summary>
    Text,

    /// <summary>Any other flat column (timestamps, dates, times, decimals, UUIDs): counts and distinct counts.</summary>
    Other,
}

/// <summary>What a column's first-pass state keeps, from the statistics asked of it.</summary>
[Flags]
internal enum FitNeeds
{
    None = 0,
    Moments = 1,
    Sum = 2,
    Distinct = 4,
    ApproxDistinct = 8,
    Quantiles = 16,
    Counts = 32,
}

/// <summary>One column a fit reads, and what its state keeps.</summary>
internal sealed record FitColumn(ColumnField Field, FitColumnKind Kind, FitNeeds Needs)
{
    public string Name => Field.Name;
}

/// <summary>One fit of the plan: its columns, and for each request the column it reads (−1 for <see cref="FitStatistic.Count"/>).</summary>
internal sealed record FitInput(FitPlan Fit, IReadOnlyList<FitColumn> Columns, IReadOnlyList<int> RequestColumns);

/// <summary>
/// The plan's fits as the first pass gathers them, checked before any input is read: each fit's segment is a
/// <see cref="SegmentPlan.FitOnly"/> segment producing its input schema, every request names a column of that schema
/// whose type the statistic reads, its constant arguments are in range, and no two fits produce one parameter type.
/// </summary>
internal sealed class FitLayout
{
    private FitLayout(IReadOnlyList<FitInput> fits) => Fits = fits;

    /// <summary>The fits, in plan order.</summary>
    public IReadOnlyList<FitInput> Fits { get; }

    /// <summary>The parameter types the plan's fits compute.</summary>
    public static IReadOnlySet<string> FittedTypes(PipelinePlan plan) => plan.Fits.Select(f => f.ParametersType).ToHashSet(StringComparer.Ordinal);

    /// <summary>Checks <paramref name="plan"/>'s fits and their segments.</summary>
    /// <exception cref="ArgumentException">The plan's fits or first-pass segments are inconsistent.</exception>
    public static FitLayout For(PipelinePlan plan)
    {
        CheckSegments(plan);
        var fits = new List<FitInput>();
        var producers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (FitPlan fit in plan.Fits)
        {
            if (producers.TryGetValue(fit.ParametersType, out string? other))
            {
                throw new ArgumentException($"Fit stages '{other}' and '{fit.Stage}' of pipeline '{plan.Name}' both return '{fit.ParametersType}'; each parameter type must come from one fit stage.");
            }
            producers[fit.ParametersType] = fit.Stage;
            if (!plan.Schemas.TryGetValue(fit.InputSchema, out BatchSchema? schema))
            {
                throw new ArgumentException($"Fit stage '{fit.Stage}' of pipeline '{plan.Name}' reads schema '{fit.InputSchema}', which the plan does not define.");
            }
            if (fit.Segment is int s)
            {
                if (s < 0 || s >= plan.Segments.Count || !plan.Segments[s].FitOnly)
                {
                    throw new ArgumentException($"Fit stage '{fit.Stage}' of pipeline '{plan.Name}' observes segment {s}, which is not a first-pass (FitOnly) segment of the plan.");
                }
                if (plan.Segments[s].OutputSchema != fit.InputSchema)
                {
                    throw new ArgumentException($"Fit stage '{fit.Stage}' of pipeline '{plan.Name}' reads rows of '{fit.InputSchema}' but its segment '{plan.Segments[s].Name}' produces '{plan.Segments[s].OutputSchema}'.");
                }
            }
            else if (fit.InputSchema != plan.InputSchema)
            {
                throw new ArgumentException($"Fit stage '{fit.Stage}' of pipeline '{plan.Name}' observes the pipeline input, of schema '{plan.InputSchema}', but reads rows of '{fit.InputSchema}'.");
            }
            var columns = new List<FitColumn>();
            var requestColumns = new List<int>();
            foreach (FitRequest request in fit.Requests)
            {
                CheckArguments(plan, fit, request);
                if (request.Statistic == FitStatistic.Count)
                {
                    requestColumns.Add(-1);
                    continue;
                }
                int index = schema.IndexOf(request.Column);
                if (index < 0)
                {
                    throw new ArgumentException($"Fit stage '{fit.Stage}' of pipeline '{plan.Name}' asks for {request.Statistic} of column '{request.Column}' ('{request.Expression}'), which schema '{fit.InputSchema}' does not have. Its columns are {string.Join(", ", schema.Fields.Select(f => f.Name))}.");
                }
                ColumnField field = schema[index];
                FitColumnKind kind = KindOf(field.Type) ?? throw new ArgumentException($"Fit stage '{fit.Stage}' of pipeline '{plan.Name}' asks for {request.Statistic} of column '{field.Name}', of type {field.Type}; fit statistics read flat columns only (numbers, bools, strings, dates and times, decimals).");
                CheckStatistic(plan, fit, request, field, kind);
                int at = columns.FindIndex(c => c.Name == field.Name);
                if (at < 0)
                {
                    columns.Add(new FitColumn(field, kind, FitNeeds.None));
                    at = columns.Count - 1;
                }
                columns[at] = columns[at] with { Needs = columns[at].Needs | NeedsOf(request.Statistic) };
                requestColumns.Add(at);
            }
            fits.Add(new FitInput(fit, columns, requestColumns));
        }
        return new FitLayout(fits);
    }

    /// <summary>
    /// Checks the plan's first-pass segments: a <see cref="SegmentPlan.FitOnly"/> segment reads the input or another
    /// first-pass segment, takes no parameter type a fit computes (that would need a third pass), and no second-pass
    /// segment reads one.
    /// </summary>
    /// <exception cref="ArgumentException">One of those does not hold.</exception>
    public static void CheckSegments(PipelinePlan plan)
    {
        IReadOnlySet<string> fitted = FittedTypes(plan);
        foreach (SegmentPlan segment in plan.Segments)
        {
            if (segment.InputSegment is int from && from >= 0 && from < plan.Segments.Count && plan.Segments[from].FitOnly != segment.FitOnly)
            {
                throw new ArgumentException(segment.FitOnly
                    ? $"First-pass segment '{segment.Name}' of pipeline '{plan.Name}' reads segment '{plan.Segments[from].Name}', which runs only in the second pass."
                    : $"Segment '{segment.Name}' of pipeline '{plan.Name}' reads first-pass segment '{plan.Segments[from].Name}', which runs only while fitting.");
            }
            if (!segment.FitOnly)
            {
                continue;
            }
            foreach (string stage in segment.Stages)
            {
                if (plan.Stages.FirstOrDefault(s => s.Name == stage)?.Parameters is { } parameters && fitted.Contains(parameters.TypeName))
                {
                    string producer = plan.Fits.First(f => f.ParametersType == parameters.TypeName).Stage;
                    throw new ArgumentException($"Stage '{stage}' runs before a fit stage of pipeline '{plan.Name}' and takes '{parameters.TypeName}', which fit stage '{producer}' computes; a fit cannot read another fit's result (that would need a third pass). Fit both from rows that need no fitted parameters.");
                }
            }
        }
    }

    /// <summary>The input columns the first pass reads: its segments' reads, the columns fits ask of the raw input, and unique rules' keys.</summary>
    public IReadOnlyList<string> ReadColumns(PipelinePlan plan) =>
        plan.Segments.Where(s => s.FitOnly && s.ReadsInput).SelectMany(s => s.ReadColumns)
            .Concat(Fits.Where(f => f.Fit.Segment is null).SelectMany(f => f.Columns.Select(c => c.Name)))
            .Concat(plan.Rules.Where(r => r.Kind == RuleKind.Unique).SelectMany(r => r.Columns))
            .Distinct(StringComparer.Ordinal)
            .ToArray();

    /// <summary>How a column of <paramref name="type"/> is read, or null when fits cannot read it.</summary>
    public static FitColumnKind? KindOf(ColumnType type) => type switch
    {
        ColumnType.Double or ColumnType.Float or ColumnType.Float16 or ColumnType.Boolean
            or ColumnType.Int8 or ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64
            or ColumnType.UInt8 or ColumnType.UInt16 or ColumnType.UInt32 or ColumnType.UInt64 => FitColumnKind.Numeric,
        ColumnType.String or ColumnType.Binary => FitColumnKind.Text,
        ColumnType.Timestamp or ColumnType.TimestampNanos or ColumnType.Date or ColumnType.Time or ColumnType.Decimal or ColumnType.Uuid => FitColumnKind.Other,
        _ => null,
    };

    private static FitNeeds NeedsOf(FitStatistic statistic) => statistic switch
    {
        FitStatistic.Sum or FitStatistic.Mean => FitNeeds.Sum,
        FitStatistic.Variance or FitStatistic.StdDev or FitStatistic.SampleVariance or FitStatistic.SampleStdDev
            or FitStatistic.Min or FitStatistic.Max or FitStatistic.MaxAbs => FitNeeds.Moments,
        FitStatistic.Distinct => FitNeeds.Distinct,
        FitStatistic.ApproxDistinct => FitNeeds.ApproxDistinct,
        FitStatistic.Quantile or FitStatistic.QuantileBoundaries => FitNeeds.Quantiles,
        FitStatistic.Vocabulary or FitStatistic.MostFrequent => FitNeeds.Counts,
        _ => FitNeeds.None,
    };

    private static void CheckStatistic(PipelinePlan plan, FitPlan fit, FitRequest request, ColumnField field, FitColumnKind kind)
    {
        string? needs = request.Statistic switch
        {
            FitStatistic.NullCount or FitStatistic.ValueCount or FitStatistic.Distinct or FitStatistic.ApproxDistinct => null,
            FitStatistic.Vocabulary => field.Type == ColumnType.String ? null : "a string column",
            FitStatistic.MostFrequent => kind == FitColumnKind.Numeric || field.Type == ColumnType.String ? null : "a string, number or bool column",
            _ => kind == FitColumnKind.Numeric ? null : "a number or bool column",
        };
        if (needs is not null)
        {
            throw new ArgumentException($"Fit stage '{fit.Stage}' of pipeline '{plan.Name}' asks for {request.Statistic} of column '{field.Name}' ('{request.Expression}'), of type {field.Type}; {request.Statistic} needs {needs}.");
        }
    }

    private static void CheckArguments(PipelinePlan plan, FitPlan fit, FitRequest request)
    {
        IReadOnlyList<double> args = request.Arguments;
        int expected = request.Statistic switch
        {
            FitStatistic.Quantile or FitStatistic.QuantileBoundaries => 1,
            FitStatistic.Vocabulary => 2,
            _ => 0,
        };
        string call = $"{request.Statistic} of '{request.Expression}' in fit stage '{fit.Stage}' of pipeline '{plan.Name}'";
        if (args.Count != expected)
        {
            throw new ArgumentException($"{call} has {args.Count} constant argument(s); {request.Statistic} takes {expected}.");
        }
        switch (request.Statistic)
        {
            case FitStatistic.Quantile when !(args[0] >= 0 && args[0] <= 1):
                throw new ArgumentException($"{call} asks for the quantile {args[0]}; a quantile is a fraction from 0 to 1.");
            case FitStatistic.QuantileBoundaries when !(args[0] >= 1 && args[0] <= 1_000_000 && args[0] == Math.Floor(args[0])):
                throw new ArgumentException($"{call} asks for {args[0]} buckets; the bucket count must be a whole number from 1 to 1,000,000.");
            case FitStatistic.Vocabulary when !(args[0] >= 0 && args[0] <= int.MaxValue && args[0] == Math.Floor(args[0])):
                throw new ArgumentException($"{call} keeps at most {args[0]} values; that must be a whole number from 0 to {int.MaxValue}.");
            case FitStatistic.Vocabulary when !(args[1] >= 0 && args[1] <= long.MaxValue && args[1] == Math.Floor(args[1])):
                throw new ArgumentException($"{call} needs {args[1]} occurrences of a value; that must be a whole number of at least 0.");
        }
    }
}
