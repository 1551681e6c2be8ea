namespace Dsl.Training;

/// <summary>
/// One step's batch: a row-major float32 feature matrix (<see cref="Rows"/> × <see cref="FeatureCount"/>) and the
/// labels. Its arrays belong to the feed's prefetch ring and are refilled once the enumerator moves on: use (or copy)
/// a batch before asking for the next one.
/// </summary>
public sealed class FeedBatch
{
    private readonly TrainingFeed _feed;

    internal FeedBatch(TrainingFeed feed, int batchSize, int featureCount, bool hasLabel)
    {
        _feed = feed;
        FeatureCount = featureCount;
        FeatureArray = new float[batchSize * featureCount];
        LabelArray = hasLabel ? new float[batchSize] : [];
    }

    /// <summary>The epoch.</summary>
    public int Epoch { get; internal set; }

    /// <summary>The step within the epoch, from 0.</summary>
    public int Step { get; internal set; }

    /// <summary>Rows in this batch: the batch size, or fewer for the last batch under <see cref="FeedRemainder.Partial"/>.</summary>
    public int Rows { get; internal set; }

    /// <summary>Rows at the end of this batch that repeat the epoch's first rows (<see cref="FeedRemainder.Pad"/>); 0 otherwise.</summary>
    public int PaddedRows { get; internal set; }

    /// <summary>Columns of the feature matrix.</summary>
    public int FeatureCount { get; }

    /// <summary>The feature matrix, row-major: row r's features at [r × FeatureCount, (r + 1) × FeatureCount).</summary>
    public ReadOnlySpan<float> Features => FeatureArray.AsSpan(0, Rows * FeatureCount);

    /// <summary>The labels, one per row; empty for a feed without a label.</summary>
    public ReadOnlySpan<float> Labels => LabelArray.Length == 0 ? [] : LabelArray.AsSpan(0, Rows);

    /// <summary>
    /// The array behind <see cref="Features"/>, batch size × features long (only the first <see cref="Rows"/> rows are
    /// this batch's): for libraries that wrap an array without copying it, such as <c>torch.from_array</c>.
    /// </summary>
    public float[] FeatureArray { get; }

    /// <summary>The array behind <see cref="Labels"/>, batch size long; empty for a feed without a label.</summary>
    public float[] LabelArray { get; }

    /// <summary>The token that resumes the feed at the step after this one (see <see cref="TrainingFeed.Resume(FeedResumeToken)"/>).</summary>
    public FeedResumeToken ResumeToken => _feed.TokenAt(Epoch, Step + 1);
}
