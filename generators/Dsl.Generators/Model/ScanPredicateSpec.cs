namespace Dsl.Generators.Model;

/// <summary>
/// A column-versus-constant condition of a source filter (mirrors <c>Dsl.Execution.ScanPredicate</c>): the runtime
/// may use it to prune Parquet row groups.
/// </summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Column">The input column name.</param>
/// <param name="Operator">A <c>Dsl.Execution.ScanOperator</c> member name.</param>
/// <param name="Value">The constant as C# source of the column's value type, or <c>null</c>; for <c>AnyOf</c>, the C#
/// array of its alternatives (<see cref="AnyOf"/>).</param>
internal sealed record ScanPredicateSpec(string Column, string Operator, string Value)
{
    /// <summary>The C# expression that builds this predicate in the generated plan.</summary>
    public string Source() =>
        "new global::Dsl.Execution.ScanPredicate(" + Common.SourceWriter.Literal(Column) + ", global::Dsl.Execution.ScanOperator." + Operator + ", " + Value + ")";

    /// <summary>One predicate that holds when any of <paramref name="alternatives"/> (all on one column) holds.</summary>
    public static ScanPredicateSpec AnyOf(string column, System.Collections.Generic.IEnumerable<ScanPredicateSpec> alternatives) =>
        new(column, "AnyOf", "new global::Dsl.Execution.ScanPredicate[] { " + string.Join(", ", System.Linq.Enumerable.Select(alternatives, a => a.Source())) + " }");
}
