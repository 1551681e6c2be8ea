using System.Text.Json;

namespace Dsl.Validation.Statistics;

/// <summary>
/// The statistics of one schema's rows in a run: the row count and a <see cref="ColumnStatistics"/> for each column
/// that a gate or a profile needs. A task creates one per schema it measures, observes each batch, and saves it with
/// its commit; the job merges the tasks' states.
/// </summary>
internal sealed class SchemaStatistics
{
    private readonly List<ColumnStatistics> _columns;
    private int[]? _positions;
    private BatchSchema? _positionsFor;

    private SchemaStatistics(string name, List<ColumnStatistics> columns)
    {
        Name = name;
        _columns = columns;
    }

    /// <summary>The schema's name (as in <see cref="Execution.PipelinePlan.Schemas"/>).</summary>
    public string Name { get; }

    /// <summary>Rows observed.</summary>
    public long Rows { get; private set; }

    /// <summary>The columns measured, in the order they were asked for.</summary>
    public IReadOnlyList<ColumnStatistics> Columns => _columns;

    /// <summary>
    /// Statistics of <paramref name="columns"/> (column name → kinds) of <paramref name="schema"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A column is not in the schema.</exception>
    public static SchemaStatistics Create(string name, BatchSchema schema, IReadOnlyDictionary<string, StatisticKinds> columns)
    {
        var stats = new List<ColumnStatistics>();
        foreach ((string column, StatisticKinds kinds) in columns)
        {
            int index = schema.IndexOf(column);
            if (index < 0)
            {
                throw new ArgumentException($"Schema '{name}' has no column '{column}' to gather statistics of; its columns are {string.Join(", ", schema.Fields.Select(f => f.Name))}.", nameof(columns));
            }
            stats.Add(new ColumnStatistics(schema[index], kinds));
        }
        return new SchemaStatistics(name, stats);
    }

    /// <summary>Statistics of every column of <paramref name="schema"/> with every kind its type supports, for a profile.</summary>
    public static SchemaStatistics ForProfile(string name, BatchSchema schema) =>
        Create(name, schema, schema.Fields.ToDictionary(f => f.Name, _ => StatisticKinds.All));

    /// <summary>Looks a column up by name.</summary>
    public ColumnStatistics? Column(string name) => _columns.Find(c => c.Field.Name == name);

    /// <summary>Adds a batch of the schema's rows.</summary>
    /// <exception cref="ArgumentException">The batch lacks a measured column.</exception>
    public void Observe(RecordBatch batch)
    {
        if (!ReferenceEquals(batch.Schema, _positionsFor))
        {
            _positions = new int[_columns.Count];
            for (int i = 0; i < _columns.Count; i++)
            {
                string column = _columns[i].Field.Name;
                _positions[i] = batch.Schema.IndexOf(column);
                if (_positions[i] < 0)
                {
                    throw new ArgumentException($"A batch of schema '{Name}' has no column '{column}'; its columns are {string.Join(", ", batch.Schema.Fields.Select(f => f.Name))}.", nameof(batch));
                }
            }
            _positionsFor = batch.Schema;
        }
        Rows += batch.RowCount;
        for (int i = 0; i < _columns.Count; i++)
        {
            _columns[i].Observe(batch[_positions![i]]);
        }
    }

    /// <summary>Adds <paramref name="other"/>'s rows.</summary>
    /// <exception cref="ArgumentException">The other state measures another schema or other columns.</exception>
    public void Merge(SchemaStatistics other)
    {
        if (other.Name != Name || other._columns.Count != _columns.Count)
        {
            throw new ArgumentException($"Statistics of schema '{Name}' ({_columns.Count} columns) cannot merge those of '{other.Name}' ({other._columns.Count} columns).", nameof(other));
        }
        Rows += other.Rows;
        for (int i = 0; i < _columns.Count; i++)
        {
            _columns[i].Merge(other._columns[i]);
        }
    }

    /// <summary>Writes the state as a JSON object.</summary>
    public void WriteJson(Utf8JsonWriter json)
    {
        json.WriteStartObject();
        json.WriteString("schema", Name);
        json.WriteNumber("rows", Rows);
        json.WriteStartArray("columns");
        foreach (ColumnStatistics column in _columns)
        {
            column.WriteJson(json);
        }
        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>Reads a state written by <see cref="WriteJson"/>.</summary>
    public static SchemaStatistics Read(JsonFields fields)
    {
        var stats = new SchemaStatistics(fields.String("schema"), [.. fields.Objects("columns").Select(ColumnStatistics.Read)])
        {
            Rows = fields.Count("rows"),
        };
        foreach (ColumnStatistics column in stats._columns)
        {
            if (column.Rows != stats.Rows)
            {
                throw fields.Error($"column '{column.Field.Name}' counts {column.Rows} rows but the schema counts {stats.Rows}.");
            }
        }
        return stats;
    }
}
