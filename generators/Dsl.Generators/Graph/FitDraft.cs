using Dsl.Generators.Common;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Graph;

/// <summary>
/// A parsed fit stage before wiring. Lives only inside the pipeline transform (it holds locations for graph
/// diagnostics) and never reaches an incremental model.
/// </summary>
internal sealed class FitDraft
{
    public FitDraft(string name, SchemaSpec input, StageParametersSpec parameters, string? from, EquatableArray<FitRequestSpec> requests)
    {
        Name = name;
        Input = input;
        Parameters = parameters;
        From = from;
        Requests = requests;
    }

    /// <summary>The fit method's name.</summary>
    public string Name { get; }

    /// <summary>The schema of the rows it observes (<c>TRow</c> of its <c>FitData&lt;TRow&gt;</c>).</summary>
    public SchemaSpec Input { get; }

    /// <summary>The record it returns.</summary>
    public StageParametersSpec Parameters { get; }

    /// <summary>The stage named by <c>From</c>, or null when left out.</summary>
    public string? From { get; }

    /// <summary>What its body asks of its <c>FitData</c> parameter, in source order.</summary>
    public EquatableArray<FitRequestSpec> Requests { get; }

    /// <summary>The method's name, where its diagnostics go.</summary>
    public Location? Location { get; init; }

    /// <summary>The <c>From</c> argument, when given.</summary>
    public Location? FromLocation { get; init; }

    /// <summary>The <c>FitData&lt;TRow&gt;</c> parameter's type.</summary>
    public Location? InputTypeLocation { get; init; }

    /// <summary>The return type.</summary>
    public Location? ReturnTypeLocation { get; init; }
}
