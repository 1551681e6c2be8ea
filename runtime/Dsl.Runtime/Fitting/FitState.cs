using Dsl.Execution;

namespace Dsl.Fitting;

/// <summary>
/// The first-pass state of every fit of a plan, for one partition (or, merged, for all partitions so far): per fit the
/// rows it saw and one <see cref="ColumnFit"/> per column it asks about. What it holds is leased from the run's
/// <see cref="MemoryBudget"/> as it grows (checked after each batch), so exact distinct values or vocabularies that
/// outgrow the budget stop the run with a message naming the fit stage and column instead of exhausting memory.
/// Dispose to give the bytes back.
/// </summary>
internal sealed class FitState : IDisposable
{
    // Grown in steps of at least this much, so the budget's lock is not taken for every batch.
    private const long LeaseStep = 1L << 20;

    private readonly FitLayout _layout;
    private readonly MemoryBudget _budget;
    private readonly MemoryBudget.Lease _lease;
    private readonly long[] _rows;
    private readonly ColumnFit[][] _columns;

    public FitState(FitLayout layout, MemoryBudget budget)
    {
        _layout = layout;
        _budget = budget;
        _lease = budget.Acquire(0, CancellationToken.None);
        _rows = new long[layout.Fits.Count];
        _columns = layout.Fits.Select(f => f.Columns.Select(c => new ColumnFit(c)).ToArray()).ToArray();
    }

    /// <summary>The rows fit <paramref name="fit"/> saw.</summary>
    public long Rows(int fit) => _rows[fit];

    /// <summary>About the bytes held.</summary>
    public long Bytes => _columns.Sum(fit => fit.Sum(c => c.Bytes));

    /// <summary>Adds the rows of <paramref name="batch"/> to fit <paramref name="fit"/>.</summary>
    /// <param name="fit">The fit's index in the plan.</param>
    /// <param name="batch">What its segment output (or the input as read), holding every column it asks about.</param>
    /// <param name="where">Where the batch came from, for messages.</param>
    public void Observe(int fit, RecordBatch batch, string where)
    {
        _rows[fit] += batch.RowCount;
        foreach (ColumnFit column in _columns[fit])
        {
            int index = batch.Schema.IndexOf(column.Column.Name);
            if (index < 0)
            {
                throw new PipelineExecutionException($"Fit stage '{_layout.Fits[fit].Fit.Stage}' asks about column '{column.Column.Name}', but the rows it observes ({where}) have no such column; its columns are {string.Join(", ", batch.Schema.Fields.Select(f => f.Name))}.");
            }
            Column values = batch[index];
            if (values.Type != column.Column.Field.Type)
            {
                throw new PipelineExecutionException($"Fit stage '{_layout.Fits[fit].Fit.Stage}' reads column '{column.Column.Name}' as {column.Column.Field.Type}, but the rows it observes ({where}) hold it as {values.Type}.");
            }
            column.Observe(values);
        }
        Reserve();
    }

    /// <summary>Adds <paramref name="other"/>'s rows (a later partition's state), then disposes it.</summary>
    public void MergeAndDispose(FitState other)
    {
        for (int f = 0; f < _rows.Length; f++)
        {
            _rows[f] += other._rows[f];
            for (int c = 0; c < _columns[f].Length; c++)
            {
                _columns[f][c].Merge(other._columns[f][c]);
            }
        }
        other.Dispose();
        Reserve();
    }

    /// <summary>Every fit's answers, keyed for <see cref="FitData{TRow}"/>.</summary>
    public FitResults Results()
    {
        var results = new FitResults();
        foreach ((FitPlan fit, FitRequest request, object answer) in Answers())
        {
            results.Set(fit.Stage, request, answer);
        }
        return results;
    }

    /// <summary>Each request of each fit with its answer, in plan and source order.</summary>
    public IEnumerable<(FitPlan Fit, FitRequest Request, object Answer)> Answers()
    {
        for (int f = 0; f < _layout.Fits.Count; f++)
        {
            FitInput input = _layout.Fits[f];
            for (int r = 0; r < input.Fit.Requests.Count; r++)
            {
                FitRequest request = input.Fit.Requests[r];
                int column = input.RequestColumns[r];
                yield return (input.Fit, request, column < 0 ? _rows[f] : _columns[f][column].Answer(request));
            }
        }
    }

    public void Dispose() => _lease.Dispose();

    // Holds what the state now needs from the budget, or stops the run naming the column that grew the most.
    private void Reserve()
    {
        long needed = Bytes;
        if (needed <= _lease.Bytes)
        {
            return;
        }
        long extra = Math.Max(needed - _lease.Bytes, LeaseStep);
        if (_budget.TryGrow(_lease, extra) || _budget.TryGrow(_lease, needed - _lease.Bytes))
        {
            return;
        }
        (int fit, ColumnFit column) = _columns.SelectMany((columns, f) => columns.Select(c => (f, c))).MaxBy(x => x.c.Bytes);
        string MiB(long bytes) => $"{bytes / (double)(1 << 20):0.#} MiB";
        throw new PipelineExecutionException(
            $"Fit stage '{_layout.Fits[fit].Fit.Stage}' cannot keep {column.Growing} of column '{column.Column.Name}' within the memory budget: the first pass's statistics of this partition need {MiB(needed)} "
            + $"({MiB(column.Bytes)} for that column) and the {MiB(_budget.Bytes)} budget has {MiB(Math.Max(0, _budget.Bytes - _budget.InUse))} free. "
            + (column.Column.Needs.HasFlag(FitNeeds.Distinct) ? "Ask for ApproxDistinct (a 16 KiB HyperLogLog sketch) instead of Distinct, or " : "")
            + "raise the budget (--memory-budget, or memoryBudget: in pipeline.yaml) or read fewer partitions at once (--parallelism).");
    }
}
