using Dsl.Generators.Common;

namespace Dsl.Generators.Model;

/// <summary>One statistic a fit stage asks for (mirrors <c>Dsl.Execution.FitRequest</c>).</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Statistic">The <c>Dsl.Execution.FitStatistic</c> member name.</param>
/// <param name="Column">The column name it reads in the fit's input schema (empty for <c>Count</c>).</param>
/// <param name="Expression">The selector's text exactly as the C# compiler passes it to the call's
/// <c>[CallerArgumentExpression]</c> parameter: the key the call looks its answer up by.</param>
/// <param name="Arguments">The call's constant arguments after the selector, defaulted ones included, in
/// parameter order.</param>
internal sealed record FitRequestSpec(string Statistic, string Column, string Expression, EquatableArray<double> Arguments);

/// <summary>
/// A <c>[Fit]</c> stage after wiring: the rows it observes in the first pass, the parameter record it returns and
/// the statistics its body asks of its <c>FitData</c> parameter.
/// </summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Name">The fit method's name.</param>
/// <param name="InputSchema">The full type name of the schema of the rows it observes.</param>
/// <param name="From">The row stage whose output it observes, or null for the pipeline input as read.</param>
/// <param name="Segment">The first-pass segment (<see cref="SegmentSpec.FitOnly"/>) whose output it observes, or
/// null when it observes the pipeline input.</param>
/// <param name="Parameters">The parameter record it returns, which stages taking that record get.</param>
/// <param name="Requests">The statistics it asks for, in source order, each once.</param>
internal sealed record FitSpec(
    string Name,
    string InputSchema,
    string? From,
    int? Segment,
    StageParametersSpec Parameters,
    EquatableArray<FitRequestSpec> Requests);
