namespace Dsl.Testing;

/// <summary>DuckDB rejected a statement; <see cref="Exception.Message"/> carries DuckDB's own error text.</summary>
public sealed class DuckDbException : Exception
{
    /// <summary>Creates the exception for <paramref name="sql"/> failing with <paramref name="duckDbError"/>.</summary>
    public DuckDbException(string sql, string duckDbError)
        : base($"DuckDB failed to run the statement: {duckDbError}{Environment.NewLine}Statement: {sql}")
    {
        Sql = sql;
        DuckDbError = duckDbError;
    }

    /// <summary>The statement that failed.</summary>
    public string Sql { get; }

    /// <summary>The error text DuckDB reported.</summary>
    public string DuckDbError { get; }
}
