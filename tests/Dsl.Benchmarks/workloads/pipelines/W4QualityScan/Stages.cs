using Dsl.Kernels;

namespace Dsl.Workloads;

/// <summary>
/// A transaction with its five validity checks as 0/1 counts (nulls are not invalid, as in the SQL's FILTER clauses)
/// and the constant key that puts every row in one group.
/// </summary>
[Schema]
public partial record CheckedTransaction(
    int Scan,
    long TxId,
    long UserId,
    long MerchantId,
    DateTime Ts,
    string? Country,
    double? Amount,
    double? SessionSeconds,
    bool Label,
    long UserIdInvalid,
    long AmountInvalid,
    long SessionSecondsInvalid,
    long CountryInvalid,
    long TsInvalid);

/// <summary>The whole input in one group: row and value counts, min and max, invalid counts.</summary>
[Schema]
public partial record QualityCounts(
    long Rows,
    long TxIdValues,
    long UserIdValues,
    long MerchantIdValues,
    long TsValues,
    long CountryValues,
    long AmountValues,
    long SessionSecondsValues,
    long LabelValues,
    long TxIdMin,
    long TxIdMax,
    long UserIdMin,
    long UserIdMax,
    long MerchantIdMin,
    long MerchantIdMax,
    DateTime TsMin,
    DateTime TsMax,
    double? AmountMin,
    double? AmountMax,
    double? SessionSecondsMin,
    double? SessionSecondsMax,
    long UserIdInvalid,
    long AmountInvalid,
    long SessionSecondsInvalid,
    long CountryInvalid,
    long TsInvalid);

/// <summary>The one output row of W4, with the SQL's columns and names.</summary>
[Schema]
public partial record Quality(
    long Rows,
    long TxIdNulls,
    long UserIdNulls,
    long MerchantIdNulls,
    long TsNulls,
    long CountryNulls,
    long AmountNulls,
    long SessionSecondsNulls,
    long LabelNulls,
    long TxIdMin,
    long TxIdMax,
    long UserIdMin,
    long UserIdMax,
    long MerchantIdMin,
    long MerchantIdMax,
    DateTime TsMin,
    DateTime TsMax,
    double? AmountMin,
    double? AmountMax,
    double? SessionSecondsMin,
    double? SessionSecondsMax,
    long UserIdInvalid,
    long AmountInvalid,
    long SessionSecondsInvalid,
    long CountryInvalid,
    long TsInvalid);

/// <summary>
/// W4 quality scan (w4-quality-scan.sql) as one grouped aggregate over a constant key: each input task combines its
/// rows into one partial group, and one bucket task merges them and writes the single row.
/// </summary>
[Pipeline("w4-quality-scan")]
public static partial class W4QualityScan
{
    /// <summary>
    /// The SQL's FILTER conditions, one 0/1 column each; a null value compares false, so it is not invalid.
    /// `regexp_full_match(Country, '[A-Z]{2}')` is the runtime's Regex rule check (null passes, as NOT NULL filters
    /// nulls out in SQL), which a kernel evaluates once per dictionary entry of Country. Ts outside [2026-01-01,
    /// 2026-04-01) is written with Year and Month, which have a vector form (a comparison with a DateTime constant
    /// does not).
    /// </summary>
    [Map]
    public static CheckedTransaction Check(Transaction t) => new(
        0,
        t.TxId,
        t.UserId,
        t.MerchantId,
        t.Ts,
        t.Country,
        t.Amount,
        t.SessionSeconds,
        t.Label,
        t.UserId < 1 || t.UserId > 250_000 ? 1 : 0,
        t.Amount < 0 ? 1 : 0,
        t.SessionSeconds < 0 || t.SessionSeconds > 86_400 ? 1 : 0,
        RuleChecks.Matches(t.Country, @"^[A-Z]{2}\z") ? 0 : 1,
        t.Ts.Year != 2026 || t.Ts.Month > 3 ? 1 : 0);

    /// <summary>Counts, minima, maxima and invalid counts over every row.</summary>
    [Aggregate(By = new[] { nameof(CheckedTransaction.Scan) }, From = nameof(Check))]
    public static QualityCounts Scan(Group<CheckedTransaction> g) => new(
        g.Count(),
        g.CountValues(t => t.TxId),
        g.CountValues(t => t.UserId),
        g.CountValues(t => t.MerchantId),
        g.CountValues(t => t.Ts),
        g.CountValues(t => t.Country),
        g.CountValues(t => t.Amount),
        g.CountValues(t => t.SessionSeconds),
        g.CountValues(t => t.Label),
        g.Min(t => t.TxId),
        g.Max(t => t.TxId),
        g.Min(t => t.UserId),
        g.Max(t => t.UserId),
        g.Min(t => t.MerchantId),
        g.Max(t => t.MerchantId),
        g.Min(t => t.Ts),
        g.Max(t => t.Ts),
        g.Min(t => t.Amount),
        g.Max(t => t.Amount),
        g.Min(t => t.SessionSeconds),
        g.Max(t => t.SessionSeconds),
        g.Sum(t => t.UserIdInvalid),
        g.Sum(t => t.AmountInvalid),
        g.Sum(t => t.SessionSecondsInvalid),
        g.Sum(t => t.CountryInvalid),
        g.Sum(t => t.TsInvalid));

    /// <summary>Null counts as the SQL writes them, `count(*) - count(c)`.</summary>
    [Map(From = nameof(Scan))]
    public static Quality Report(QualityCounts q) => new(
        q.Rows,
        q.Rows - q.TxIdValues,
        q.Rows - q.UserIdValues,
        q.Rows - q.MerchantIdValues,
        q.Rows - q.TsValues,
        q.Rows - q.CountryValues,
        q.Rows - q.AmountValues,
        q.Rows - q.SessionSecondsValues,
        q.Rows - q.LabelValues,
        q.TxIdMin,
        q.TxIdMax,
        q.UserIdMin,
        q.UserIdMax,
        q.MerchantIdMin,
        q.MerchantIdMax,
        q.TsMin,
        q.TsMax,
        q.AmountMin,
        q.AmountMax,
        q.SessionSecondsMin,
        q.SessionSecondsMax,
        q.UserIdInvalid,
        q.AmountInvalid,
        q.SessionSecondsInvalid,
        q.CountryInvalid,
        q.TsInvalid);
}
