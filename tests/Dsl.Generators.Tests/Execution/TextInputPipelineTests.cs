using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Parquet;
using Dsl.Testing;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// A generated pipeline over CSV and JSON Lines files in hive partition folders, as a user writes it: the schema types
/// the text, the folder fills the country column, and the generated filter's scan predicate on it skips whole files.
/// </summary>
public sealed class TextInputPipelineTests : IDisposable
{
    private const string Source = TestSources.Usings + """
        namespace Sample;

        [Schema]
        public partial record Tx(long UserId, DateTime Ts, string Country, double Amount, double? Session, bool Label, [property: Utc] DateTime Seen);

        [Schema]
        public partial record Feature(long UserId, int Hour, string Country, double Amount, bool Label, int SeenHour);

        [Pipeline("tx")]
        public static partial class Features
        {
            [Filter]
            static bool French(Tx t) => t.Country == "FR" && t.Session is not null;

            [Map(From = nameof(French))]
            static Feature Featurize(Tx t) => new(t.UserId, t.Ts.Hour, t.Country, t.Amount * 2, t.Label, t.Seen.Hour);
        }
        """;

    private readonly TempDirectory _temp = TempDirectory.Create("dsl-text-pipeline");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void CsvAndJsonLinesUnderHiveFolders_RunThroughGeneratedKernels_AndTheFilterSkipsOtherCountries()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        CompiledPipeline pipeline = snippet.Pipeline("Sample.Features");
        Assert.Contains(pipeline.Plan.Stages[0].ScanPredicates!, p => p.ToString() == "Country == \"FR\"");
        string input = Path.Combine(_temp.Path, "in");
        Write(Path.Combine(input, "country=FR", "a.csv"), "UserId,Ts,Amount,Session,Label,Seen\n1,2024-05-01 10:30:00,1.5,3,true,2024-05-01T10:00:00+02:00\n2,2024-05-01T23:59:59,2.5,,false,2024-05-01T00:00:00Z\n");
        Write(Path.Combine(input, "country=FR", "b.jsonl"), "{\"UserId\":3,\"Ts\":\"2024-05-02T07:00:00\",\"Amount\":-1,\"Session\":0.5,\"Label\":false,\"Seen\":\"2024-05-02T07:00:00-03:00\",\"Note\":[1,2]}\n");
        // Another country's files are never opened: this one would not even parse.
        Write(Path.Combine(input, "country=US", "c.csv"), "UserId,Ts\nnot,a,valid,file\n");

        JobResult result = new LocalExecutor().Run(pipeline, input, Path.Combine(_temp.Path, "out"));

        Assert.Equal(1, result.FilesSkipped);
        var rows = new List<string>();
        foreach (string part in Directory.GetFiles(Path.Combine(_temp.Path, "out"), "*.parquet").Order(StringComparer.Ordinal))
        {
            using var file = new ParquetFileReader(part);
            for (int rg = 0; rg < file.RowGroupCount; rg++)
            {
                using RecordBatch batch = file.ReadRowGroup(rg);
                for (int r = 0; r < batch.RowCount; r++)
                {
                    rows.Add(string.Join(",", batch.Columns.Select(c => Convert.ToString(c.GetValue(r), System.Globalization.CultureInfo.InvariantCulture))));
                }
            }
        }
        // Row 2 has no session and is filtered out; the offsets are converted to UTC (10:00+02:00 is 08:00Z).
        Assert.Equal(["1,10,FR,3,True,8", "3,7,FR,-2,False,10"], rows);
    }

    private static void Write(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
