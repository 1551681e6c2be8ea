using Dsl.Validation.Statistics;

namespace Dsl.Validation.Gates;

/// <summary>
/// What a run measured that gates are checked on: the merged statistics (row counts and column statistics per
/// schema), the rows the quarantine received per rule id and in total, and for each uniqueness gate (by its id) the
/// number of rows whose key an earlier row already held.
/// </summary>
/// <param name="Statistics">The merged statistics (see <see cref="GateEvaluator.Requirements"/> for what to gather).</param>
/// <param name="QuarantinedByRule">Rows quarantined per rule id (a rule with none may be absent).</param>
/// <param name="QuarantinedRows">Rows quarantined by any rule, each counted once.</param>
/// <param name="DuplicateKeys">Per <see cref="GateMetric.Unique"/> gate id: rows whose key occurred before, across all partitions.</param>
internal sealed record GateMeasurements(
    StatisticsSet Statistics,
    IReadOnlyDictionary<string, long> QuarantinedByRule,
    long QuarantinedRows,
    IReadOnlyDictionary<string, long> DuplicateKeys);
