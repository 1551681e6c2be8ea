using System.Globalization;

namespace Dsl.Barriers.Splits;

/// <summary>What kind of value a <see cref="StratumValue"/> is.</summary>
internal enum StratumKind : byte
{
    /// <summary>The rows whose stratify column is null: a stratum of their own.</summary>
    Null = 0,

    /// <summary>A bool value (<see cref="StratumValue.Number"/> 0 or 1).</summary>
    Boolean = 1,

    /// <summary>An int or long value (<see cref="StratumValue.Number"/>); an int and a long holding 7 are one stratum.</summary>
    Integer = 2,

    /// <summary>A string value (<see cref="StratumValue.Text"/>), compared ordinally.</summary>
    Text = 3,
}

/// <summary>One value of a split's stratify column: the rows holding it are split in the asked proportions on their own.</summary>
internal readonly record struct StratumValue(StratumKind Kind, long Number, string? Text) : IComparable<StratumValue>
{
    /// <summary>The null stratum.</summary>
    public static StratumValue Null => new(StratumKind.Null, 0, null);

    /// <summary>Whether values of <paramref name="type"/> can stratify a split: bool, int, long and string.</summary>
    public static bool IsSupported(ColumnType type) => type is ColumnType.Boolean or ColumnType.Int32 or ColumnType.Int64 or ColumnType.String;

    /// <summary>Orders by kind, then number, then text ordinally: the order strata are written and cut in.</summary>
    public int CompareTo(StratumValue other)
    {
        int order = Kind.CompareTo(other.Kind);
        if (order == 0)
        {
            order = Number.CompareTo(other.Number);
        }
        return order != 0 ? order : string.CompareOrdinal(Text, other.Text);
    }

    /// <summary>The value as an error message shows it: <c>null</c>, <c>true</c>, <c>42</c>, <c>'US'</c>.</summary>
    public override string ToString() => Kind switch
    {
        StratumKind.Null => "null",
        StratumKind.Boolean => Number != 0 ? "true" : "false",
        StratumKind.Integer => Number.ToString(CultureInfo.InvariantCulture),
        _ => $"'{Text}'",
    };
}

/// <summary>
/// Maps each row of a batch to the state kept for its stratum (a histogram while counting, cut points while
/// assigning), creating it on first sight through a factory. String columns are resolved once per dictionary entry.
/// </summary>
internal sealed class StratumResolver<T>(string column, Func<StratumValue, T> create)
    where T : class
{
    private readonly Dictionary<long, T> _integers = [];
    private readonly Dictionary<string, T> _texts = new(StringComparer.Ordinal);
    private readonly T?[] _booleans = new T?[2];
    private T? _null;

    /// <summary>The stratify column.</summary>
    public string Column { get; } = column;

    /// <summary>Writes the state of each row's stratum of <paramref name="batch"/> to <paramref name="states"/>.</summary>
    /// <exception cref="InvalidOperationException">The batch lacks the column or holds it with an unsupported type.</exception>
    public void Resolve(RecordBatch batch, Span<T> states)
    {
        int index = batch.Schema.IndexOf(Column);
        if (index < 0 || !StratumValue.IsSupported(batch.Schema[index].Type))
        {
            string held = index < 0 ? "does not hold it" : $"holds it as {batch.Schema[index].TypeName}";
            throw new InvalidOperationException($"The split's stratify column '{Column}' must be a bool, int, long or string column, but the batch {held}.");
        }
        Column column = batch[index];
        ValidityBitmap? validity = column.Validity;
        int rows = batch.RowCount;
        switch (column)
        {
            case StringColumn strings:
                ResolveStrings(strings, states[..rows]);
                return;
            case PrimitiveColumn<bool> booleans:
                ReadOnlySpan<bool> flags = booleans.Values;
                for (int row = 0; row < rows; row++)
                {
                    states[row] = validity is not null && !validity.IsValid(row) ? NullState() : BooleanState(flags[row]);
                }
                return;
            case PrimitiveColumn<int> ints:
                ReadOnlySpan<int> small = ints.Values;
                for (int row = 0; row < rows; row++)
                {
                    states[row] = validity is not null && !validity.IsValid(row) ? NullState() : IntegerState(small[row]);
                }
                return;
            case PrimitiveColumn<long> longs:
                ReadOnlySpan<long> large = longs.Values;
                for (int row = 0; row < rows; row++)
                {
                    states[row] = validity is not null && !validity.IsValid(row) ? NullState() : IntegerState(large[row]);
                }
                return;
        }
        throw new InvalidOperationException($"The split's stratify column '{Column}' holds a {column.GetType().Name}, which is not a bool, int, long or string column.");
    }

    private void ResolveStrings(StringColumn column, Span<T> states)
    {
        ValidityBitmap? validity = column.Validity;
        ReadOnlySpan<int> indices = column.Indices;
        string[] entries = column.Dictionary.Strings;
        // Each dictionary entry is looked up once per batch, unless the dictionary is much larger than the batch.
        T?[]? byEntry = entries.Length <= 4 * Math.Max(states.Length, 16) ? new T?[entries.Length] : null;
        for (int row = 0; row < states.Length; row++)
        {
            if (validity is not null && !validity.IsValid(row))
            {
                states[row] = NullState();
                continue;
            }
            int e = indices[row];
            states[row] = byEntry is null ? TextState(entries[e]) : byEntry[e] ??= TextState(entries[e]);
        }
    }

    private T NullState() => _null ??= create(StratumValue.Null);

    private T BooleanState(bool value) => _booleans[value ? 1 : 0] ??= create(new StratumValue(StratumKind.Boolean, value ? 1 : 0, null));

    private T IntegerState(long value)
    {
        if (!_integers.TryGetValue(value, out T? state))
        {
            state = create(new StratumValue(StratumKind.Integer, value, null));
            _integers.Add(value, state);
        }
        return state;
    }

    private T TextState(string value)
    {
        if (!_texts.TryGetValue(value, out T? state))
        {
            state = create(new StratumValue(StratumKind.Text, 0, value));
            _texts.Add(value, state);
        }
        return state;
    }
}
