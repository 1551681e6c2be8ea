namespace Dsl.Pipeline1;

/// <summary>
/// One card transaction, as it arrives from the payments system. The rules are checked in the same pass as the
/// stages: a row that breaks one goes to the quarantine (out/fraud-features/_quarantine/Transaction/) with the reason,
/// and `_validation.json` counts them. Refunds are negative amounts, so the range allows them.
/// </summary>
[Schema]
public partial record Transaction(
    long UserId,
    DateTime Ts,
    [property: OneOf("US", "GB", "DE", "FR", "IN", "BR", "JP", "NG", "CA", "AU", "ES", "MX")] string Country,
    [property: Range(-10_000, 10_000)] double Amount,
    [property: Range(0, 3_600), NullRate(0.1)] double? SessionSeconds,
    bool Label);

/// <summary>The model's input row: one per valid transaction.</summary>
[Schema]
public partial record Features(
    long UserId,
    double LogAmount,
    double AmountZ,
    int Hour,
    bool IsWeekend,
    int CountryBucket,
    double SessionMinutes,
    bool IsHighValue,
    bool Label);
