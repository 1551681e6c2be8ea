using System.Globalization;

namespace Dsl.Execution;

/// <summary>
/// One shard of a job run as <paramref name="Count"/> separate processes (<c>run --shard I/N</c>, docs/sharding.md):
/// <paramref name="Index"/> is 0-based, as Kubernetes' <c>JOB_COMPLETION_INDEX</c> and AWS Batch's
/// <c>AWS_BATCH_JOB_ARRAY_INDEX</c> are. Shard <c>I</c> owns the planned partitions whose index modulo <c>N</c> is
/// <c>I</c>: the planned order depends only on the input (files in ordinal path order, row-group ranges in file
/// order), so every machine assigns the same partitions to the same shard.
/// </summary>
/// <param name="Index">The shard, 0 to <paramref name="Count"/> - 1.</param>
/// <param name="Count">How many shards the job has.</param>
public readonly record struct ShardSpec(int Index, int Count)
{
    /// <summary>The most shards a job may have.</summary>
    public const int MaxCount = 100_000;

    /// <summary>Whether this shard owns the planned partition <paramref name="partition"/>.</summary>
    public bool Owns(int partition) => partition % Count == Index;

    /// <summary>Parses <c>I/N</c>; throws <see cref="ArgumentException"/> saying what is wrong with it.</summary>
    public static ShardSpec Parse(string text)
    {
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
            || !int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int count))
        {
            throw new ArgumentException($"--shard {text}: write the shard as I/N, two whole numbers, e.g. --shard 0/4 for the first of four shards (I counts from 0).");
        }
        if (count < 1 || count > MaxCount)
        {
            throw new ArgumentException($"--shard {text}: the number of shards N must be between 1 and {MaxCount.ToString(CultureInfo.InvariantCulture)}.");
        }
        if (index >= count)
        {
            throw new ArgumentException($"--shard {text}: the shard index I counts from 0, so it must be below N ({count.ToString(CultureInfo.InvariantCulture)}): the shards of {count.ToString(CultureInfo.InvariantCulture)} are 0/{count.ToString(CultureInfo.InvariantCulture)} to {(count - 1).ToString(CultureInfo.InvariantCulture)}/{count.ToString(CultureInfo.InvariantCulture)}.");
        }
        return new ShardSpec(index, count);
    }

    /// <summary>SageMaker's description of the instances of a job, on every instance.</summary>
    public const string SageMakerResourceConfig = "/opt/ml/config/resourceconfig.json";

    /// <summary>
    /// The shard a container is, for <c>--shard auto</c>: <c>DSL_SHARD_INDEX</c>, else Kubernetes' <c>JOB_COMPLETION_INDEX</c>
    /// (an Indexed Job), else <c>AWS_BATCH_JOB_ARRAY_INDEX</c> (an array job), with <c>DSL_SHARD_COUNT</c> for N; else
    /// SageMaker's resource configuration (<see cref="SageMakerResourceConfig"/>, or the file <c>DSL_SAGEMAKER_RESOURCE_CONFIG</c>
    /// names): the place of <c>current_host</c> in <c>hosts</c>, N the number of hosts unless <c>DSL_SHARD_COUNT</c> is set.
    /// </summary>
    public static ShardSpec FromEnvironment(Func<string, string?> environment)
    {
        string? count = environment("DSL_SHARD_COUNT");
        foreach (string name in new[] { "DSL_SHARD_INDEX", "JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX" })
        {
            if (environment(name) is { Length: > 0 } index)
            {
                return count is { Length: > 0 }
                    ? Parse($"{index.Trim()}/{count.Trim()}")
                    : throw new ArgumentException($"--shard auto: {name} is {index}, but DSL_SHARD_COUNT (the number of shards N) is not set; set it to the job's completions, array size or shard count.");
            }
        }
        string config = environment("DSL_SAGEMAKER_RESOURCE_CONFIG") is { Length: > 0 } path ? path : SageMakerResourceConfig;
        if (File.Exists(config))
        {
            using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(config));
            string? current = doc.RootElement.TryGetProperty("current_host", out var c) ? c.GetString() : null;
            string?[] hosts = doc.RootElement.TryGetProperty("hosts", out var h) ? [.. h.EnumerateArray().Select(e => e.GetString())] : [];
            int place = Array.IndexOf(hosts, current);
            if (place < 0)
            {
                throw new ArgumentException($"--shard auto: {config} does not list its current_host '{current}' among its hosts.");
            }
            return Parse(string.Create(CultureInfo.InvariantCulture, $"{place}/{(count is { Length: > 0 } ? count.Trim() : hosts.Length.ToString(CultureInfo.InvariantCulture))}"));
        }
        throw new ArgumentException($"--shard auto: none of DSL_SHARD_INDEX, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX is set and there is no {config}; give the shard as --shard I/N.");
    }

    /// <summary><c>I/N</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
