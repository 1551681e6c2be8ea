using System.Globalization;
using Dsl.Testing;

namespace Dsl.Parquet.Tests.Interop;

/// <summary>
/// What a .NET user's own reader makes of our files: Parquet.Net (managed) and ParquetSharp (Apache Arrow's C++
/// reader) read a file written with the default options value for value, every type, nulls, NaN and several row
/// groups. (A default file with a timestamp column once stopped Parquet.Net: DELTA_BINARY_PACKED timestamps.)
/// </summary>
public sealed class DotNetReaderInteropTests : IDisposable
{
    private const int Rows = 5_000;
    private const int NullEvery = 7;

    private readonly TempDirectory _temp = TempDirectory.Create("dsl-dotnet-interop");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task ParquetNet_ReadsADefaultFile_ValueForValue()
    {
        string path = WriteDefaultFile();
        // The default still delta-encodes plain ints where that is smaller (Parquet.Net reads those), never timestamps.
        using (var ours = new ParquetFileReader(path))
        {
            Dsl.Parquet.Metadata.ColumnMetaData Chunk(string name) => ours.Metadata.RowGroups[0].Columns[BatchFactory.AllTypes.IndexOf(name)].MetaData!;
            Assert.Contains(Dsl.Parquet.Metadata.ParquetEncoding.DeltaBinaryPacked, Chunk("i64").Encodings);
            Assert.DoesNotContain(Dsl.Parquet.Metadata.ParquetEncoding.DeltaBinaryPacked, Chunk("ts").Encodings);
            Assert.DoesNotContain(Dsl.Parquet.Metadata.ParquetEncoding.DeltaBinaryPacked, Chunk("tsn").Encodings);
        }
        await using FileStream stream = File.OpenRead(path);
        await using global::Parquet.ParquetReader reader = await global::Parquet.ParquetReader.CreateAsync(stream);
        global::Parquet.Schema.DataField[] fields = reader.Schema.GetDataFields();
        Assert.Equal(BatchFactory.AllTypes.Count, fields.Length);
        var rows = new Dictionary<string, List<object?>>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using global::Parquet.ParquetRowGroupReader group = reader.OpenRowGroupReader(g);
            foreach (global::Parquet.Schema.DataField field in fields)
            {
                List<object?> values = rows.TryGetValue(field.Name, out List<object?>? list) ? list : rows[field.Name] = [];
                values.AddRange(await ReadColumn(group, field, checked((int)group.RowCount)));
            }
        }
        AssertValues(name => rows[name]);
    }

    [Fact]
    public void ParquetSharp_ReadsADefaultFile_ValueForValue()
    {
        string path = WriteDefaultFile();
        using var file = new ParquetSharp.ParquetFileReader(path);
        int columns = file.FileMetaData.NumColumns;
        Assert.Equal(BatchFactory.AllTypes.Count, columns);
        var rows = new Dictionary<string, List<object?>>();
        for (int g = 0; g < file.FileMetaData.NumRowGroups; g++)
        {
            using ParquetSharp.RowGroupReader group = file.RowGroup(g);
            int count = checked((int)group.MetaData.NumRows);
            for (int c = 0; c < columns; c++)
            {
                using ParquetSharp.ColumnReader column = group.Column(c);
                string name = column.ColumnDescriptor.Name;
                List<object?> values = rows.TryGetValue(name, out List<object?>? list) ? list : rows[name] = [];
                values.AddRange(ReadColumn(column, count));
            }
        }
        AssertValues(name => rows[name]);
    }

    // Parquet.Net's typed reads: a Memory of the column's .NET type, nullable where the column is.
    private static async Task<IEnumerable<object?>> ReadColumn(global::Parquet.ParquetRowGroupReader group, global::Parquet.Schema.DataField parquetField, int count)
    {
        ColumnField field = BatchFactory.AllTypes[BatchFactory.AllTypes.IndexOf(parquetField.Name)];
        switch (field.Type, field.Nullable)
        {
            case (ColumnType.String, _):
            {
                var strings = new string?[count];
                await group.ReadAsync(parquetField, strings.AsMemory());
                return strings;
            }
            case (ColumnType.Binary, _):
            {
                var bytes = new byte[]?[count];
                await group.ReadAsync(parquetField, bytes.AsMemory());
                return bytes;
            }
            case (ColumnType.Int32, _): return await Read<int>(group, parquetField, count, field.Nullable);
            case (ColumnType.Int64, _): return await Read<long>(group, parquetField, count, field.Nullable);
            case (ColumnType.Float, _): return await Read<float>(group, parquetField, count, field.Nullable);
            case (ColumnType.Double, _): return await Read<double>(group, parquetField, count, field.Nullable);
            case (ColumnType.Boolean, _): return await Read<bool>(group, parquetField, count, field.Nullable);
            case (ColumnType.Timestamp, _): return await Read<DateTime>(group, parquetField, count, field.Nullable);
            default: throw new ArgumentOutOfRangeException(nameof(parquetField), field.Type, "not in the all-types table");
        }
    }

    private static async Task<IEnumerable<object?>> Read<T>(global::Parquet.ParquetRowGroupReader group, global::Parquet.Schema.DataField parquetField, int count, bool nullable)
        where T : struct
    {
        if (nullable)
        {
            var nullableValues = new T?[count];
            await group.ReadAsync<T>(parquetField, nullableValues.AsMemory());
            return nullableValues.Select(v => v is T value ? (object?)value : null);
        }
        var values = new T[count];
        await group.ReadAsync<T>(parquetField, values.AsMemory());
        return values.Select(v => (object?)v);
    }

    // The logical reader of each column gives .NET values: int?, long?, float?, double?, bool?, string, byte[], DateTime?.
    private static IEnumerable<object?> ReadColumn(ParquetSharp.ColumnReader column, int count)
    {
        ColumnField field = BatchFactory.AllTypes[BatchFactory.AllTypes.IndexOf(column.ColumnDescriptor.Name)];
        return (field.Type, field.Nullable) switch
        {
            (ColumnType.Int32, false) => Read<int>(column, count),
            (ColumnType.Int32, true) => Read<int?>(column, count),
            (ColumnType.Int64, false) => Read<long>(column, count),
            (ColumnType.Int64, true) => Read<long?>(column, count),
            (ColumnType.Float, false) => Read<float>(column, count),
            (ColumnType.Float, true) => Read<float?>(column, count),
            (ColumnType.Double, false) => Read<double>(column, count),
            (ColumnType.Double, true) => Read<double?>(column, count),
            (ColumnType.Boolean, false) => Read<bool>(column, count),
            (ColumnType.Boolean, true) => Read<bool?>(column, count),
            (ColumnType.String, _) => Read<string>(column, count),
            (ColumnType.Binary, _) => Read<byte[]>(column, count),
            (ColumnType.Timestamp, false) => Read<DateTime>(column, count),
            (ColumnType.Timestamp, true) => Read<DateTime?>(column, count),
            _ => throw new ArgumentOutOfRangeException(nameof(column), field.Type, "not in the all-types table"),
        };
    }

    private static IEnumerable<object?> Read<T>(ParquetSharp.ColumnReader column, int count)
    {
        using ParquetSharp.LogicalColumnReader<T> reader = column.LogicalReader<T>();
        return reader.ReadAll(count).Select(v => (object?)v).ToArray();
    }

    private string WriteDefaultFile()
    {
        string path = _temp.Combine("defaults.parquet");
        // Default options, except row groups small enough that there are several.
        using var writer = new ParquetFileWriter(path, BatchFactory.AllTypes, new ParquetWriteOptions { RowGroupRows = 2_000 });
        using RecordBatch batch = BatchFactory.Create(0, Rows, NullEvery);
        writer.WriteBatch(batch);
        return path;
    }

    private static void AssertValues(Func<string, List<object?>> column)
    {
        foreach (ColumnField field in BatchFactory.AllTypes.Fields)
        {
            List<object?> values = column(field.Name);
            Assert.Equal(Rows, values.Count);
            for (int r = 0; r < Rows; r++)
            {
                Assert.True(Text(BatchFactory.Expected(field, r, NullEvery)) == Text(values[r]), $"{field.Name} row {r}: expected {Text(BatchFactory.Expected(field, r, NullEvery))}, read {Text(values[r])}");
            }
        }
    }

    // One text form for both sides: floats by their bits (NaN included), timestamps to the microsecond, bytes as hex.
    private static string Text(object? value) => value switch
    {
        null => "null",
        float f => "f" + BitConverter.SingleToInt32Bits(f).ToString(CultureInfo.InvariantCulture),
        double d => "d" + BitConverter.DoubleToInt64Bits(d).ToString(CultureInfo.InvariantCulture),
        DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        DateTimeOffset t => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
        byte[] b => Convert.ToHexString(b),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
