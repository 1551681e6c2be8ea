namespace Dsl.Barriers.Aggregation;

/// <summary>
/// The batch being added, with each input column widened once however many outputs read it. The batch's columns are
/// found by name, so it may hold them in any order and other columns too (the pipeline input as scanned).
/// </summary>
internal sealed class BatchInput
{
    private readonly AggregateLayout _layout;
    private readonly ColumnValues?[] _values;
    private readonly int[] _loadedFor;
    private int _generation;

    public BatchInput(AggregateLayout layout)
    {
        _layout = layout;
        _values = new ColumnValues?[layout.Input.Count];
        _loadedFor = new int[layout.Input.Count];
        foreach (AggregateColumn column in layout.Columns)
        {
            Prepare(layout, column.InputIndex);
            Prepare(layout, column.OrderIndex);
        }
    }

    public RecordBatch Batch { get; private set; } = null!;

    public void Start(RecordBatch batch)
    {
        Batch = batch;
        _generation++;
    }

    /// <summary>Input column <paramref name="index"/>'s values in the current batch.</summary>
    public ColumnValues Values(int index)
    {
        ColumnValues values = _values[index] ?? throw new InvalidOperationException($"Input column {index} is not read as values.");
        if (_loadedFor[index] != _generation)
        {
            values.Load(Batch[_layout.Input[index].Name]);
            _loadedFor[index] = _generation;
        }
        return values;
    }

    private void Prepare(AggregateLayout layout, int index)
    {
        if (index >= 0 && _values[index] is null && ValueKinds.Of(layout.Input[index].Type) is not null)
        {
            _values[index] = new ColumnValues(layout.Input[index]);
        }
    }
}
