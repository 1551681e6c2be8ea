using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Dsl.Execution;

/// <summary>A column that partitions a sink's output: where it is in the sink's batches and how its values are read.</summary>
/// <param name="Index">Its index in the sink's output schema.</param>
/// <param name="Name">Its name.</param>
/// <param name="Kind">How its values name folders.</param>
internal sealed record PartitionColumn(int Index, string Name, HivePartitioning.ValueKind Kind);

/// <summary>
/// The partition of every row of one batch: a group number per row and, per group, its folder path
/// (<c>a=1/b=x</c>) and its values as a JSON object for the manifest. Strings are looked at once per distinct
/// dictionary entry, not per row. Reused from batch to batch by one sink writer; not thread-safe.
/// </summary>
internal sealed class PartitionKeys
{
    private readonly string _sink;
    private readonly PartitionColumn[] _columns;
    private readonly List<LocalValue>[] _values;
    private readonly int[][] _localIds;
    private readonly Dictionary<(int, int), int> _pairs = [];
    private readonly List<int[]> _components = [];
    private readonly ArrayBufferWriter<byte> _json = new(256);
    private int[] _groupOfRow = [];

    public PartitionKeys(string sink, PartitionColumn[] columns)
    {
        _sink = sink;
        _columns = columns;
        _values = columns.Select(_ => new List<LocalValue>()).ToArray();
        _localIds = new int[columns.Length][];
    }

    /// <summary>The group of each row of the last batch (its first RowCount entries).</summary>
    public ReadOnlySpan<int> GroupOfRow => _groupOfRow;

    /// <summary>The groups of the last batch, in order of their first row.</summary>
    public List<(string Folder, string Json)> Groups { get; } = [];

    /// <summary>Finds the groups of <paramref name="batch"/>, a batch of the sink's output schema.</summary>
    public void Compute(RecordBatch batch)
    {
        int rows = batch.RowCount;
        if (_groupOfRow.Length < rows)
        {
            _groupOfRow = new int[rows];
            for (int j = 0; j < _columns.Length; j++)
            {
                _localIds[j] = new int[rows];
            }
        }
        for (int j = 0; j < _columns.Length; j++)
        {
            _values[j].Clear();
            Encode(batch[_columns[j].Index], _columns[j], _localIds[j].AsSpan(0, rows), _values[j]);
        }

        // Combine the columns' value numbers into group numbers, in order of first appearance.
        Span<int> groups = _groupOfRow.AsSpan(0, rows);
        _components.Clear();
        if (_columns.Length == 1)
        {
            _localIds[0].AsSpan(0, rows).CopyTo(groups);
            for (int v = 0; v < _values[0].Count; v++)
            {
                _components.Add([v]);
            }
        }
        else
        {
            _localIds[0].AsSpan(0, rows).CopyTo(groups);
            var previous = new List<int[]>(_values[0].Count);
            for (int v = 0; v < _values[0].Count; v++)
            {
                previous.Add([v]);
            }
            for (int j = 1; j < _columns.Length; j++)
            {
                _pairs.Clear();
                var next = new List<int[]>();
                ReadOnlySpan<int> local = _localIds[j].AsSpan(0, rows);
                for (int r = 0; r < rows; r++)
                {
                    if (!_pairs.TryGetValue((groups[r], local[r]), out int group))
                    {
                        group = next.Count;
                        _pairs[(groups[r], local[r])] = group;
                        next.Add([.. previous[groups[r]], local[r]]);
                    }
                    groups[r] = group;
                }
                previous = next;
            }
            _components.AddRange(previous);
        }

        Groups.Clear();
        var folder = new StringBuilder();
        foreach (int[] component in _components)
        {
            folder.Clear();
            _json.Clear();
            using (var json = new Utf8JsonWriter(_json))
            {
                json.WriteStartObject();
                for (int j = 0; j < _columns.Length; j++)
                {
                    LocalValue value = _values[j][component[j]];
                    if (j > 0)
                    {
                        folder.Append('/');
                    }
                    folder.Append(value.Segment);
                    HivePartitioning.WriteJson(json, _columns[j].Name, _columns[j].Kind, value.Number, value.Text, value.IsNull);
                }
                json.WriteEndObject();
            }
            Groups.Add((folder.ToString(), Encoding.UTF8.GetString(_json.WrittenSpan)));
        }
    }

    // Numbers each distinct value of one column in order of first appearance; nulls (and, for strings, the empty
    // string, which shares their folder) get one number.
    private void Encode(Column column, PartitionColumn partition, Span<int> ids, List<LocalValue> values)
    {
        int nullId = -1;
        int NullId(List<LocalValue> list)
        {
            if (nullId < 0)
            {
                nullId = list.Count;
                list.Add(new LocalValue(HivePartitioning.Segment(_sink, partition.Name, HivePartitioning.DefaultPartition), 0, null, IsNull: true));
            }
            return nullId;
        }
        ValidityBitmap? validity = column.Validity;
        switch (partition.Kind)
        {
            case HivePartitioning.ValueKind.Text:
            {
                var strings = (StringColumn)column;
                ReadOnlySpan<int> indices = strings.Indices;
                var byEntry = new Dictionary<int, int>();
                var byText = new Dictionary<string, int>(StringComparer.Ordinal);
                for (int r = 0; r < ids.Length; r++)
                {
                    if (validity is not null && !validity.IsValid(r))
                    {
                        ids[r] = NullId(values);
                        continue;
                    }
                    if (!byEntry.TryGetValue(indices[r], out int id))
                    {
                        string text = strings.Dictionary.GetString(indices[r]);
                        if (text.Length == 0)
                        {
                            id = NullId(values);
                        }
                        else if (!byText.TryGetValue(text, out id))
                        {
                            // Equal entries can sit at several dictionary indices: one number per distinct text.
                            id = values.Count;
                            byText[text] = id;
                            values.Add(new LocalValue(HivePartitioning.Segment(_sink, partition.Name, HivePartitioning.FolderValue(text)), 0, text, IsNull: false));
                        }
                        byEntry[indices[r]] = id;
                    }
                    ids[r] = id;
                }
                break;
            }
            case HivePartitioning.ValueKind.Int32 or HivePartitioning.ValueKind.Date:
                EncodeNumbers(((PrimitiveColumn<int>)column).Values, validity, partition, ids, values, NullId);
                break;
            case HivePartitioning.ValueKind.Int64:
                EncodeNumbers(((PrimitiveColumn<long>)column).Values, validity, partition, ids, values, NullId);
                break;
            case HivePartitioning.ValueKind.Boolean:
                EncodeNumbers(((PrimitiveColumn<bool>)column).Values, validity, partition, ids, values, NullId);
                break;
            default:
                throw new InvalidOperationException($"Partition column '{partition.Name}' has value kind {partition.Kind}, which has no encoder.");
        }
    }

    private void EncodeNumbers<T>(ReadOnlySpan<T> source, ValidityBitmap? validity, PartitionColumn partition, Span<int> ids, List<LocalValue> values, Func<List<LocalValue>, int> nullId)
        where T : unmanaged, IEquatable<T>
    {
        var byValue = new Dictionary<T, int>();
        for (int r = 0; r < ids.Length; r++)
        {
            if (validity is not null && !validity.IsValid(r))
            {
                ids[r] = nullId(values);
                continue;
            }
            T value = source[r];
            if (!byValue.TryGetValue(value, out int id))
            {
                id = values.Count;
                byValue[value] = id;
                long number = value switch
                {
                    int i => i,
                    long l => l,
                    bool b => b ? 1 : 0,
                    _ => throw new InvalidOperationException($"Partition column '{partition.Name}' stores {typeof(T).Name} values, which have no encoder."),
                };
                values.Add(new LocalValue(HivePartitioning.Segment(_sink, partition.Name, HivePartitioning.Format(partition.Kind, number)), number, null, IsNull: false));
            }
            ids[r] = id;
        }
    }

    // One distinct value of one column in the current batch: its folder segment and what the manifest says of it.
    private readonly record struct LocalValue(string Segment, long Number, string? Text, bool IsNull);
}
