using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Graph;

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

    /// <summary>Column-versus-constant conjuncts of a filter (kept in the plan only for source filters).</summary>
    public Common.EquatableArray<ScanPredicateSpec> ScanPredicates { get; }
}
