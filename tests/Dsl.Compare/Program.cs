using Dsl.Testing;

// dotnet Dsl.Compare.dll duckdb-sql "SQL; SQL; ..." — runs each statement in one in-memory DuckDB and prints the
// first value of the last statement's result (e.g. a row count), so a script can time DuckDB as a whole process.
if (args is not ["duckdb-sql", string script])
{
    Console.Error.WriteLine("usage: Dsl.Compare duckdb-sql \"STATEMENT; STATEMENT; ...\"");
    return 2;
}
using DuckDb duck = DuckDb.Open();
string[] statements = script.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
for (int i = 0; i < statements.Length - 1; i++)
{
    duck.Execute(statements[i]);
}
IReadOnlyList<IReadOnlyList<string?>> rows = duck.QueryRows(statements[^1]);
Console.WriteLine(rows.Count > 0 && rows[0].Count > 0 ? rows[0][0] : "");
return 0;
