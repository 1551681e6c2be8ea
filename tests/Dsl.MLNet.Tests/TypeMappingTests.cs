using System.Runtime.InteropServices;
using Dsl.Testing;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Dsl.MLNet.Tests;

/// <summary>The view's schema and values over outputs of real runs: every type, nulls, strings.</summary>
public sealed class TypeMappingTests : IDisposable
{
    private readonly TempDirectory _temp = TempDirectory.Create("dsl-mlnet");

    public void Dispose() => _temp.Dispose();

    private static Typed[] TypedRows(int n)
    {
        var random = new Random(5);
        string[] words = ["alpha", "Zürich", "東京", "", "a\"quote", "emoji 🙂"];
        var start = new DateTime(1969, 12, 31, 23, 0, 0, DateTimeKind.Unspecified);
        var rows = new Typed[n];
        for (int i = 0; i < n; i++)
        {
            // Extremes first, then random values.
            bool low = i == 0, high = i == 1;
            rows[i] = new Typed(
                i,
                i == 2 ? float.NaN : i == 3 ? float.PositiveInfinity : (float)(random.NextDouble() * 200 - 100),
                i == 2 ? double.NaN : i == 3 ? double.NegativeInfinity : random.NextDouble() * 1e6 - 5e5,
                low ? sbyte.MinValue : high ? sbyte.MaxValue : (sbyte)random.Next(-100, 100),
                low ? short.MinValue : high ? short.MaxValue : (short)random.Next(-30_000, 30_000),
                low ? int.MinValue : high ? int.MaxValue : random.Next(),
                low ? long.MinValue : high ? long.MaxValue : random.NextInt64(),
                low ? byte.MinValue : high ? byte.MaxValue : (byte)random.Next(0, 256),
                low ? ushort.MinValue : high ? ushort.MaxValue : (ushort)random.Next(0, 65_536),
                low ? uint.MinValue : high ? uint.MaxValue : (uint)random.NextInt64(0, uint.MaxValue),
                low ? ulong.MinValue : high ? ulong.MaxValue : (ulong)random.NextInt64() * 2,
                (Half)(random.NextDouble() * 100),
                random.Next(2) == 1,
                words[random.Next(words.Length)],
                start.AddTicks(random.NextInt64(0, 10L * 365 * 24 * 3600 * 1_000_000) * 10),
                DateTime.SpecifyKind(start.AddSeconds(random.Next()), DateTimeKind.Utc),
                DateOnly.FromDateTime(start).AddDays(random.Next(-1000, 1000)),
                new TimeOnly(random.NextInt64(0, TimeSpan.TicksPerDay)));
        }
        return rows;
    }

    [Fact]
    public void EveryType_HasItsMLNetType_AndReadsTheValuesWritten()
    {
        Typed[] rows = TypedRows(500);
        DslDataView view = DslDataView.FromParquet(Outputs.Run(_temp, TypedCopy.Compiled, [rows]));

        var expected = new Dictionary<string, DataViewType>
        {
            ["Id"] = NumberDataViewType.Int64,
            ["F"] = NumberDataViewType.Single,
            ["D"] = NumberDataViewType.Double,
            ["I8"] = NumberDataViewType.SByte,
            ["I16"] = NumberDataViewType.Int16,
            ["I32"] = NumberDataViewType.Int32,
            ["I64"] = NumberDataViewType.Int64,
            ["U8"] = NumberDataViewType.Byte,
            ["U16"] = NumberDataViewType.UInt16,
            ["U32"] = NumberDataViewType.UInt32,
            ["U64"] = NumberDataViewType.UInt64,
            ["H"] = NumberDataViewType.Single,
            ["B"] = BooleanDataViewType.Instance,
            ["S"] = TextDataViewType.Instance,
            ["Ts"] = DateTimeDataViewType.Instance,
            ["TsUtc"] = DateTimeOffsetDataViewType.Instance,
            ["Day"] = DateTimeDataViewType.Instance,
            ["Time"] = TimeSpanDataViewType.Instance,
        };
        Assert.Equal(expected.Keys, view.Schema.Select(c => c.Name));
        foreach (DataViewSchema.Column column in view.Schema)
        {
            Assert.Equal(expected[column.Name], column.Type);
        }
        Assert.Equal(500, view.GetRowCount());

        List<object?[]> read = ViewRows.Read(view, [.. expected.Keys]);
        Assert.Equal(rows.Length, read.Count);
        foreach (object?[] r in read)
        {
            Typed t = rows[(long)r[0]!];
            object?[] want =
            [
                t.Id, t.F, t.D, t.I8, t.I16, t.I32, t.I64, t.U8, t.U16, t.U32, t.U64, (float)t.H, t.B, t.S, t.Ts,
                new DateTimeOffset(t.TsUtc), t.Day.ToDateTime(TimeOnly.MinValue), t.Time.ToTimeSpan(),
            ];
            Assert.Equal(want, r);
        }
        // DateTimes keep the kind the columns mean: local timestamps and dates are Unspecified, UTC ones offset 0.
        Assert.Equal(DateTimeKind.Unspecified, ((DateTime)read[0][14]!).Kind);
        Assert.Equal(TimeSpan.Zero, ((DateTimeOffset)read[0][15]!).Offset);
    }

    [Fact]
    public void Nulls_AreNaN_InFloatColumns_AndNullableIntegerColumnsAreDouble()
    {
        var rows = new Nullables[300];
        for (int i = 0; i < rows.Length; i++)
        {
            bool none = i % 7 == 3;
            rows[i] = new Nullables(
                i, none ? null : i * 0.5f, none ? null : i * 0.25, none ? null : (Half)i, none ? null : -i,
                none ? null : (1L << 53) - i, none ? null : (1UL << 60) + ((ulong)i << 8), i % 2 == 0, $"s{i % 5}", new DateTime(2024, 1, 1).AddMinutes(i));
        }
        DslDataView view = DslDataView.FromParquet(Outputs.Run(_temp, NullablesCopy.Compiled, [rows]));

        Assert.Equal(NumberDataViewType.Single, view.Schema["F"].Type);
        Assert.Equal(NumberDataViewType.Double, view.Schema["D"].Type);
        Assert.Equal(NumberDataViewType.Single, view.Schema["H"].Type);
        // Integers with a missing value: Double, whose NaN is ML.NET's missing value (FastTree and the imputer use it).
        Assert.Equal(NumberDataViewType.Double, view.Schema["I32"].Type);
        Assert.Equal(NumberDataViewType.Double, view.Schema["I64"].Type);
        Assert.Equal(NumberDataViewType.Double, view.Schema["U64"].Type);
        // The types without a missing value keep their type; their nulls are checked as they are read.
        Assert.Equal(BooleanDataViewType.Instance, view.Schema["B"].Type);
        Assert.Equal(TextDataViewType.Instance, view.Schema["S"].Type);
        Assert.Equal(DateTimeDataViewType.Instance, view.Schema["Ts"].Type);

        List<object?[]> read = ViewRows.Read(view, "Id", "F", "D", "H", "I32", "I64", "U64", "B", "S", "Ts");
        Assert.Equal(300, read.Count);
        foreach (object?[] r in read)
        {
            Nullables n = rows[(long)r[0]!];
            object?[] want =
            [
                n.Id, n.F ?? float.NaN, n.D ?? double.NaN, n.H is { } h ? (float)h : float.NaN, n.I32 is { } i32 ? (double)i32 : double.NaN,
                n.I64 is { } i64 ? (double)i64 : double.NaN, n.U64 is { } u64 ? (double)u64 : double.NaN, n.B, n.S, n.Ts,
            ];
            Assert.Equal(want, r);
        }
        Assert.Equal(300 / 7 + 1, read.Count(r => float.IsNaN((float)r[1]!)));
        Assert.Equal(300 / 7 + 1, read.Count(r => double.IsNaN((double)r[5]!)));
    }

    [Theory]
    [InlineData("B", "Boolean")]
    [InlineData("S", "String")]
    [InlineData("Ts", "Timestamp")]
    public void ANull_WhereMLNetHasNoMissingValue_StopsTheCursorNamingFileRowGroupRowAndColumn(string column, string type)
    {
        var rows = new Nullables[2500];
        for (int i = 0; i < rows.Length; i++)
        {
            bool none = i == 2345;
            rows[i] = new Nullables(i, 1, 2, (Half)3, 4, 5, 6, none ? null : true, none ? null : "x", none ? null : new DateTime(2024, 1, 1));
        }
        // Row groups of 1000 rows: row 2345 is row 345 of the third.
        DslDataView view = DslDataView.FromParquet(Outputs.Run(_temp, NullablesCopy.Compiled, [rows], rowGroupRows: 1000));
        string part = Assert.Single(view.Output.Parts).Path;

        var error = Assert.Throws<InvalidDataException>(() => ViewRows.Read(view, "Id", column));
        Assert.StartsWith($"{part}: row group 2, row 345: column '{column}' ({type}) is null", error.Message);
        Assert.Contains("has no missing value", error.Message);
        // The rows before it were read; the other columns of the same rows read on.
        Assert.Equal(2500, ViewRows.Read(view, "Id", "F").Count);
    }

    [Fact]
    public void NullableInt64_ThatADoubleCannotHoldExactly_StopsInsteadOfRounding()
    {
        Nullables Row(long id, long? i64, ulong? u64) => new(id, null, null, null, null, i64, u64, null, null, null);
        // 2^60 and 2^64 - 2^11 are exact doubles; 2^53 + 1, long.MaxValue and ulong.MaxValue are not.
        DslDataView exact = DslDataView.FromParquet(Outputs.Run(_temp, NullablesCopy.Compiled, [[Row(0, 1L << 60, ulong.MaxValue - 2047), Row(1, null, null), Row(2, -(1L << 53), 1UL << 53)]]));
        object?[][] want = [[0L, (double)(1L << 60), (double)(ulong.MaxValue - 2047)], [1L, double.NaN, double.NaN], [2L, -(double)(1L << 53), (double)(1UL << 53)]];
        Assert.Equal(want, ViewRows.Read(exact, "Id", "I64", "U64"));

        using var temp = TempDirectory.Create("dsl-mlnet");
        DslDataView inexact = DslDataView.FromParquet(Outputs.Run(temp, NullablesCopy.Compiled, [[Row(0, 1, 1), Row(1, (1L << 53) + 1, ulong.MaxValue)]]));
        var error = Assert.Throws<InvalidDataException>(() => ViewRows.Read(inexact, "I64"));
        Assert.Contains("row group 0, row 1: column 'I64' (Int64) holds 9007199254740993, which a Double", error.Message);
        error = Assert.Throws<InvalidDataException>(() => ViewRows.Read(inexact, "U64"));
        Assert.Contains($"column 'U64' (UInt64) holds {ulong.MaxValue}", error.Message);
    }

    [Fact]
    public void Strings_AreDecodedOncePerDictionaryEntry_EveryRowOfAnEntrySharesOneString()
    {
        string[] words = ["red", "green", "blue"];
        var rows = TypedRows(6000).Select((t, i) => t with { S = words[i * 7 % 3] }).ToArray();
        // One row group (the default 1M rows), read in batches of 512 rows: twelve batches over one dictionary page.
        DslDataView view = DslDataView.FromParquet(Outputs.Run(_temp, TypedCopy.Compiled, [rows]), columns: ["Id", "S"], batchRows: 512);

        using DataViewRowCursor cursor = view.GetRowCursor(view.Schema);
        ValueGetter<ReadOnlyMemory<char>> text = cursor.GetGetter<ReadOnlyMemory<char>>(view.Schema["S"]);
        ValueGetter<long> id = cursor.GetGetter<long>(view.Schema["Id"]);
        var strings = new HashSet<string>(ReferenceEqualityComparer.Instance);
        int count = 0;
        while (cursor.MoveNext())
        {
            ReadOnlyMemory<char> value = default;
            long row = 0;
            text(ref value);
            id(ref row);
            Assert.Equal(rows[row].S, value.ToString());
            // The memory is the whole of a string object: the dictionary entry's decoded string, not a copy per row.
            Assert.True(MemoryMarshal.TryGetString(value, out string? backing, out int start, out int length));
            Assert.Equal((0, backing.Length), (start, length));
            strings.Add(backing);
            count++;
        }
        Assert.Equal(6000, count);
        Assert.Equal(3, strings.Count);
    }
}
