using Dsl.Parquet;
using Dsl.Training;
using Microsoft.ML;

namespace Dsl.MLNet;

/// <summary>
/// An ML.NET <see cref="IDataView"/> over a committed Dsl output: the Parquet parts its <c>_manifest.json</c> lists
/// for one sink, read column by column in batches, so ML.NET trainers such as FastTree train on a pipeline's features
/// straight from its Parquet parts.
/// </summary>
/// <remarks>
/// <para>
/// Types: FLOAT and FLOAT16 are <c>Single</c>, DOUBLE is <c>Double</c>, each integer type its own
/// <c>NumberDataViewType</c>, BOOLEAN <c>Boolean</c>, STRING <c>Text</c>, TIMESTAMP <c>DateTime</c> (UTC ones
/// <c>DateTimeOffset</c>), DATE <c>DateTime</c>, TIME <c>TimeSpan</c>. Nanosecond timestamps, decimals, bytes, UUIDs
/// and nested columns are refused, naming the column.
/// </para>
/// <para>
/// Nulls: a null float or double is NaN; a nullable integer column is a <c>Double</c> column whose nulls are NaN (a
/// 64-bit value a double cannot hold exactly stops the cursor). Boolean, Text and the time types have no missing
/// value in ML.NET, so a null there stops the cursor with an error naming the file, row group, row and column.
/// </para>
/// <para>
/// Reading: a cursor reads only the columns it is asked for, one batch of at most <see cref="BatchRows"/> rows at a
/// time, so memory follows the batch, not the files. <see cref="GetRowCursorSet"/> splits the row groups into
/// contiguous runs of about equal rows, one cursor each, so ML.NET's parallel consumers read in parallel. Row ids are
/// each row's position in the serial order. The view cannot shuffle (<see cref="CanShuffle"/> is false); ML.NET's
/// <c>ShuffleRows</c> shuffles it.
/// </para>
/// </remarks>
public sealed class DslDataView : IDataView
{
    /// <summary>The default of <see cref="BatchRows"/>.</summary>
    public const int DefaultBatchRows = 8192;

    private readonly ColumnBinding[] _bindings;
    private readonly RowGroupChunk[] _chunks;

    private DslDataView(CommittedOutput output, ColumnBinding[] bindings, RowGroupChunk[] chunks, int batchRows)
    {
        Output = output;
        _bindings = bindings;
        _chunks = chunks;
        BatchRows = batchRows;
        var builder = new DataViewSchema.Builder();
        foreach (ColumnBinding binding in bindings)
        {
            builder.AddColumn(binding.Name, binding.Type);
        }
        Schema = builder.ToSchema();
    }

    /// <summary>The committed output the view reads: its parts, and the manifest's hash that names this state of the data.</summary>
    public CommittedOutput Output { get; }

    /// <summary>The most rows a cursor decodes at once per column.</summary>
    public int BatchRows { get; }

    /// <inheritdoc />
    public DataViewSchema Schema { get; }

    /// <summary>False: rows come in the manifest's order (ML.NET's <c>ShuffleRows</c> shuffles them where asked).</summary>
    public bool CanShuffle => false;

    /// <summary>
    /// Opens the committed output at <paramref name="outputOrManifest"/> (an output folder or its
    /// <c>_manifest.json</c>) as a data view. Only committed parts are read (through <see cref="CommittedOutput"/>);
    /// every part's footer is read here, so a damaged footer or parts whose schemas differ fail now.
    /// </summary>
    /// <param name="outputOrManifest">The output folder of a Dsl run, or its manifest.</param>
    /// <param name="sink">The sink to read, for a pipeline with several (see <see cref="CommittedOutput.Open"/>).</param>
    /// <param name="columns">The columns of the view, in this order; null for every column of the files.</param>
    /// <param name="batchRows">The most rows a cursor decodes at once.</param>
    /// <exception cref="InvalidDataException">
    /// No committed output is there, a part is missing, damaged or has another schema than the first, or the output
    /// has no parts to take a schema from; the message names the file.
    /// </exception>
    /// <exception cref="ArgumentException">A named column does not exist or is named twice.</exception>
    /// <exception cref="NotSupportedException">A column of the view has a type ML.NET cannot hold; the message names it.</exception>
    public static DslDataView FromParquet(string outputOrManifest, string? sink = null, IReadOnlyList<string>? columns = null, int batchRows = DefaultBatchRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchRows, 1);
        CommittedOutput output = CommittedOutput.Open(outputOrManifest, sink);
        if (output.Parts.Count == 0)
        {
            throw new InvalidDataException($"{output.ManifestPath}: the sink has no parts, so there is no schema to read.");
        }
        ColumnBinding[]? bindings = null;
        IReadOnlyList<OutputRowGroup> groups = output.ReadRowGroups((part, reader) =>
        {
            if (bindings is null)
            {
                bindings = Bind(part.Path, reader.Columns, columns);
            }
            else
            {
                CheckSameSchema(part.Path, output.Parts[0].Path, reader.Columns, bindings);
            }
        });
        RowGroupChunk[] chunks = [.. groups.Select((g, i) => new RowGroupChunk(g.Path, g.RowGroup, g.FirstRow, g.Rows, i))];
        return new DslDataView(output, bindings!, chunks, batchRows);
    }

    /// <summary>The rows of all parts (from the files' footers, which match the manifest).</summary>
    public long? GetRowCount() => Output.Rows;

    /// <summary>A cursor over every row, in the manifest's order, reading only <paramref name="columnsNeeded"/>.</summary>
    /// <param name="columnsNeeded">The active columns; getters of the others throw.</param>
    /// <param name="rand">Ignored: the view does not shuffle.</param>
    public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random? rand = null) =>
        new DslRowCursor(this, Active(columnsNeeded), new ArraySegment<RowGroupChunk>(_chunks));

    /// <summary>
    /// Up to <paramref name="n"/> cursors (all of the view's processors when <paramref name="n"/> is not positive), each
    /// over a contiguous run of row groups holding about the same number of rows; together they return every row exactly
    /// once. There are never more cursors than row groups, and always at least one.
    /// </summary>
    /// <param name="columnsNeeded">The active columns.</param>
    /// <param name="n">The parallelism the caller suggests.</param>
    /// <param name="rand">Ignored: the view does not shuffle.</param>
    public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random? rand = null)
    {
        bool[] active = Active(columnsNeeded);
        int count = Math.Max(1, Math.Min(n > 0 ? n : Environment.ProcessorCount, _chunks.Length));
        var cursors = new DataViewRowCursor[count];
        long total = _chunks.Length == 0 ? 0 : _chunks[^1].FirstRow + _chunks[^1].Rows;
        long RowsBefore(int chunk) => chunk < _chunks.Length ? _chunks[chunk].FirstRow : total;
        int start = 0;
        for (int i = 0; i < count; i++)
        {
            // Run i ends at the row-group boundary nearest to (i + 1) / count of the rows, leaving at least one row
            // group to each later run.
            int end = _chunks.Length;
            if (i < count - 1)
            {
                long target = total * (i + 1) / count;
                int last = _chunks.Length - (count - i - 1);
                end = start + 1;
                while (end < last && Math.Abs(RowsBefore(end + 1) - target) < Math.Abs(RowsBefore(end) - target))
                {
                    end++;
                }
            }
            cursors[i] = new DslRowCursor(this, active, new ArraySegment<RowGroupChunk>(_chunks, start, end - start));
            start = end;
        }
        return cursors;
    }

    internal ColumnBinding Binding(int column) => _bindings[column];

    private bool[] Active(IEnumerable<DataViewSchema.Column> columnsNeeded)
    {
        ArgumentNullException.ThrowIfNull(columnsNeeded);
        var active = new bool[_bindings.Length];
        foreach (DataViewSchema.Column column in columnsNeeded)
        {
            if (column.Index < 0 || column.Index >= _bindings.Length || column.Name != _bindings[column.Index].Name)
            {
                throw new ArgumentException($"Column '{column.Name}' (index {column.Index}) is not a column of this view; its columns are {string.Join(", ", _bindings.Select(b => b.Name))}.", nameof(columnsNeeded));
            }
            active[column.Index] = true;
        }
        return active;
    }

    private static ColumnBinding[] Bind(string path, IReadOnlyList<ParquetColumnInfo> files, IReadOnlyList<string>? names)
    {
        List<ParquetColumnInfo> chosen;
        if (names is null)
        {
            chosen = [.. files];
        }
        else
        {
            chosen = new List<ParquetColumnInfo>(names.Count);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string name in names)
            {
                if (!seen.Add(name))
                {
                    throw new ArgumentException($"Column '{name}' is named twice.", nameof(names));
                }
                ParquetColumnInfo? info = files.FirstOrDefault(c => c.Name == name);
                chosen.Add(info ?? throw new ArgumentException($"The output has no column '{name}'; its columns are {string.Join(", ", files.Select(c => c.Name))} ({path}).", nameof(names)));
            }
        }
        var bindings = new ColumnBinding[chosen.Count];
        for (int i = 0; i < chosen.Count; i++)
        {
            ParquetColumnInfo info = chosen[i];
            string leaveOut = names is null ? " Name the view's columns (columns:) without it." : " Leave it out of columns:.";
            if (info.Field is not { } field)
            {
                throw new NotSupportedException($"Column '{info.Name}' ({info.PhysicalTypeName} {info.LogicalTypeName}) cannot be read: {info.UnsupportedReason}.{leaveOut}");
            }
            bindings[i] = ColumnBinding.TryCreate(field, out string? reason)
                ?? throw new NotSupportedException($"Column '{field.Name}' has type {field.TypeName}, which the ML.NET view does not hold: {reason}.{leaveOut}");
        }
        return bindings;
    }

    private static void CheckSameSchema(string path, string firstPath, IReadOnlyList<ParquetColumnInfo> columns, ColumnBinding[] bindings)
    {
        foreach (ColumnBinding binding in bindings)
        {
            ParquetColumnInfo? info = columns.FirstOrDefault(c => c.Name == binding.Name);
            if (info?.Field is not { } field || field.Type != binding.Field.Type || field.Nullable != binding.Field.Nullable || field.IsAdjustedToUtc != binding.Field.IsAdjustedToUtc)
            {
                string found = info is null ? "no such column" : info.Field?.ToString() ?? $"{info.PhysicalTypeName} {info.LogicalTypeName}";
                throw new InvalidDataException($"{path}: column '{binding.Name}' is {found}, but in {firstPath} it is {binding.Field}; the parts of one output must share a schema.");
            }
        }
    }
}
