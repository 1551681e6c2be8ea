using BenchmarkDotNet.Running;

namespace Dsl.Benchmarks;

/// <summary>
/// <c>compare [options]</c> runs the end-to-end comparison with DuckDB (see <see cref="Compare"/>);
/// <c>duckdb-sql "STATEMENT; ...; QUERY"</c> runs SQL in one in-memory DuckDB and prints the first value of the last
/// result, so a script can time DuckDB as a whole process (see compare-pipeline.sh); anything else goes to
/// BenchmarkDotNet, e.g. <c>--filter '*Delta*' --job short</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "compare")
        {
            return Compare.Run(args[1..]);
        }
        if (args is ["duckdb-sql", string script])
        {
            return DuckDbSql(script);
        }
        if (args.Length > 0 && args[0] == Compare.ChildCommand)
        {
            return Compare.RunChild(args[1..]);
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }

    private static int DuckDbSql(string script)
    {
        using Dsl.Testing.DuckDb duck = Dsl.Testing.DuckDb.Open();
        string[] statements = script.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        for (int i = 0; i < statements.Length - 1; i++)
        {
            duck.Execute(statements[i]);
        }
        IReadOnlyList<IReadOnlyList<string?>> rows = duck.QueryRows(statements[^1]);
        Console.WriteLine(rows.Count > 0 && rows[0].Count > 0 ? rows[0][0] : "");
        return 0;
    }
}
