using Dsl.Validation.Drift;
using Dsl.Validation.Gates;
using Dsl.Validation.Statistics;

namespace Dsl.Validation.Reports;

/// <summary>What a validation report shows: the run's rules with counts and samples, gate results, drift results and the profile whose histograms it draws.</summary>
/// <param name="Pipeline">The pipeline's name.</param>
/// <param name="CreatedUtc">When the run ended.</param>
/// <param name="InputRows">Rows read.</param>
/// <param name="QuarantinedRows">Rows sent to the quarantine (each once).</param>
/// <param name="Rules">Every row rule, with or without violations.</param>
/// <param name="Gates">Every gate's result.</param>
/// <param name="Drift">Every compared column (empty without a reference profile).</param>
/// <param name="Profile">The run's profile, for per-column histograms (null for none).</param>
internal sealed record ReportPage(
    string Pipeline,
    DateTime CreatedUtc,
    long InputRows,
    long QuarantinedRows,
    IReadOnlyList<RuleSummary> Rules,
    IReadOnlyList<GateResult> Gates,
    IReadOnlyList<ColumnDrift> Drift,
    DatasetProfile? Profile)
{
    /// <summary>Whether no failing gate, no failing rule and no drift stops the run.</summary>
    public bool Passed => !Gates.Any(g => g.BlocksCommit) && Drift.All(d => d.Passed);
}

/// <summary>One row rule in a report.</summary>
/// <param name="Id">The rule's id.</param>
/// <param name="Description">The rule in words.</param>
/// <param name="Action">Where breaking rows went.</param>
/// <param name="Violations">Rows that broke it.</param>
/// <param name="Samples">A few of them.</param>
internal sealed record RuleSummary(string Id, string Description, RuleAction Action, long Violations, IReadOnlyList<ViolationSample> Samples);

/// <summary>One row that broke a rule.</summary>
/// <param name="Reason">The human reason (<c>Amount = -3.5 is below the minimum 0</c>).</param>
/// <param name="File">The source file.</param>
/// <param name="RowGroup">Its row group (Parquet), or null.</param>
/// <param name="Row">The row's index in the file or row group.</param>
internal sealed record ViolationSample(string Reason, string? File, int? RowGroup, long? Row);

/// <summary>Builds the page of a run's <see cref="ValidationReport"/>.</summary>
internal static class ReportPages
{
    /// <summary>The page showing <paramref name="report"/>: its rules with up to 20 samples each, gates, drift and profile.</summary>
    public static ReportPage From(ValidationReport report, DateTime createdUtc) => new(
        report.Pipeline,
        createdUtc,
        report.InputRows,
        report.QuarantinedRows,
        report.Rules.Select(r => new RuleSummary(
            r.Rule.Id,
            r.Rule.Description,
            r.Rule.Action,
            r.Rule.Kind == Execution.RuleKind.Unique ? r.DuplicateKeys : r.Broken,
            r.Samples.Take(20).Select(s => new ViolationSample(s.Reason, s.File, s.RowGroup, s.Row ?? s.Line)).ToArray())).ToArray(),
        report.GateResults,
        report.DriftResults,
        report.Profile);
}
