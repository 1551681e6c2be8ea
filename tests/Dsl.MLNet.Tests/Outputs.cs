using Dsl.Execution;
using Dsl.Parquet;
using Dsl.Testing;

namespace Dsl.MLNet.Tests;

/// <summary>Committed outputs made the way users make them: input files written as Parquet, then a real run.</summary>
internal static class Outputs
{
    /// <summary>
    /// Writes each of <paramref name="files"/> as one input file, runs <paramref name="pipeline"/> over them with
    /// row groups of <paramref name="rowGroupRows"/> rows, and returns the output folder.
    /// </summary>
    public static string Run<T>(TempDirectory temp, CompiledPipeline pipeline, IReadOnlyList<T[]> files, int rowGroupRows = 1 << 20)
        where T : IRowSchema<T>
    {
        string input = temp.CreateSubdirectory("in");
        for (int f = 0; f < files.Count; f++)
        {
            using RecordBatch batch = T.ToBatch(files[f]);
            using var writer = new ParquetFileWriter(Path.Combine(input, $"input-{f:D3}.parquet"), T.BatchSchema, new ParquetWriteOptions());
            writer.WriteBatch(batch);
        }
        string output = temp.Combine("out");
        var options = new ExecutionOptions { MaxParallelism = 2, Write = new ParquetWriteOptions { RowGroupRows = rowGroupRows } };
        new LocalExecutor(options).Run(pipeline, input, output);
        return output;
    }
}
