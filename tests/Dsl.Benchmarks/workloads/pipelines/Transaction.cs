namespace Dsl.Workloads;

/// <summary>
/// A row of the generated `transactions` input (tests/Dsl.Benchmarks/WorkloadData.cs), shared by the four workload
/// pipelines. No rules: the invalid values the generator plants are the data the workloads measure (W4 counts them),
/// and an aggregate or join may not read a schema with rules (DSL3018).
/// </summary>
[Schema]
public partial record Transaction(
    long TxId,
    long UserId,
    long MerchantId,
    DateTime Ts,
    string? Country,
    double? Amount,
    double? SessionSeconds,
    bool Label);
