using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Graph;

/// <summary>What a stage's attribute says about validation.</summary>
/// <param name="QuarantinesRowErrors">Whether <c>OnRowError = Quarantine</c>.</param>
/// <param name="CheckAction">For a check: its <c>Dsl.RuleAction</c> member name.</param>
/// <param name="CheckMessage">For a check: its own message.</param>
/// <param name="ConditionText">The expression the stage returns, as written.</param>
internal sealed record StageValidation(bool QuarantinesRowErrors, string CheckAction, string? CheckMessage, string ConditionText);

/// <summary>
/// A parsed stage before wiring. Lives only inside the pipeline transform (it holds locations for graph
/// diagnostics) and never reaches an incremental model.
/// </summary>
internal sealed class StageDraft
{
    public StageDraft(string name, StageKindSpec kind, SchemaSpec input, SchemaSpec output, string? from, Location? fromLocation, Location? location, Location? inputTypeLocation, StageKernelSpec kernel, Common.EquatableArray<ScanPredicateSpec> scanPredicates = default, StageParametersSpec? parameters = null)
    {
        Name = name;
        Kind = kind;
        Input = input;
        Output = output;
        From = from;
        FromLocation = fromLocation;
        Location = location;
        InputTypeLocation = inputTypeLocation;
        Kernel = kernel;
        ScanPredicates = scanPredicates;
        Parameters = parameters;
    }

    /// <summary>The parameter object the stage takes after its row, or null.</summary>
    public StageParametersSpec? Parameters { get; }

    public string Name { get; }

    public StageKindSpec Kind { get; }

    public SchemaSpec Input { get; }

    public SchemaSpec Output { get; }

    public string? From { get; }

    public Location? FromLocation { get; }

    public Location? Location { get; }

    public Location? InputTypeLocation { get; }

    public StageKernelSpec Kernel { get; }

    /// <summary>What the stage's attribute says about row errors and checks.</summary>
    public StageValidation Validation { get; init; } = new(false, "Quarantine", null, string.Empty);

    /// <summary>For an aggregate stage: its grouping columns and outputs.</summary>
    public AggregateDraft? Aggregate { get; init; }

    /// <summary>For a join stage: its table, keys and outputs.</summary>
    public JoinDraft? Join { get; init; }

    /// <summary>The stage's <c>[Split]</c>, when it has one.</summary>
    public SplitDraft? Split { get; init; }

    /// <summary>For a score stage: its model file and outputs (the model is read after parsing, see <c>ModelBinder</c>).</summary>
    public ScoreSpec? Score { get; init; }

    /// <summary>Whether the stage is an aggregate or join: a barrier that no segment fuses.</summary>
    public bool IsBarrier => Kind is StageKindSpec.Aggregate or StageKindSpec.Join;

    /// <summary>Column-versus-constant conjuncts of a filter (kept in the plan only for source filters).</summary>
    public Common.EquatableArray<ScanPredicateSpec> ScanPredicates { get; }
}
