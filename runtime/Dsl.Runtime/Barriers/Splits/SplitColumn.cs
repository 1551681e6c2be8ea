using Dsl.Execution;

namespace Dsl.Barriers.Splits;

/// <summary>
/// A sink's split as a column: each row's subset name appended as a <c>split</c> column, which the sink's writer turns
/// into <c>split=NAME/</c> folders (the first partition column, before any the user gives) and leaves out of the files.
/// </summary>
internal sealed class SplitColumn
{
    private readonly SplitAssigner _assigner;
    private readonly Utf8Dictionary _names;

    /// <summary>
    /// The split of rows of <paramref name="schema"/> (the sink's schema) by <paramref name="plan"/>; a stratified one
    /// takes the <paramref name="cuts"/> the counts of all its rows give (<see cref="StrataHistogram.ComputeCuts"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The plan does not fit the schema, or cuts are missing or do not fit it.</exception>
    public SplitColumn(SplitPlan plan, BatchSchema schema, SplitCuts? cuts = null)
    {
        _assigner = new SplitAssigner(plan, schema, cuts);
        _names = Utf8Dictionary.FromStrings([.. plan.Names]);
        Schema = new BatchSchema([.. schema.Fields, new ColumnField(SplitPlanValidation.FolderColumn, ColumnType.String, false)]);
    }

    /// <summary>The sink's schema with the <c>split</c> column last.</summary>
    public BatchSchema Schema { get; }

    /// <summary>
    /// <paramref name="batch"/> with each row's subset appended. The result shares the batch's columns, so it is not
    /// disposed: the new column is added to <paramref name="created"/>, which the caller disposes once it is written.
    /// </summary>
    public RecordBatch Append(RecordBatch batch, List<Column> created)
    {
        int[] subsets = new int[batch.RowCount];
        _assigner.Assign(batch, subsets);
        var column = new StringColumn(ColumnType.String, _names, subsets, batch.RowCount, null);
        created.Add(column);
        return new RecordBatch(Schema, [.. batch.Columns, column], batch.RowCount);
    }
}
