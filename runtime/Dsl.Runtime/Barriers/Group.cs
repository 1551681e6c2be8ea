using System.Runtime.CompilerServices;

namespace Dsl;

/// <summary>
/// The rows of one group of an <see cref="AggregateAttribute"/> stage. The build reads the calls in the stage's
/// <c>new TOut(...)</c> and compiles each into a column of a hash aggregation, so a running pipeline never builds a
/// <see cref="Group{TRow}"/>. This in-memory form over a list of rows is the definition the compiled aggregation
/// equals, and lets a unit test call the stage method directly. Nulls (and NaN, for the numeric statistics) are left
/// out of every statistic but <see cref="Count()"/>; the last parameter of each method is filled in by the compiler.
/// </summary>
/// <typeparam name="TRow">The schema of the aggregated rows.</typeparam>
public sealed class Group<TRow>
{
    private readonly IReadOnlyList<TRow> _rows;

    /// <summary>A group holding <paramref name="rows"/> (all with the same key).</summary>
    public Group(IReadOnlyList<TRow> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        _rows = rows;
    }

    /// <summary>The group's value of a grouping column (one of the stage's <see cref="AggregateAttribute.By"/> columns).</summary>
    public TValue Key<TValue>(Func<TRow, TValue> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        _rows.Count == 0 ? throw new InvalidOperationException("An empty group has no key.") : column(_rows[0]);

    /// <summary>The number of rows in the group.</summary>
    public long Count() => _rows.Count;

    /// <summary>The number of non-null (and, for floating point, non-NaN) values of the column.</summary>
    public long CountValues<TValue>(Func<TRow, TValue> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        Values(column).LongCount();

    /// <summary>The sum of a whole-number column's values (0 when there are none).</summary>
    /// <exception cref="OverflowException">The sum does not fit a <see cref="long"/>.</exception>
    public long Sum(Func<TRow, long?> column, [CallerArgumentExpression(nameof(column))] string expression = "")
    {
        long sum = 0;
        foreach (TRow row in _rows)
        {
            if (column(row) is long v)
            {
                sum = checked(sum + v);
            }
        }
        return sum;
    }

    /// <summary>The sum of a floating-point column's values (0 when there are none), added in row order.</summary>
    public double Sum(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        Numbers(column).Sum();

    /// <summary>The mean of the values (NaN when there are none).</summary>
    public double Mean(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        Numbers(column).DefaultIfEmpty(double.NaN).Average();

    /// <summary>The population variance, divided by n (NaN when there are no values).</summary>
    public double Variance(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        Spread(column, 0);

    /// <summary>The population standard deviation, divided by n.</summary>
    public double Std(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        Math.Sqrt(Spread(column, 0));

    /// <summary>The sample variance, divided by n - 1 (SQL's <c>var_samp</c>; NaN for fewer than two values).</summary>
    public double SampleVariance(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        Spread(column, 1);

    /// <summary>The sample standard deviation, divided by n - 1 (SQL's <c>stddev_samp</c>).</summary>
    public double SampleStd(Func<TRow, double?> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        Math.Sqrt(Spread(column, 1));

    /// <summary>
    /// The smallest non-null value (null, or the type's default, when there is none; NaN is skipped). Strings compare
    /// by their UTF-8 bytes (code point order, as SQL engines do), not by culture.
    /// </summary>
    public TValue Min<TValue>(Func<TRow, TValue> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        Values(column).DefaultIfEmpty().Min(Order<TValue?>())!;

    /// <summary>The largest non-null value (null, or the type's default, when there is none; NaN is skipped). Strings compare by their UTF-8 bytes.</summary>
    public TValue Max<TValue>(Func<TRow, TValue> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        Values(column).DefaultIfEmpty().Max(Order<TValue?>())!;

    // Code point order for strings (what comparing UTF-8 bytes gives); the type's own order otherwise.
    private static IComparer<TValue> Order<TValue>() => typeof(TValue) == typeof(string)
        ? (IComparer<TValue>)(object)Comparer<string>.Create(static (a, b) => a is null || b is null ? Comparer<string>.Default.Compare(a, b) : System.Text.Encoding.UTF8.GetBytes(a).AsSpan().SequenceCompareTo(System.Text.Encoding.UTF8.GetBytes(b)))
        : Comparer<TValue>.Default;

    /// <summary>The exact number of distinct non-null values.</summary>
    public long CountDistinct<TValue>(Func<TRow, TValue> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        Values(column).Distinct().LongCount();

    /// <summary>
    /// The number of distinct non-null values estimated by HyperLogLog (the compiled aggregation's estimate; docs/aggregate.md
    /// states its error). This in-memory form counts exactly.
    /// </summary>
    public long ApproxCountDistinct<TValue>(Func<TRow, TValue> column, [CallerArgumentExpression(nameof(column))] string expression = "") =>
        Values(column).Distinct().LongCount();

    /// <summary>The value of <paramref name="value"/> on the row with the smallest non-null <paramref name="orderBy"/>
    /// (ties: the smallest value); the default when no row has one.</summary>
    public TValue First<TValue, TOrder>(Func<TRow, TValue> value, Func<TRow, TOrder> orderBy, [CallerArgumentExpression(nameof(value))] string expression = "", [CallerArgumentExpression(nameof(orderBy))] string orderExpression = "") =>
        Ordered(value, orderBy, last: false);

    /// <summary>The value of <paramref name="value"/> on the row with the largest non-null <paramref name="orderBy"/>
    /// (ties: the largest value); the default when no row has one.</summary>
    public TValue Last<TValue, TOrder>(Func<TRow, TValue> value, Func<TRow, TOrder> orderBy, [CallerArgumentExpression(nameof(value))] string expression = "", [CallerArgumentExpression(nameof(orderBy))] string orderExpression = "") =>
        Ordered(value, orderBy, last: true);

    /// <summary>The value of <paramref name="value"/> where <paramref name="by"/> is largest: <see cref="Last"/>.</summary>
    public TValue ArgMax<TValue, TOrder>(Func<TRow, TValue> value, Func<TRow, TOrder> by, [CallerArgumentExpression(nameof(value))] string expression = "", [CallerArgumentExpression(nameof(by))] string orderExpression = "") =>
        Ordered(value, by, last: true);

    /// <summary>The value of <paramref name="value"/> where <paramref name="by"/> is smallest: <see cref="First"/>.</summary>
    public TValue ArgMin<TValue, TOrder>(Func<TRow, TValue> value, Func<TRow, TOrder> by, [CallerArgumentExpression(nameof(value))] string expression = "", [CallerArgumentExpression(nameof(by))] string orderExpression = "") =>
        Ordered(value, by, last: false);

    private IEnumerable<TValue> Values<TValue>(Func<TRow, TValue> column) =>
        _rows.Select(column).Where(v => v is not null && !IsNaN(v));

    private IEnumerable<double> Numbers(Func<TRow, double?> column) =>
        _rows.Select(column).Where(v => v is double d && !double.IsNaN(d)).Select(v => v!.Value);

    private double Spread(Func<TRow, double?> column, int ddof)
    {
        double[] values = Numbers(column).ToArray();
        if (values.Length <= ddof)
        {
            return double.NaN;
        }
        double mean = values.Average();
        return values.Sum(v => (v - mean) * (v - mean)) / (values.Length - ddof);
    }

    private TValue Ordered<TValue, TOrder>(Func<TRow, TValue> value, Func<TRow, TOrder> orderBy, bool last)
    {
        var candidates = _rows.Where(r => orderBy(r) is { } o && !IsNaN(o)).ToList();
        if (candidates.Count == 0)
        {
            return default!;
        }
        IOrderedEnumerable<TRow> sorted = last
            ? candidates.OrderByDescending(orderBy, Order<TOrder>()).ThenByDescending(value, Order<TValue>())
            : candidates.OrderBy(orderBy, Order<TOrder>()).ThenBy(value, Order<TValue>());
        return value(sorted.First());
    }

    private static bool IsNaN<T>(T value) => value switch
    {
        double d => double.IsNaN(d),
        float f => float.IsNaN(f),
        _ => false,
    };
}
