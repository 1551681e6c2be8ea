namespace Dsl.Testing;

/// <summary>A query result with every value rendered as text by DuckDB (<see langword="null"/> for SQL NULL).</summary>
/// <param name="ColumnNames">The result's column names, in order.</param>
/// <param name="Rows">The rows; each holds one value per column.</param>
public sealed record DuckDbTable(IReadOnlyList<string> ColumnNames, IReadOnlyList<IReadOnlyList<string?>> Rows);
