namespace Dsl.Workloads;

/// <summary>A row of the `countries` dimension table (`--table countries=PATH`).</summary>
[Schema]
public partial record Country(string Code, string Name, string Region, double RiskWeight);

/// <summary>
/// One output row of W3. Amount and Country keep the input's nullability (a join copies columns unchanged), though
/// the filter and the join leave no null in them.
/// </summary>
[Schema]
public partial record EnrichedTransaction(
    long TxId,
    long UserId,
    DateTime Ts,
    double? Amount,
    string? Country,
    string CountryName,
    string Region,
    double RiskWeight);

/// <summary>
/// W3 broadcast join (w3-broadcast-join.sql): transactions of at least 10 with a session, inner-joined on
/// Country = Code with the 200-row countries table; null, invalid and unknown countries find no match.
/// </summary>
[Pipeline("w3-broadcast-join")]
public static partial class W3BroadcastJoin
{
    /// <summary>`WHERE Amount >= 10 AND SessionSeconds IS NOT NULL`.</summary>
    [Filter]
    public static bool Valid(Transaction t) => t.Amount >= 10 && t.SessionSeconds is not null;

    /// <summary>`JOIN countries c ON t.Country = c.Code`; the table is broadcast (it is far below 64 MiB).</summary>
    [Join(Table = "countries", On = new[] { nameof(Transaction.Country) }, RightOn = new[] { nameof(Country.Code) }, From = nameof(Valid))]
    public static EnrichedTransaction WithCountry(Transaction t, Country c) => new(
        t.TxId, t.UserId, t.Ts, t.Amount, t.Country, c.Name, c.Region, c.RiskWeight);
}
