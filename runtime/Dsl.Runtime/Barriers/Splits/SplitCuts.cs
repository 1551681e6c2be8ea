using Dsl.Execution;

namespace Dsl.Barriers.Splits;

/// <summary>
/// The cut points of a stratified split, one <see cref="StratumCuts"/> per value of the stratify column, computed by
/// <see cref="StrataHistogram.ComputeCuts"/> from the merged counts of all of the split's rows.
/// </summary>
internal sealed class SplitCuts
{
    private readonly Dictionary<StratumValue, StratumCuts> _byValue;

    /// <summary>Cuts of <paramref name="plan"/>'s split, one per stratum in <see cref="StratumValue"/> order.</summary>
    public SplitCuts(SplitPlan plan, IReadOnlyList<StratumCuts> strata)
    {
        Plan = plan;
        Strata = strata;
        _byValue = strata.ToDictionary(s => s.Value);
    }

    /// <summary>The split they cut.</summary>
    public SplitPlan Plan { get; }

    /// <summary>Each stratum's cuts, ordered by value.</summary>
    public IReadOnlyList<StratumCuts> Strata { get; }

    /// <summary>The cuts of stratum <paramref name="value"/>, or null when the counted rows held no such value.</summary>
    public StratumCuts? Find(StratumValue value) => _byValue.GetValueOrDefault(value);

    /// <summary>
    /// The cumulative shares c_k = f_0 + … + f_k, summed left to right in double precision, with the last set to 1
    /// exactly (so rounding never leaves a row outside every subset): a plain split puts a row whose unit position is
    /// u in the first subset k with u &lt; c_k.
    /// </summary>
    public static double[] Cumulative(IReadOnlyList<double> fractions)
    {
        var cumulative = new double[fractions.Count];
        double sum = 0;
        for (int k = 0; k < fractions.Count; k++)
        {
            sum += fractions[k];
            cumulative[k] = sum;
        }
        cumulative[^1] = 1.0;
        return cumulative;
    }
}

/// <summary>
/// The cuts of one stratum of <see cref="Rows"/> rows: a row whose hash's bucket at <see cref="Resolution"/> bits
/// (<see cref="StrataHistogram.Bucket"/>) is below <see cref="Thresholds"/>[k] and not below the ones before goes to
/// subset k; a bucket at or above every threshold goes to the last subset.
/// </summary>
/// <remarks>
/// The guarantee: for each subset k with share f_k, <c>|SubsetRows[k] − f_k × Rows| ≤ (StraddlingRows[k−1] +
/// StraddlingRows[k]) / 2</c> (terms outside the array are 0), up to the rounding of the cumulative shares, where
/// StraddlingRows[j] is the row count of the one bucket that the asked cut c_j × Rows falls strictly inside (0 when it
/// falls between buckets). While a stratum has at most <see cref="StrataHistogram.MaxBucketsPerStratum"/> distinct
/// keys, a bucket is one key's rows (32-bit buckets; n keys put two in one bucket with probability about n² / 2^33), so
/// each subset is at most the rows of its stratum's largest key off — at most one row when keys are distinct, the
/// nearest a split that keeps each key's rows together can come; beyond that a bucket holds
/// about Rows / MaxBucketsPerStratum rows (≈ 150 for 10 million rows and 2^16 buckets, against a binomial standard
/// deviation of ≈ 950 for a 10% subset when each row's subset is drawn on its own).
/// </remarks>
/// <param name="Value">The stratum.</param>
/// <param name="Rows">Its rows.</param>
/// <param name="Resolution">The bits of the hash its buckets use.</param>
/// <param name="Thresholds">One per subset but the last, non-decreasing.</param>
/// <param name="SubsetRows">The rows each subset gets: exact, since cuts fall between buckets.</param>
/// <param name="StraddlingRows">Per cut, the rows of the bucket the asked cut fell inside, or 0.</param>
internal sealed record StratumCuts(StratumValue Value, long Rows, int Resolution, ulong[] Thresholds, long[] SubsetRows, long[] StraddlingRows)
{
    /// <summary>The subset of a row of this stratum whose split hash is <paramref name="hash"/>.</summary>
    public int Subset(ulong hash)
    {
        ulong bucket = StrataHistogram.Bucket(hash, Resolution);
        ulong[] thresholds = Thresholds;
        for (int k = 0; k < thresholds.Length; k++)
        {
            if (bucket < thresholds[k])
            {
                return k;
            }
        }
        return thresholds.Length;
    }

    /// <summary>The most <see cref="SubsetRows"/>[k] may differ from f_k × <see cref="Rows"/> (see the remarks).</summary>
    public double DeviationBound(int subset) =>
        ((subset > 0 ? StraddlingRows[subset - 1] : 0) + (subset < StraddlingRows.Length ? StraddlingRows[subset] : 0)) / 2.0;
}
