namespace Dsl.Validation;

/// <summary>
/// The rows of one batch that broke a row rule, as a kernel reports them: the rule's index in
/// <see cref="Execution.PipelinePlan.Rules"/> and the row's position in the kernel's input batch, in the order the
/// kernel met them (a row may appear under several rules). A row error also keeps the exception's message. The
/// runtime reads them after the kernel returns and routes each by its rule's action; one instance is reused batch
/// after batch (<see cref="Clear"/>), so reporting allocates only when a batch breaks more rows than any before it.
/// </summary>
public sealed class RowViolations
{
    private int[] _rules = new int[64];
    private int[] _rows = new int[64];
    private List<(int At, string Message)>? _messages;

    /// <summary>How many (rule, row) pairs were reported since the last <see cref="Clear"/>.</summary>
    public int Count { get; private set; }

    /// <summary>The rule index of each pair.</summary>
    public ReadOnlySpan<int> Rules => _rules.AsSpan(0, Count);

    /// <summary>The row position of each pair.</summary>
    public ReadOnlySpan<int> Rows => _rows.AsSpan(0, Count);

    /// <summary>Reports that row <paramref name="row"/> broke rule <paramref name="rule"/>.</summary>
    public void Add(int rule, int row)
    {
        if (Count == _rules.Length)
        {
            Array.Resize(ref _rules, Count * 2);
            Array.Resize(ref _rows, Count * 2);
        }
        _rules[Count] = rule;
        _rows[Count] = row;
        Count++;
    }

    /// <summary>Reports the rows <c>firstRow + lane</c> for each set bit <c>lane</c> of <paramref name="lanes"/> (a vector block's broken lanes).</summary>
    public void AddLanes(int rule, int firstRow, uint lanes)
    {
        while (lanes != 0)
        {
            int lane = System.Numerics.BitOperations.TrailingZeroCount(lanes);
            lanes &= lanes - 1;
            Add(rule, firstRow + lane);
        }
    }

    /// <summary>Reports that the stage of rule <paramref name="rule"/> (a <see cref="Execution.RuleKind.RowError"/> rule) threw <paramref name="error"/> for row <paramref name="row"/>.</summary>
    public void AddError(int rule, int row, Exception error)
    {
        (_messages ??= []).Add((Count, error.GetType().Name + ": " + error.Message));
        Add(rule, row);
    }

    /// <summary>The exception message kept for pair <paramref name="index"/>, or null when it is not a row error.</summary>
    public string? MessageOf(int index)
    {
        if (_messages is null)
        {
            return null;
        }
        foreach ((int at, string message) in _messages)
        {
            if (at == index)
            {
                return message;
            }
        }
        return null;
    }

    /// <summary>
    /// Forgets the pairs reported after the first <paramref name="count"/> (a kernel's vector block that hands its rows
    /// to the per-row code takes back what it reported for them, so no row is reported twice).
    /// </summary>
    public void Truncate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        Count = count;
        _messages?.RemoveAll(m => m.At >= count);
    }

    /// <summary>Forgets every pair, keeping the buffers.</summary>
    public void Clear()
    {
        Count = 0;
        _messages?.Clear();
    }
}
