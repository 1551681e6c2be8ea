namespace Dsl.Pipeline1;

/// <summary>One card transaction, as it arrives from the payments system.</summary>
[Schema]
public partial record Transaction(
    long UserId,
    DateTime Ts,
    string Country,
    double Amount,
    double? SessionSeconds,
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
