using System.Text.Json.Nodes;
using Dsl.Execution;
using Dsl.Parquet;
using Dsl.Testing;
using Dsl.Training;

namespace Dsl.Runtime.Tests.Training;

/// <summary>Readers of training data read what a run committed, through its manifest, and refuse anything else.</summary>
public sealed class CommittedOutputTests : IDisposable
{
    private readonly TempDirectory _root = TempDirectory.Create("dsl-committed-");

    public void Dispose() => _root.Dispose();

    [Fact]
    public void Open_FolderOrManifest_ListsTheSinksPartsAndTheManifestsHash()
    {
        string output = FeedOutputs.Write(_root.Path, _root.Combine("out"), [300, 200], rowGroupRows: 100);

        CommittedOutput byFolder = CommittedOutput.Open(output);
        CommittedOutput byManifest = CommittedOutput.Open(Path.Combine(output, LocalExecutor.ManifestFile));

        Assert.Equal(["part-00000.parquet", "part-00001.parquet"], byFolder.Parts.Select(p => Path.GetFileName(p.Path)));
        Assert.Equal(500, byFolder.Rows);
        Assert.Equal(
            Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(output, LocalExecutor.ManifestFile)))),
            byFolder.ManifestSha256);
        Assert.Equal(byFolder.ManifestSha256, byManifest.ManifestSha256);
        Assert.Equal(byFolder.Parts, byManifest.Parts);
    }

    [Fact]
    public void Open_PartChangedOrMissingOrNoSuccess_IsRefusedNamingTheFile()
    {
        string output = FeedOutputs.Write(_root.Path, _root.Combine("out"), [300, 200], rowGroupRows: 100);
        string part = Path.Combine(output, "part-00001.parquet");

        File.AppendAllText(part, "x");
        var grown = Assert.Throws<InvalidDataException>(() => CommittedOutput.Open(output));
        Assert.Contains($"{part}: ", grown.Message);
        Assert.Contains("changed after its run committed it", grown.Message);

        File.Delete(part);
        var missing = Assert.Throws<InvalidDataException>(() => CommittedOutput.Open(output));
        Assert.Contains($"{part}: listed in", missing.Message);

        File.Delete(Path.Combine(output, LocalExecutor.SuccessMarker));
        Assert.Contains("no committed Dsl output here", Assert.Throws<InvalidDataException>(() => CommittedOutput.Open(output)).Message);
    }

    [Fact]
    public void Open_SeveralSinks_NeedsTheSinkNamed()
    {
        string input = _root.CreateSubdirectory("in");
        FeedOutputs.Write(_root.Path, _root.Combine("one"), [10], rowGroupRows: 10);
        File.Copy(Directory.GetFiles(_root.Combine("one"), "part-*.parquet")[0], Path.Combine(input, "a.parquet"));
        var plan = new PipelinePlan(
            "two-sinks",
            "R",
            new Dictionary<string, BatchSchema> { ["R"] = FeedOutputs.Rows },
            [new StagePlan("Left", StageKind.Map, "R", "R", null, true, null), new StagePlan("Right", StageKind.Map, "R", "R", null, true, null)],
            [new SegmentPlan(0, ["Left"], null, "R", "R", true, ["id"]), new SegmentPlan(1, ["Right"], null, "R", "R", true, ["id"])]);
        string output = _root.Combine("two");
        new LocalExecutor().Run(new CompiledPipeline(plan, [(b, _) => FeedOutputs.Batch([1, 2]), (b, _) => FeedOutputs.Batch([3])]), input, output);

        var ambiguous = Assert.Throws<InvalidDataException>(() => CommittedOutput.Open(output));
        Assert.Contains("the run wrote 2 sinks (Left, Right); name the one to read", ambiguous.Message);
        Assert.Equal(2, CommittedOutput.Open(output, "Left").Rows);
        Assert.Equal(1, CommittedOutput.Open(output, "Right").Rows);
        Assert.Contains("no sink 'Middle'", Assert.Throws<InvalidDataException>(() => CommittedOutput.Open(output, "Middle")).Message);
    }

    [Fact]
    public void TrainingFeedOpen_APartsRowsDifferFromTheManifests_IsRefused()
    {
        string output = FeedOutputs.Write(_root.Path, _root.Combine("out"), [300, 200], rowGroupRows: 100);
        string manifestPath = Path.Combine(output, LocalExecutor.ManifestFile);
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["outputs"]![0]!["files"]![0]!["rows"] = 299;
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        var error = Assert.Throws<InvalidDataException>(() => TrainingFeed.Open(output, ["id"], "label", 8, 1));

        Assert.Contains("part-00000.parquet: 300 rows, but", error.Message);
        Assert.Contains("lists 299", error.Message);
    }

    [Fact]
    public void TrainingFeedOpen_PartsDisagreeOnAColumnsType_IsRefused()
    {
        string output = FeedOutputs.Write(_root.Path, _root.Combine("out"), [300, 200], rowGroupRows: 100);
        // Rewrite the second part with column c as int64 and give the manifest its new size and rows, as a foreign writer might.
        string part = Path.Combine(output, "part-00001.parquet");
        var schema = new BatchSchema(new ColumnField("id", ColumnType.Int64, false), new ColumnField("c", ColumnType.Int64, false), new ColumnField("label", ColumnType.Boolean, false));
        using (var writer = new ParquetFileWriter(part, schema))
        {
            writer.WriteBatch(new RecordBatch(schema, [
                PrimitiveColumn<long>.FromArray(ColumnType.Int64, [1, 2]),
                PrimitiveColumn<long>.FromArray(ColumnType.Int64, [1, 2]),
                PrimitiveColumn<bool>.FromArray(ColumnType.Boolean, [true, false]),
            ], 2));
        }
        string manifestPath = Path.Combine(output, LocalExecutor.ManifestFile);
        JsonNode manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        manifest["outputs"]![0]!["files"]![1]!["bytes"] = new FileInfo(part).Length;
        manifest["outputs"]![0]!["files"]![1]!["rows"] = 2;
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        var error = Assert.Throws<InvalidDataException>(() => TrainingFeed.Open(output, ["id", "c"], "label", 8, 1));

        Assert.Contains($"{part}: column 'c' is Int64, but the output's first part has it as Int32", error.Message);
    }
}
