namespace Dsl.Generators.Model;

/// <summary>
/// A column-versus-constant condition of a source filter (mirrors <c>Dsl.Execution.ScanPredicate</c>): the runtime
/// may use it to prune Parquet row groups.
/// </summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Column">The input column name.</param>
/// <param name="Operator">A <c>Dsl.Execution.ScanOperator</c> member name.</param>
/// <param name="Value">The constant as C# source of the column's value type, or <c>null</c>.</param>
internal sealed record ScanPredicateSpec(string Column, string Operator, string Value);
