using System.Globalization;
using Dsl.Execution;
using Dsl.Testing;

namespace Dsl.EndToEnd.Tests;

/// <summary>
/// Sharded runs of the template's sample pipeline as separate processes (docs/sharding.md): N shard processes at once
/// and a commit publish exactly a local run's files; a shard killed with SIGKILL and run again as a new attempt takes
/// over what it had committed and the result is still exact; a commit with a shard missing publishes nothing and
/// keeps the previous output; a completed shard run again does nothing; bad values and a fit without a saved state
/// are refused with one line; <c>--shard auto</c> reads the index from the environment.
/// </summary>
public sealed class ShardProcessTests : IDisposable
{
    private static readonly Dictionary<string, string> Plain = [];

    private readonly TempDirectory _temp = TempDirectory.Create("dsl-shards");

    public void Dispose() => _temp.Dispose();

    private string Output => _temp.Combine("out");

    private string Work => _temp.Combine(".out.dsl");

    private string Fitted => _temp.Combine("fitted.json");

    // The sample pipeline has a fit stage: it is fitted once and every shard, the commit and the local run load it.
    private string Sample(string name, int seed)
    {
        string dir = _temp.Combine(name);
        if (!Directory.Exists(dir))
        {
            Succeed("generate-sample", "--rows", "120000", "--files", "6", "--seed", seed.ToString(CultureInfo.InvariantCulture), "--output", dir);
        }
        if (!File.Exists(Fitted))
        {
            Succeed("fit", "--input", dir, "--fitted-out", Fitted);
        }
        return dir;
    }

    private static string Succeed(params string[] args)
    {
        (int exit, string stdout, string stderr) = PipelineProcess.Run(Plain, args);
        Assert.True(exit == 0, $"{string.Join(' ', args)} failed ({exit}): {stderr}");
        return stdout;
    }

    private string[] Shard(string input, int index, int count, params string[] more) =>
        ["run", "--shard", $"{index}/{count}", "--input", input, "--output", Output, "--fitted", Fitted, "-p", "1", .. more];

    private string[] Commit(string input, int count) => ["commit", "--shards", count.ToString(CultureInfo.InvariantCulture), "--input", input, "--output", Output, "--fitted", Fitted];

    private Dictionary<string, byte[]> LocalRun(string input, string name)
    {
        string folder = _temp.Combine(name);
        Succeed("run", "--input", input, "--output", folder, "--fitted", Fitted);
        return Visible(folder);
    }

    [Fact]
    public void ShardProcessesAtOnce_ThenCommit_PublishALocalRunsFiles()
    {
        string input = Sample("in", seed: 1);
        Dictionary<string, byte[]> local = LocalRun(input, "local");

        PipelineProcess[] shards = [.. Enumerable.Range(0, 4).Select(i => PipelineProcess.Start(Plain, Shard(input, i, 4)))];
        foreach (PipelineProcess shard in shards)
        {
            using (shard)
            {
                Assert.True(shard.WaitForExit(TimeSpan.FromMinutes(2)) == 0, shard.Stderr);
            }
        }
        // Six partitions over four shards: 0 and 4, 1 and 5, 2, 3; each attempt's manifest is there, nothing is published.
        Assert.All(Enumerable.Range(0, 4), i => Assert.True(File.Exists(Path.Combine(Work, "shards", $"shard-{i}-of-4", "attempt-1", LocalExecutor.ShardManifestFile))));
        Assert.False(Directory.Exists(Output));
        string committed = Succeed(Commit(input, 4));

        Assert.Contains("Output of Featurize", committed, StringComparison.Ordinal);
        Assert.True(Same(local, Visible(Output)), "the committed shards differ from a local run");
        Assert.Equal(local.Keys.Count(k => k.EndsWith(".parquet", StringComparison.Ordinal)), Visible(Output).Keys.Count(k => k.EndsWith(".parquet", StringComparison.Ordinal)));
        Assert.True(File.Exists(Path.Combine(Output, LocalExecutor.SuccessMarker)));
        Assert.Equal(["lock"], Directory.GetFileSystemEntries(Work).Select(Path.GetFileName));
        // Committing again, or a plain run of the same job, finds the output up to date.
        Assert.Contains("up to date, nothing to do", Succeed(Commit(input, 4)), StringComparison.Ordinal);
        Assert.Contains("up to date, nothing to do", Succeed("run", "--input", input, "--output", Output, "--fitted", Fitted), StringComparison.Ordinal);
    }

    [Fact]
    public void AShardKilledMidRun_ThenANewAttempt_CommitsExactlyALocalRun()
    {
        string input = Sample("in", seed: 2);
        Dictionary<string, byte[]> local = LocalRun(input, "local");
        var slow = new Dictionary<string, string> { ["DSL_TEST_TRACE"] = "1", ["DSL_TEST_STEP_DELAY_MS"] = "300" };
        // Shard 0 of 2 has three partitions; it is killed after committing the first.
        using (PipelineProcess shard = PipelineProcess.Start(slow, Shard(input, 0, 2)))
        {
            Assert.True(shard.WaitForStep("task-committed", TimeSpan.FromSeconds(60)), shard.Stderr);
            Assert.True(shard.Signal(PipelineProcess.SIGKILL));
            shard.WaitForExit(TimeSpan.FromSeconds(30));
        }
        string attempt1 = Path.Combine(Work, "shards", "shard-0-of-2", "attempt-1");
        Assert.False(File.Exists(Path.Combine(attempt1, LocalExecutor.ShardManifestFile)));
        Succeed(Shard(input, 1, 2));

        (int exit, _, string stderr) = PipelineProcess.Run(Plain, Commit(input, 2));
        Assert.Equal(1, exit);
        Assert.Contains("1 of 2 shard(s) have no complete attempt", stderr, StringComparison.Ordinal);
        Assert.Contains("shard 0/2: attempt 1 has no shard manifest (it is still running, or stopped before it finished)", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Output));

        // The retry takes a new attempt number and the task attempt 1 committed, and computes the rest.
        string retry = Succeed(Shard(input, 0, 2, "--attempt", "2"));
        Assert.Matches(@"attempt 2: computed [12] of its 3 partition\(s\), reused [12],", retry);
        Succeed(Commit(input, 2));
        Assert.True(Same(local, Visible(Output)), "after the kill and the retry the output differs from a local run");
    }

    [Fact]
    public void ACommitWithAShardMissing_PublishesNothing_AndKeepsThePreviousOutput()
    {
        string previousInput = Sample("inA", seed: 3);
        Succeed("run", "--input", previousInput, "--output", Output, "--fitted", Fitted);
        Dictionary<string, byte[]> previous = Visible(Output);
        string input = Sample("inB", seed: 4);
        Succeed(Shard(input, 0, 3));
        Succeed(Shard(input, 2, 3));

        (int exit, _, string stderr) = PipelineProcess.Run(Plain, Commit(input, 3));

        Assert.Equal(1, exit);
        Assert.StartsWith($"error: Cannot commit '{Output}': 1 of 3 shard(s) have no complete attempt for this input, code and settings: shard 1/3: never ran (no staging folder).", stderr, StringComparison.Ordinal);
        Assert.Contains("Nothing was published; the previous output", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.True(Same(previous, Visible(Output)), "a refused commit changed the output");
        // A commit with another count names the staging it found.
        (_, _, string other) = PipelineProcess.Run(Plain, Commit(input, 2));
        Assert.Contains("(Staging exists for --shards 3.)", other, StringComparison.Ordinal);
        Assert.True(Same(previous, Visible(Output)));

        Succeed(Shard(input, 1, 3));
        Succeed(Commit(input, 3));
        Assert.True(Same(LocalRun(input, "local"), Visible(Output)));
    }

    [Fact]
    public void ACompletedShardRunAgain_DoesNothing_WhateverItsAttemptNumber()
    {
        string input = Sample("in", seed: 5);
        Assert.Contains("computed 3 of its 3 partition(s), reused 0", Succeed(Shard(input, 1, 2)), StringComparison.Ordinal);
        string manifest = Path.Combine(Work, "shards", "shard-1-of-2", "attempt-1", LocalExecutor.ShardManifestFile);
        byte[] before = File.ReadAllBytes(manifest);

        Assert.Contains("Shard 1/2 of pipeline 'fraud-features': already complete (attempt 1,", Succeed(Shard(input, 1, 2)), StringComparison.Ordinal);
        Assert.Contains("already complete (attempt 1,", Succeed(Shard(input, 1, 2, "--attempt", "3")), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(manifest));
        Assert.False(Directory.Exists(Path.Combine(Work, "shards", "shard-1-of-2", "attempt-3")));
        Assert.Contains("computed 3 of its 3 partition(s), reused 0", Succeed(Shard(input, 1, 2, "--force")), StringComparison.Ordinal);
        // A changed input is another job: the shard computes the changed partitions only.
        File.Delete(Path.Combine(input, Directory.GetFiles(input, "*.parquet").Order(StringComparer.Ordinal).Select(Path.GetFileName).Last()!));
        Assert.Matches(@"computed 0 of its 2 partition\(s\), reused 2|computed 0 of its 3 partition\(s\), reused 3", Succeed(Shard(input, 1, 2)));
    }

    [Fact]
    public void TwoProcessesRunningTheSameAttempt_TheSecondIsRefusedAtOnce()
    {
        string input = Sample("in", seed: 9);
        // The first holds after its first task commit until it is killed, so the others surely overlap it.
        var holding = new Dictionary<string, string> { ["DSL_TEST_TRACE"] = "1", ["DSL_TEST_HOLD_AT"] = "task-committed" };
        using PipelineProcess first = PipelineProcess.Start(holding, Shard(input, 0, 2));
        Assert.True(first.WaitForStep("holding at task-committed", TimeSpan.FromSeconds(60)), first.Stderr);
        (int exit, _, string stderr) = PipelineProcess.Run(Plain, Shard(input, 0, 2));
        Assert.Equal(1, exit);
        Assert.Contains("error: Shard 0/2 attempt 1 of '", stderr, StringComparison.Ordinal);
        Assert.Contains($"is being run by another process (process {first.Id} on host", stderr, StringComparison.Ordinal);
        // Another attempt number runs beside it, taking over the task the first committed.
        Assert.Contains("attempt 2: computed 2 of its 3 partition(s), reused 1", Succeed(Shard(input, 0, 2, "--attempt", "2")), StringComparison.Ordinal);
        Assert.True(first.Signal(PipelineProcess.SIGKILL));
        first.WaitForExit(TimeSpan.FromSeconds(30));
        Succeed(Shard(input, 1, 2));
        Succeed(Commit(input, 2));
        Assert.True(Same(LocalRun(input, "local"), Visible(Output)));
    }

    [Theory]
    [InlineData("5/4", "error: --shard 5/4: the shard index I counts from 0, so it must be below N (4): the shards of 4 are 0/4 to 3/4.")]
    [InlineData("1/0", "error: --shard 1/0: the number of shards N must be between 1 and 100000.")]
    [InlineData("two/4", "error: --shard two/4: write the shard as I/N, two whole numbers, e.g. --shard 0/4 for the first of four shards (I counts from 0).")]
    public void BadShardValues_AreOneLineAndExitCode2(string shard, string message)
    {
        string input = Sample("in", seed: 6);
        (int exit, _, string stderr) = PipelineProcess.Run(Plain, "run", "--shard", shard, "--input", input, "--output", Output, "--fitted", Fitted);
        Assert.Equal(2, exit);
        Assert.Equal(message, stderr.Trim());
        Assert.False(Directory.Exists(Work));
    }

    [Fact]
    public void OtherRefusals_AttemptWithoutShard_ZeroShards_AndAFitWithoutASavedState()
    {
        string input = Sample("in", seed: 7);
        (int exit, _, string stderr) = PipelineProcess.Run(Plain, "run", "--attempt", "2", "--input", input, "--output", Output);
        Assert.Equal(2, exit);
        Assert.Equal("error: --attempt numbers the attempts of a shard; give --shard I/N with it.", stderr.Trim());
        (exit, _, stderr) = PipelineProcess.Run(Plain, Shard(input, 0, 2, "--attempt", "0"));
        Assert.Equal(2, exit);
        Assert.Equal("error: --attempt 0: attempts are numbered from 1.", stderr.Trim());
        (exit, _, stderr) = PipelineProcess.Run(Plain, "commit", "--shards", "0", "--input", input, "--output", Output);
        Assert.Equal(2, exit);
        Assert.StartsWith("error: --shards 0: the number of shards must be between 1 and 100000", stderr.Trim(), StringComparison.Ordinal);

        (exit, _, stderr) = PipelineProcess.Run(Plain, "run", "--shard", "0/2", "--input", input, "--output", Output);
        Assert.Equal(1, exit);
        Assert.StartsWith("error: Pipeline 'fraud-features' cannot be sharded as it is: its fit stage(s) 'FitAmount' need the statistics of every shard's rows", stderr.Trim(), StringComparison.Ordinal);
        Assert.Contains("'fit --input IN --fitted-out fitted.json'", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Work, "shards")));
    }

    [Fact]
    public void ShardAuto_TakesTheShardFromKubernetesAwsBatchOrSageMaker()
    {
        string input = Sample("in", seed: 8);
        string[] auto = ["run", "--shard", "auto", "--input", input, "--output", Output, "--fitted", Fitted];
        (int exit, string stdout, string stderr) = PipelineProcess.Run(new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "1", ["DSL_SHARD_COUNT"] = "3" }, auto);
        Assert.True(exit == 0, stderr);
        Assert.Contains("Shard 1/3 of pipeline 'fraud-features', attempt 1", stdout, StringComparison.Ordinal);
        (exit, stdout, stderr) = PipelineProcess.Run(new Dictionary<string, string> { ["AWS_BATCH_JOB_ARRAY_INDEX"] = "2", ["DSL_SHARD_COUNT"] = "3" }, auto);
        Assert.True(exit == 0, stderr);
        Assert.Contains("Shard 2/3 of pipeline 'fraud-features', attempt 1", stdout, StringComparison.Ordinal);
        (exit, stdout, stderr) = PipelineProcess.Run(new Dictionary<string, string> { ["DSL_SHARD_INDEX"] = "0", ["DSL_SHARD_COUNT"] = "3", ["JOB_COMPLETION_INDEX"] = "2" }, auto);
        Assert.True(exit == 0, stderr);
        Assert.Contains("Shard 0/3 of pipeline 'fraud-features', attempt 1", stdout, StringComparison.Ordinal);
        string config = _temp.Combine("resourceconfig.json");
        File.WriteAllText(config, """{"current_host": "algo-1", "hosts": ["algo-1", "algo-2", "algo-3"]}""");
        (exit, stdout, stderr) = PipelineProcess.Run(new Dictionary<string, string> { ["DSL_SAGEMAKER_RESOURCE_CONFIG"] = config }, auto);
        Assert.True(exit == 0, stderr);
        Assert.Contains("Shard 0/3 of pipeline 'fraud-features': already complete (attempt 1", stdout, StringComparison.Ordinal);
        Succeed(Commit(input, 3));
        Assert.True(Same(LocalRun(input, "local"), Visible(Output)));

        (exit, _, stderr) = PipelineProcess.Run(new Dictionary<string, string> { ["JOB_COMPLETION_INDEX"] = "1" }, auto);
        Assert.Equal(2, exit);
        Assert.Equal("error: --shard auto: JOB_COMPLETION_INDEX is 1, but DSL_SHARD_COUNT (the number of shards N) is not set; set it to the job's completions, array size or shard count.", stderr.Trim());
    }

    // What a reader that globs out/**/*.parquet sees (parts and quarantine), with the validation report and the
    // fitted state: every such file with its bytes.
    internal static Dictionary<string, byte[]> Visible(string folder) =>
        Directory.Exists(folder)
            ? Directory.GetFiles(folder, "*.parquet", SearchOption.AllDirectories)
                .Concat(Directory.GetFiles(folder, "_validation.json"))
                .Concat(Directory.GetFiles(folder, "_fitted.json"))
                .ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes)
            : [];

    internal static bool Same(Dictionary<string, byte[]> a, Dictionary<string, byte[]> b) =>
        a.Count > 0 && a.Count == b.Count && a.All(kv => b.TryGetValue(kv.Key, out byte[]? other) && other.AsSpan().SequenceEqual(kv.Value));
}
