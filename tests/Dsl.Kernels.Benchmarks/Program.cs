using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Dsl.Kernels.Benchmarks -- --filter '*' --job short
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

/// <summary>The entry point (BenchmarkDotNet's switcher picks the benchmarks from the command line).</summary>
internal sealed partial class Program;
