namespace Dsl.Workloads;

/// <summary>
/// One output row of W2: one per user. For a user whose amounts are all null, TotalAmount is 0 (SQL: NULL),
/// MeanAmount NaN (SQL: NULL) and MaxAmount null, as docs/aggregate.md defines Sum, Mean and Max of no values.
/// </summary>
[Schema]
public partial record UserStats(
    long UserId,
    long Transactions,
    double TotalAmount,
    double MeanAmount,
    double? MaxAmount,
    long Merchants,
    long ApproxMerchants);

/// <summary>The columns the aggregate reads.</summary>
[Schema]
public partial record Spend(long UserId, long MerchantId, double? Amount);

/// <summary>W2 per-user aggregate (w2-user-aggregate.sql): every transaction grouped by UserId.</summary>
[Pipeline("w2-user-aggregate")]
public static partial class W2UserAggregate
{
    /// <summary>
    /// The three columns the aggregate reads: the rows it spills to disk hold only these (an aggregate reading the
    /// input itself would also read only them, but a segment's output is spilled whole).
    /// </summary>
    [Map]
    public static Spend Narrow(Transaction t) => new(t.UserId, t.MerchantId, t.Amount);

    /// <summary>`count(*)`, `sum`, `avg`, `max` of Amount, `count(DISTINCT MerchantId)`, `approx_count_distinct(MerchantId)`.</summary>
    [Aggregate(By = new[] { nameof(Spend.UserId) }, From = nameof(Narrow))]
    public static UserStats PerUser(Group<Spend> g) => new(
        g.Key(t => t.UserId),
        g.Count(),
        g.Sum(t => t.Amount),
        g.Mean(t => t.Amount),
        g.Max(t => t.Amount),
        g.CountDistinct(t => t.MerchantId),
        g.ApproxCountDistinct(t => t.MerchantId));
}
