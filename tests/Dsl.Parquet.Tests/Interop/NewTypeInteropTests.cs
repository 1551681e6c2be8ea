using Dsl.Testing;

namespace Dsl.Parquet.Tests.Interop;

/// <summary>
/// The newer column types (small and unsigned integers, FLOAT16, UUID, DECIMAL, TIME and TIMESTAMP in nanoseconds) as
/// we write them are read value for value by ParquetSharp (Apache Arrow's C++ reader), nulls included.
/// </summary>
public sealed class NewTypeInteropTests : IDisposable
{
    private const int Rows = 1000;
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-newtypes");

    public void Dispose() => _temp.Dispose();

    private static T Pick<T>(T[] values, int row) => values[row % values.Length];

    private static readonly sbyte[] Int8s = [sbyte.MinValue, -1, 0, 1, sbyte.MaxValue];
    private static readonly short[] Int16s = [short.MinValue, -1, 0, short.MaxValue];
    private static readonly byte[] UInt8s = [0, 1, 128, byte.MaxValue];
    private static readonly ushort[] UInt16s = [0, 1, 32768, ushort.MaxValue];
    private static readonly uint[] UInt32s = [0, 1, 2147483648, uint.MaxValue];
    private static readonly ulong[] UInt64s = [0, 1, 9223372036854775808, ulong.MaxValue];
    private static readonly Half[] Halves = [Half.MinValue, (Half)(-1.5), Half.Zero, Half.Epsilon, Half.MaxValue];
    private static readonly Guid[] Uuids = [Guid.Empty, new("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), new("ffffffff-ffff-ffff-ffff-ffffffffffff")];
    private static readonly Int128[] Decimals = [Int128.Parse("-99999999999999999999"), -1, 0, 12345, Int128.Parse("99999999999999999999")];
    private static readonly long[] TimeNanos = [0, 1, 43_200_000_000_123, 86_399_999_999_999];
    private static readonly long[] TimestampNanos = [long.MinValue + 1, -1, 0, 1_709_287_200_123_456_789, long.MaxValue];

    [Fact]
    public void ParquetSharp_ReadsTheNewTypes_ValueForValue()
    {
        var schema = new BatchSchema(
            new ColumnField("i8", ColumnType.Int8, true), new ColumnField("i16", ColumnType.Int16, false),
            new ColumnField("u8", ColumnType.UInt8, false), new ColumnField("u16", ColumnType.UInt16, true),
            new ColumnField("u32", ColumnType.UInt32, false), new ColumnField("u64", ColumnType.UInt64, true),
            new ColumnField("half", ColumnType.Float16, true), new ColumnField("uuid", ColumnType.Uuid, true),
            new ColumnField("dec", ColumnType.Decimal, true) { Precision = 20, Scale = 4 },
            new ColumnField("time", ColumnType.Time, false), new ColumnField("ts", ColumnType.TimestampNanos, true));
        string path = _temp.Combine("new.parquet");
        bool Null(int r) => r % 7 == 3;
        ValidityBitmap Validity()
        {
            var v = new ValidityBitmap(Rows);
            for (int r = 0; r < Rows; r++)
            {
                v.Set(r, !Null(r));
            }
            return v;
        }
        PrimitiveColumn<T> Col<T>(ColumnType type, T[] values, bool nullable)
            where T : unmanaged => PrimitiveColumn<T>.FromArray(type, Enumerable.Range(0, Rows).Select(r => Pick(values, r)).ToArray(), nullable ? Validity() : null);
        using (var batch = new RecordBatch(schema,
        [
            Col(ColumnType.Int8, Int8s, true), Col(ColumnType.Int16, Int16s, false), Col(ColumnType.UInt8, UInt8s, false), Col(ColumnType.UInt16, UInt16s, true),
            Col(ColumnType.UInt32, UInt32s, false), Col(ColumnType.UInt64, UInt64s, true), Col(ColumnType.Float16, Halves, true), Col(ColumnType.Uuid, Uuids, true),
            Col(ColumnType.Decimal, Decimals, true), Col(ColumnType.Time, TimeNanos, false), Col(ColumnType.TimestampNanos, TimestampNanos, true),
        ], Rows))
        using (var writer = new ParquetFileWriter(path, schema))
        {
            writer.WriteBatch(batch);
        }

        using var file = new ParquetSharp.ParquetFileReader(path);
        using ParquetSharp.RowGroupReader group = file.RowGroup(0);
        T?[] Nullable<T>(int c)
            where T : struct => group.Column(c).LogicalReader<T?>().ReadAll(Rows);
        T[] Required<T>(int c) => group.Column(c).LogicalReader<T>().ReadAll(Rows);
        void Check<T>(T?[] read, T[] values)
            where T : struct
        {
            for (int r = 0; r < Rows; r++)
            {
                Assert.Equal(Null(r) ? null : Pick(values, r), read[r]);
            }
        }
        Check(Nullable<sbyte>(0), Int8s);
        Assert.Equal(Enumerable.Range(0, Rows).Select(r => Pick(Int16s, r)), Required<short>(1));
        Assert.Equal(Enumerable.Range(0, Rows).Select(r => Pick(UInt8s, r)), Required<byte>(2));
        Check(Nullable<ushort>(3), UInt16s);
        Assert.Equal(Enumerable.Range(0, Rows).Select(r => Pick(UInt32s, r)), Required<uint>(4));
        Check(Nullable<ulong>(5), UInt64s);
        Check(Nullable<Half>(6), Halves);
        Check(Nullable<Guid>(7), Uuids);
        Check(Nullable<decimal>(8), Decimals.Select(d => (decimal)d / 10_000m).ToArray());
        Assert.Equal(Enumerable.Range(0, Rows).Select(r => Pick(TimeNanos, r)), Required<ParquetSharp.TimeSpanNanos>(9).Select(t => t.Ticks));
        Check(Nullable<ParquetSharp.DateTimeNanos>(10).Select(t => t?.Ticks).ToArray(), TimestampNanos);
    }
}
