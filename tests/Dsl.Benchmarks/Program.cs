using BenchmarkDotNet.Running;

namespace Dsl.Benchmarks;

/// <summary>
/// <c>compare [options]</c> runs the end-to-end comparison with DuckDB (see <see cref="Compare"/>); anything else goes
/// to BenchmarkDotNet, e.g. <c>--filter '*Delta*' --job short</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "compare")
        {
            return Compare.Run(args[1..]);
        }
        if (args.Length > 0 && args[0] == Compare.ChildCommand)
        {
            return Compare.RunChild(args[1..]);
        }
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
