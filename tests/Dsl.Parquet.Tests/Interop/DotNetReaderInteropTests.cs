using System.Globalization;
using Dsl.Testing;

namespace Dsl.Parquet.Tests.Interop;

/// <summary>
/// Interop with the two .NET Parquet libraries, both ways: Parquet.Net (managed) and ParquetSharp (Apache Arrow's C++
/// reader and writer) read a file we write with the default options value for value, and we read theirs, every type,
/// nulls, NaN and several row groups. (A default file with a timestamp column once stopped Parquet.Net:
/// DELTA_BINARY_PACKED timestamps.)
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
            Dsl.Parquet.Metadata.ColumnMetaData Chunk(string name) => ours.Footer.RowGroups[0].Columns[BatchFactory.AllTypes.IndexOf(name)].MetaData!;
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
    public async Task ParquetNet_CannotReadDeltaEncodedTimestamps_WhichIsWhyAutoKeepsThemPlain()
    {
        // The reason IntegerEncoding.Auto documents: when this starts to pass, Parquet.Net has caught up and the
        // default may delta-encode timestamps again.
        string path = _temp.Combine("delta-ts.parquet");
        var schema = new BatchSchema(new ColumnField("ts", ColumnType.Timestamp, false));
        using (RecordBatch all = BatchFactory.Create(0, 100, NullEvery))
        using (var writer = new ParquetFileWriter(path, schema, new ParquetWriteOptions { IntegerEncoding = IntegerEncoding.DeltaBinaryPacked }))
        {
            // The one column, borrowed from the all-types batch, which owns and disposes it.
            writer.WriteBatch(new RecordBatch(schema, [all["ts"]], 100));
        }
        await using FileStream stream = File.OpenRead(path);
        await using global::Parquet.ParquetReader reader = await global::Parquet.ParquetReader.CreateAsync(stream);
        using global::Parquet.ParquetRowGroupReader group = reader.OpenRowGroupReader(0);

        var error = await Assert.ThrowsAsync<NotSupportedException>(async () => await group.ReadAsync<DateTime>(reader.Schema.GetDataFields()[0], new DateTime[100].AsMemory()));

        Assert.Contains("DELTA_BINARY_PACKED", error.Message);
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

    [Fact]
    public void OurReader_ReadsWhatParquetSharpWrites_ValueForValue()
    {
        string path = _temp.Combine("parquetsharp.parquet");
        ParquetSharp.Column[] columns = BatchFactory.AllTypes.Fields.Select(SharpColumn).ToArray();
        using (var file = new ParquetSharp.ParquetFileWriter(path, columns))
        {
            for (int start = 0; start < Rows; start += 2_000)
            {
                int count = Math.Min(2_000, Rows - start);
                using ParquetSharp.RowGroupWriter group = file.AppendRowGroup();
                foreach (ColumnField field in BatchFactory.AllTypes.Fields)
                {
                    using ParquetSharp.ColumnWriter column = group.NextColumn();
                    WriteSharp(column, field, start, count);
                }
            }
            file.Close();
        }
        AssertOurReaderReads(path);
    }

    [Fact]
    public async Task OurReader_ReadsWhatParquetNetWrites_ValueForValue()
    {
        string path = _temp.Combine("parquetnet.parquet");
        global::Parquet.Schema.DataField[] fields = BatchFactory.AllTypes.Fields.Select(NetField).ToArray();
        await using (FileStream stream = File.Create(path))
        await using (global::Parquet.ParquetWriter writer = await global::Parquet.ParquetWriter.CreateAsync(new global::Parquet.Schema.ParquetSchema(fields), stream))
        {
            for (int start = 0; start < Rows; start += 2_000)
            {
                int count = Math.Min(2_000, Rows - start);
                using global::Parquet.ParquetRowGroupWriter group = writer.CreateRowGroup();
                for (int c = 0; c < fields.Length; c++)
                {
                    await WriteNet(group, fields[c], BatchFactory.AllTypes[c], start, count);
                }
            }
        }
        AssertOurReaderReads(path);
    }

    private static ParquetSharp.Column SharpColumn(ColumnField field) => (field.Type, field.Nullable) switch
    {
        (ColumnType.Int32, false) => new ParquetSharp.Column<int>(field.Name),
        (ColumnType.Int32, true) => new ParquetSharp.Column<int?>(field.Name),
        (ColumnType.Int64, false) => new ParquetSharp.Column<long>(field.Name),
        (ColumnType.Int64, true) => new ParquetSharp.Column<long?>(field.Name),
        (ColumnType.Float, false) => new ParquetSharp.Column<float>(field.Name),
        (ColumnType.Float, true) => new ParquetSharp.Column<float?>(field.Name),
        (ColumnType.Double, false) => new ParquetSharp.Column<double>(field.Name),
        (ColumnType.Double, true) => new ParquetSharp.Column<double?>(field.Name),
        (ColumnType.Boolean, false) => new ParquetSharp.Column<bool>(field.Name),
        (ColumnType.Boolean, true) => new ParquetSharp.Column<bool?>(field.Name),
        (ColumnType.String, _) => new ParquetSharp.Column<string>(field.Name),
        (ColumnType.Binary, _) => new ParquetSharp.Column<byte[]>(field.Name),
        (ColumnType.Timestamp, false) => new ParquetSharp.Column<DateTime>(field.Name),
        (ColumnType.Timestamp, true) => new ParquetSharp.Column<DateTime?>(field.Name),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field.Type, "not in the all-types table"),
    };

    private static void WriteSharp(ParquetSharp.ColumnWriter column, ColumnField field, int start, int count)
    {
        IEnumerable<object?> values = Enumerable.Range(start, count).Select(r => BatchFactory.Expected(field, r, NullEvery));
        switch (field.Type, field.Nullable)
        {
            case (ColumnType.Int32, false): WriteAll(column, values.Cast<int>()); break;
            case (ColumnType.Int32, true): WriteAll(column, values.Select(v => (int?)v)); break;
            case (ColumnType.Int64, false): WriteAll(column, values.Cast<long>()); break;
            case (ColumnType.Int64, true): WriteAll(column, values.Select(v => (long?)v)); break;
            case (ColumnType.Float, false): WriteAll(column, values.Cast<float>()); break;
            case (ColumnType.Float, true): WriteAll(column, values.Select(v => (float?)v)); break;
            case (ColumnType.Double, false): WriteAll(column, values.Cast<double>()); break;
            case (ColumnType.Double, true): WriteAll(column, values.Select(v => (double?)v)); break;
            case (ColumnType.Boolean, false): WriteAll(column, values.Cast<bool>()); break;
            case (ColumnType.Boolean, true): WriteAll(column, values.Select(v => (bool?)v)); break;
            case (ColumnType.String, _): WriteAll(column, values.Select(v => (string?)v)); break;
            case (ColumnType.Binary, _): WriteAll(column, values.Select(v => (byte[]?)v)); break;
            case (ColumnType.Timestamp, false): WriteAll(column, values.Cast<DateTime>()); break;
            case (ColumnType.Timestamp, true): WriteAll(column, values.Select(v => (DateTime?)v)); break;
        }
    }

    private static void WriteAll<T>(ParquetSharp.ColumnWriter column, IEnumerable<T> values)
    {
        using ParquetSharp.LogicalColumnWriter<T> writer = column.LogicalWriter<T>();
        writer.WriteBatch(values.ToArray());
    }

    private static global::Parquet.Schema.DataField NetField(ColumnField field) => (field.Type, field.Nullable) switch
    {
        (ColumnType.Int32, _) => new global::Parquet.Schema.DataField(field.Name, typeof(int), field.Nullable),
        (ColumnType.Int64, _) => new global::Parquet.Schema.DataField(field.Name, typeof(long), field.Nullable),
        (ColumnType.Float, _) => new global::Parquet.Schema.DataField(field.Name, typeof(float), field.Nullable),
        (ColumnType.Double, _) => new global::Parquet.Schema.DataField(field.Name, typeof(double), field.Nullable),
        (ColumnType.Boolean, _) => new global::Parquet.Schema.DataField(field.Name, typeof(bool), field.Nullable),
        (ColumnType.String, _) => new global::Parquet.Schema.DataField(field.Name, typeof(string), field.Nullable),
        (ColumnType.Binary, _) => new global::Parquet.Schema.DataField(field.Name, typeof(byte[]), field.Nullable),
        (ColumnType.Timestamp, _) => new global::Parquet.Schema.DataField(field.Name, typeof(DateTime), field.Nullable),
        _ => throw new ArgumentOutOfRangeException(nameof(field), field.Type, "not in the all-types table"),
    };

    private static async Task WriteNet(global::Parquet.ParquetRowGroupWriter group, global::Parquet.Schema.DataField netField, ColumnField field, int start, int count)
    {
        object?[] values = Enumerable.Range(start, count).Select(r => BatchFactory.Expected(field, r, NullEvery)).ToArray();
        switch (field.Type)
        {
            case ColumnType.String:
                await group.WriteAsync(netField, values.Select(v => (string?)v).ToArray()!);
                break;
            case ColumnType.Binary:
                await group.WriteAsync(netField, values.Select(v => (byte[]?)v).ToArray()!);
                break;
            case ColumnType.Int32: await WriteNet<int>(group, netField, values, field.Nullable); break;
            case ColumnType.Int64: await WriteNet<long>(group, netField, values, field.Nullable); break;
            case ColumnType.Float: await WriteNet<float>(group, netField, values, field.Nullable); break;
            case ColumnType.Double: await WriteNet<double>(group, netField, values, field.Nullable); break;
            case ColumnType.Boolean: await WriteNet<bool>(group, netField, values, field.Nullable); break;
            case ColumnType.Timestamp: await WriteNet<DateTime>(group, netField, values, field.Nullable); break;
        }
    }

    private static async Task WriteNet<T>(global::Parquet.ParquetRowGroupWriter group, global::Parquet.Schema.DataField netField, object?[] values, bool nullable)
        where T : struct
    {
        if (nullable)
        {
            await group.WriteAsync<T>(netField, values.Select(v => (T?)v).ToArray().AsMemory());
        }
        else
        {
            await group.WriteAsync<T>(netField, values.Select(v => (T)v!).ToArray().AsMemory());
        }
    }

    private static void AssertOurReaderReads(string path)
    {
        using var reader = new ParquetFileReader(path);
        var rows = new Dictionary<string, List<object?>>();
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            using RecordBatch batch = reader.ReadRowGroup(g, null);
            for (int c = 0; c < batch.Schema.Count; c++)
            {
                List<object?> values = rows.TryGetValue(batch.Schema[c].Name, out List<object?>? list) ? list : rows[batch.Schema[c].Name] = [];
                for (int r = 0; r < batch.RowCount; r++)
                {
                    values.Add(batch[c].GetValue(r));
                }
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
