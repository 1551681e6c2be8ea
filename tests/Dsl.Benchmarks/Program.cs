using BenchmarkDotNet.Running;

namespace Dsl.Benchmarks;

/// <summary>
/// <c>compare [options]</c> runs the end-to-end comparison with DuckDB (see <see cref="Compare"/>);
/// <c>duckdb-sql "STATEMENT; ...; QUERY"</c> runs SQL in one in-memory DuckDB (libduckdb through DuckDB.NET) and
/// prints the first value of the last result, and on standard error <c>DUCKDB_SECONDS s</c>, the time from opening the
/// database to the last result, which leaves out the start of .NET that a DuckDB command-line run would not have (see
/// compare-pipeline.sh); <c>workload-data --output DIR [--rows N] [--files F] [--seed S]</c> writes the input of the
/// W1–W4 workloads (see <see cref="WorkloadData"/> and compare-workloads.sh); anything else goes to BenchmarkDotNet, e.g. <c>--filter '*Delta*' --job short</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "compare")
        {
            return Compare.Run(args[1..]);
        }
        if (args.Length > 0 && args[0] == "workload-data")
        {
            return WorkloadData.Run(args[1..]);
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
        string[] statements = script.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        // The clock starts before the database opens (loading libduckdb and starting DuckDB count, as they would for
        // the DuckDB command line) and stops at the last result: .NET's own start and exit are outside it.
        var clock = System.Diagnostics.Stopwatch.StartNew();
        IReadOnlyList<IReadOnlyList<string?>> rows;
        using (Dsl.Testing.DuckDb duck = Dsl.Testing.DuckDb.Open())
        {
            for (int i = 0; i < statements.Length - 1; i++)
            {
                duck.Execute(statements[i]);
            }
            rows = duck.QueryRows(statements[^1]);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(rows.Count > 0 && rows[0].Count > 0 ? rows[0][0] : "");
        Console.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"DUCKDB_SECONDS {seconds:F4}"));
        return 0;
    }
}
