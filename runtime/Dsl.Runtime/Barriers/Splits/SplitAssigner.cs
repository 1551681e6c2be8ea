using System.Buffers;
using Dsl.Execution;

namespace Dsl.Barriers.Splits;

/// <summary>
/// Assigns each row of a sink's batches to a subset of its <see cref="SplitPlan"/> (the index into
/// <see cref="SplitPlan.Names"/>; the rows go to <c>split=NAME/</c> folders). A row's subset depends only on its key
/// columns' values, the seed and, for a stratified split, the cuts: never on the partition, batch or row order it
/// arrives in, so it is the same on every run and machine, and rows with one key (and one stratum) stay together.
/// </summary>
/// <remarks>
/// <para>Plain split: the row's unit position u = <see cref="SplitKeyHasher.Unit"/>(hash) is cut at the cumulative
/// shares (<see cref="SplitCuts.Cumulative"/>): the first subset k with u &lt; c_k. Each subset's row count is then
/// binomial around its share (for distinct keys).</para>
/// <para>Stratified split: the cuts of the row's stratum (<see cref="StratumCuts.Subset"/>), which a pre-pass over the
/// same rows computed (<see cref="StrataHistogram"/>), so each stratum meets its shares as nearly as whole keys
/// allow.</para>
/// <para>Not thread-safe (it caches strata per batch): one per task.</para>
/// </remarks>
internal sealed class SplitAssigner
{
    private readonly SplitKeyHasher _hasher;
    private readonly double[] _cumulative;
    private readonly StratumResolver<StratumCuts>? _strata;

    /// <summary>An assigner of rows of <paramref name="schema"/> for <paramref name="plan"/>; a stratified plan needs its <paramref name="cuts"/>.</summary>
    /// <exception cref="ArgumentException">The plan does not fit the schema (<see cref="SplitPlanValidation"/>), or the
    /// cuts are missing for a stratified plan, present for a plain one, or computed for another split.</exception>
    public SplitAssigner(SplitPlan plan, BatchSchema schema, SplitCuts? cuts = null)
    {
        SplitPlanValidation.Check(plan, schema);
        Plan = plan;
        _hasher = new SplitKeyHasher(schema, plan.Key, plan.Seed);
        _cumulative = SplitCuts.Cumulative(plan.Fractions);
        if (plan.StratifyBy is { } column)
        {
            if (cuts is null)
            {
                throw new ArgumentException($"The split of sink '{plan.Sink}' is stratified by '{column}', so it needs the cuts a pre-pass over its rows computes (StrataHistogram.ComputeCuts).", nameof(cuts));
            }
            if (!SamePlan(cuts.Plan, plan))
            {
                throw new ArgumentException($"The cuts were computed for the split of sink '{cuts.Plan.Sink}' (key {string.Join(", ", cuts.Plan.Key)}, seed {cuts.Plan.Seed}, stratified by '{cuts.Plan.StratifyBy}'), not for this split of sink '{plan.Sink}'.", nameof(cuts));
            }
            _strata = new StratumResolver<StratumCuts>(column, value => cuts.Find(value) ?? throw new InvalidOperationException(
                $"The split of sink '{plan.Sink}' met the value {value} of its stratify column '{column}', which the pre-pass that computed its cuts did not count; the cuts must come from the same rows the split assigns."));
        }
        else if (cuts is not null)
        {
            throw new ArgumentException($"The split of sink '{plan.Sink}' is not stratified, so it takes no cuts.", nameof(cuts));
        }
    }

    /// <summary>The split it assigns.</summary>
    public SplitPlan Plan { get; }

    /// <summary>The number of subsets.</summary>
    public int SubsetCount => Plan.Names.Count;

    /// <summary>The folder subset <paramref name="subset"/>'s rows are written under: <c>split=NAME</c>.</summary>
    public string FolderName(int subset) => $"{SplitPlanValidation.FolderColumn}={Plan.Names[subset]}";

    /// <summary>Writes the subset of every row of <paramref name="batch"/> to <paramref name="subsets"/>.</summary>
    /// <exception cref="InvalidOperationException">The batch lacks a key or stratify column, or holds a stratum the cuts lack.</exception>
    public void Assign(RecordBatch batch, Span<int> subsets)
    {
        int rows = batch.RowCount;
        if (subsets.Length < rows)
        {
            throw new ArgumentException($"The subset buffer holds {subsets.Length} values but the batch has {rows} rows.", nameof(subsets));
        }
        if (rows == 0)
        {
            return;
        }
        ulong[] hashes = ArrayPool<ulong>.Shared.Rent(rows);
        try
        {
            _hasher.Hash(batch, hashes);
            if (_strata is null)
            {
                AssignPlain(hashes.AsSpan(0, rows), subsets);
                return;
            }
            StratumCuts[] strata = ArrayPool<StratumCuts>.Shared.Rent(rows);
            try
            {
                _strata.Resolve(batch, strata);
                for (int row = 0; row < rows; row++)
                {
                    subsets[row] = strata[row].Subset(hashes[row]);
                }
            }
            finally
            {
                ArrayPool<StratumCuts>.Shared.Return(strata, clearArray: true);
            }
        }
        finally
        {
            ArrayPool<ulong>.Shared.Return(hashes);
        }
    }

    private void AssignPlain(ReadOnlySpan<ulong> hashes, Span<int> subsets)
    {
        double[] cumulative = _cumulative;
        int last = cumulative.Length - 1;
        for (int row = 0; row < hashes.Length; row++)
        {
            double u = SplitKeyHasher.Unit(hashes[row]);
            int k = 0;
            while (k < last && u >= cumulative[k])
            {
                k++;
            }
            subsets[row] = k;
        }
    }

    private static bool SamePlan(SplitPlan a, SplitPlan b) =>
        a.Sink == b.Sink && a.Seed == b.Seed && a.StratifyBy == b.StratifyBy
        && a.Key.SequenceEqual(b.Key) && a.Names.SequenceEqual(b.Names) && a.Fractions.SequenceEqual(b.Fractions);
}
