using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Dsl.Parquet;

namespace Dsl.Training;

/// <summary>
/// Batches for training over a committed Dsl output: float32 feature matrices and labels built from column batches
/// (no per-row objects), shuffled by a documented seeded generator (row groups, then rows within a bounded window),
/// sharded across data-parallel ranks with equal step counts, assembled ahead of the trainer in a prefetch ring
/// bounded in bytes, and resumable mid-epoch (docs/training.md).
/// </summary>
/// <example>
/// <code>
/// var feed = TrainingFeed.Open("out/fraud-features", ["LogAmount", "AmountZ", "Hour"], "Label", batchSize: 256, seed: 42);
/// for (int epoch = 0; epoch &lt; 5; epoch++)
/// {
///     using FeedEpoch batches = feed.Epoch(epoch);
///     foreach (FeedBatch batch in batches) { Train(batch.Features, batch.Labels); }
///     Console.WriteLine($"waited {batches.Statistics.WaitTime}");
/// }
/// </code>
/// </example>
public sealed class TrainingFeed
{
    private readonly FeedUnit[] _units;
    private readonly ConcurrentBag<FeedBatch> _slots = [];

    private TrainingFeed(CommittedOutput output, TrainingFeedOptions options, FeedUnit[] units, FeedColumn[] features, FeedColumn? label)
    {
        Output = output;
        Options = options;
        _units = units;
        FeatureColumns = features;
        LabelColumn = label;
        OptionsHash = HashOptions(options, output.Sink);
    }

    /// <summary>The committed output read.</summary>
    public CommittedOutput Output { get; }

    /// <summary>The options it was opened with.</summary>
    public TrainingFeedOptions Options { get; }

    /// <summary>Columns of the feature matrix.</summary>
    public int FeatureCount => Options.Features.Count;

    /// <summary>Rows of the output (all ranks).</summary>
    public long Rows => Output.Rows;

    /// <summary>Row groups of the output: the units of shuffling and sharding.</summary>
    public int RowGroups => _units.Length;

    /// <summary>The bytes of one assembled batch (features and labels, float32).</summary>
    public long BatchBytes => (long)Options.BatchSize * (FeatureCount + (Options.Label is null ? 0 : 1)) * sizeof(float);

    /// <summary>
    /// Batches the prefetch ring holds ahead of the trainer: <see cref="TrainingFeedOptions.PrefetchBytes"/> /
    /// <see cref="BatchBytes"/>, at least 2 and at most 4,096. With the batch the trainer holds, an epoch has at most one
    /// batch more than this.
    /// </summary>
    public int RingBatches => (int)Math.Clamp(Options.PrefetchBytes / BatchBytes, 2, 4096);

    internal FeedColumn[] FeatureColumns { get; }

    internal FeedColumn? LabelColumn { get; }

    internal string OptionsHash { get; }

    /// <summary>Opens a feed over the committed output at <paramref name="output"/> (a folder or its <c>_manifest.json</c>).</summary>
    public static TrainingFeed Open(string output, IReadOnlyList<string> features, string? label, int batchSize, ulong seed) =>
        Open(output, new TrainingFeedOptions { Features = features, Label = label, BatchSize = batchSize, Seed = seed });

    /// <summary>Opens a feed over the committed output at <paramref name="output"/> (a folder or its <c>_manifest.json</c>).</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    /// <exception cref="InvalidDataException">
    /// The output is not a committed one, a column is missing from a part or is not a number or bool; the message names
    /// the file and column.
    /// </exception>
    public static TrainingFeed Open(string output, TrainingFeedOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Check(options);
        CommittedOutput committed = CommittedOutput.Open(output, options.Sink);
        FeedColumn[]? features = null;
        FeedColumn? label = null;
        IReadOnlyList<OutputRowGroup> groups = committed.ReadRowGroups((part, reader) =>
        {
            features ??= [.. options.Features.Select(f => FeedColumn.Find(reader, part.Path, f, isLabel: false))];
            label ??= options.Label is null ? null : FeedColumn.Find(reader, part.Path, options.Label, isLabel: true);
            // Every part must have the first part's columns with the same types: a window never mixes them.
            foreach (FeedColumn column in features.Append(label).OfType<FeedColumn>())
            {
                FeedColumn.Find(reader, part.Path, column.Name, column.IsLabel).SameTypeAs(column, part.Path);
            }
        });
        FeedUnit[] units = [.. groups.Select(g => new FeedUnit(g.Part, g.RowGroup, checked((int)g.Rows)))];
        if (units.Length == 0)
        {
            throw new InvalidDataException($"{committed.Folder}: the output has no rows to train on.");
        }
        if (units.Length < options.WorldSize)
        {
            // Row groups are the unit of sharding: a rank without one would have no rows to deliver or pad with.
            throw new InvalidDataException(
                $"{committed.Folder}: {units.Length} row groups cannot be shared by {options.WorldSize} ranks; every rank needs at least one. " +
                "Write smaller row groups (rowGroupRows) or use fewer ranks.");
        }
        return new TrainingFeed(committed, options, units, features!, label);
    }

    /// <summary>
    /// The batches of <paramref name="epoch"/> for this rank, from step <paramref name="startStep"/>; row groups before
    /// that step's window are not decoded. Enumerate it once per epoch and dispose it (stops the background threads).
    /// </summary>
    /// <exception cref="InvalidDataException">The epoch has no batch for some rank (see <see cref="FeedRemainder"/>).</exception>
    public FeedEpoch Epoch(int epoch, int startStep = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(startStep);
        EpochPlan plan = EpochPlan.Make(_units, Options, epoch);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(startStep, plan.Steps);
        return new FeedEpoch(this, plan, startStep);
    }

    /// <summary>Steps every rank takes in <paramref name="epoch"/> (the same for all ranks; may differ between epochs when row groups differ in size).</summary>
    public int StepsIn(int epoch) => EpochPlan.Make(_units, Options, epoch).Steps;

    /// <summary>
    /// Continues where <paramref name="token"/> says: its epoch from its step. A step at the epoch's end gives an empty
    /// epoch (continue with the next one).
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The token was made over other data (its manifest hash differs: the output was rerun or replaced), or with other
    /// options or another seed; resuming would repeat or skip rows, so it is refused.
    /// </exception>
    public FeedEpoch Resume(FeedResumeToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (!string.Equals(token.ManifestSha256, Output.ManifestSha256, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The resume token was made over other data: its manifest SHA-256 is {token.ManifestSha256}, {Output.ManifestPath} now has {Output.ManifestSha256} " +
                "(the output was rerun or replaced). Resuming would repeat or skip rows; start the epoch again or train on the data the token was made with.");
        }
        if (token.Seed != Options.Seed || !string.Equals(token.OptionsHash, OptionsHash, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"The resume token was made with other feed options (seed {token.Seed}, options {token.OptionsHash}; this feed: seed {Options.Seed}, options {OptionsHash}): " +
                "features, label, batch size, shuffle, window, rank, world size, remainder and sink must be the same to resume.");
        }
        return Epoch(token.Epoch, token.Step);
    }

    /// <summary>Continues where a token's text (<see cref="FeedResumeToken.ToString"/>) says; see <see cref="Resume(FeedResumeToken)"/>.</summary>
    public FeedEpoch Resume(string token) => Resume(FeedResumeToken.Parse(token));

    internal FeedResumeToken TokenAt(int epoch, int step) => new(Options.Seed, epoch, step, Output.ManifestSha256, OptionsHash);

    internal FeedBatch RentSlot() =>
        _slots.TryTake(out FeedBatch? slot) ? slot : new FeedBatch(this, Options.BatchSize, FeatureCount, Options.Label is not null);

    /// <summary>An epoch's ring batches, kept for the next epoch so the ring is not allocated again each epoch.</summary>
    internal void ReturnSlots(IEnumerable<FeedBatch> slots)
    {
        foreach (FeedBatch slot in slots)
        {
            _slots.Add(slot);
        }
    }

    private static void Check(TrainingFeedOptions o)
    {
        if (o.Features is null || o.Features.Count == 0)
        {
            throw new ArgumentException("A training feed needs at least one feature column.", nameof(o));
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (string name in o.Features.Append(o.Label).OfType<string>())
        {
            if (!names.Add(name))
            {
                throw new ArgumentException($"Column '{name}' is named twice among the features and label.", nameof(o));
            }
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(o.BatchSize, 1, nameof(o.BatchSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((long)o.BatchSize * (o.Features.Count + 1), Array.MaxLength, nameof(o.BatchSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.WorldSize, 1, nameof(o.WorldSize));
        ArgumentOutOfRangeException.ThrowIfNegative(o.Rank, nameof(o.Rank));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(o.Rank, o.WorldSize, nameof(o.Rank));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.ShuffleWindowRows, 1, nameof(o.ShuffleWindowRows));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.DecodeThreads, 1, nameof(o.DecodeThreads));
        ArgumentOutOfRangeException.ThrowIfLessThan(o.PrefetchBytes, 1, nameof(o.PrefetchBytes));
        if (o.Remainder == FeedRemainder.Partial && o.WorldSize > 1)
        {
            throw new ArgumentException(
                $"Remainder = Partial gives ranks different step counts, which stalls data-parallel training; with {o.WorldSize} ranks use Pad or Drop.", nameof(o));
        }
    }

    private static string HashOptions(TrainingFeedOptions o, string sink)
    {
        // Everything that decides which row lands in which step; prefetch and decode threads do not.
        string text = string.Join('\n', [
            string.Join('\u001f', o.Features), o.Label ?? "", o.BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            o.Shuffle ? "shuffle" : "ordered", o.ShuffleWindowRows.ToString(System.Globalization.CultureInfo.InvariantCulture),
            o.Rank.ToString(System.Globalization.CultureInfo.InvariantCulture), o.WorldSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            o.Remainder.ToString(), sink]);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)).AsSpan(0, 8));
    }
}
