using Dsl.Barriers.Splits;
using static Dsl.Runtime.Tests.Barriers.SplitTestData;

namespace Dsl.Runtime.Tests.Barriers;

/// <summary>The split hash of <see cref="SplitKeyHasher"/>: pinned values, the Python reference, and its encoding rules.</summary>
public sealed class SplitKeyHasherTests
{
    // Computed once by split_reference.py (the hash as docs/splits.md describes it, in plain Python) and pinned here:
    // a change of machine, .NET version or code that moved any of them would move rows between subsets.
    [Theory]
    [InlineData("long 1, seed 0", 0x6F8AB402E5FCD9BFUL)]
    [InlineData("string, seed 42", 0x02A7F761C262A8DEUL)]
    [InlineData("null long, seed -7", 0x1E3CCDF56AA7FF60UL)]
    [InlineData("string int bool, seed 2026", 0xC1D42197910BEA15UL)]
    [InlineData("-0.0, seed 1", 0x283C73511B75DFBCUL)]
    [InlineData("timestamp, seed 1", 0xAD6D5596A624F07EUL)]
    [InlineData("date decimal uuid time ulong, seed 9", 0xF8C6319B8A51121DUL)]
    [InlineData("binary nanos, seed 5", 0x38F5116D2068029AUL)]
    public void Hash_MatchesPinnedValues(string name, ulong expected)
    {
        (RecordBatch batch, long seed) = PinnedCase(name);
        using (batch)
        {
            var hasher = new SplitKeyHasher(batch.Schema, [.. batch.Schema.Fields.Select(f => f.Name)], seed);
            Assert.Equal(expected, Hash(hasher, batch)[0]);
        }
    }

    [Fact]
    public void ReferenceScript_MurmurHash3MatchesItsPublishedValue() => SplitReference.SelfTest();

    [Fact]
    public void Hash_MatchesPythonReference_ForEveryKeyType()
    {
        const int rows = 400;
        var random = new Random(11);
        bool Null() => random.Next(10) == 0;
        var decimalField = new ColumnField("Price", ColumnType.Decimal, true) { Precision = 20, Scale = 3 };
        Column[] columns =
        [
            Longs([.. Enumerable.Range(0, rows).Select(i => Null() ? null : (long?)random.NextInt64(long.MinValue, long.MaxValue))]),
            Ints([.. Enumerable.Range(0, rows).Select(i => Null() ? null : (int?)random.Next(-1000, 1000))]),
            Bools([.. Enumerable.Range(0, rows).Select(i => Null() ? null : (bool?)(random.Next(2) == 1))]),
            Doubles([.. Enumerable.Range(0, rows).Select(i => Null() ? null : (double?)(random.Next(8) switch { 0 => double.NaN, 1 => -0.0, 2 => double.NegativeInfinity, _ => random.NextDouble() * 1e6 - 5e5 }))]),
            Strings([.. Enumerable.Range(0, rows).Select(i => Null() ? null : random.Next(6) == 0 ? "" : $"ключ-{random.Next(50)}-🙂")]),
            Strings([.. Enumerable.Range(0, rows).Select(i => Null() ? null : Convert.ToHexString(BitConverter.GetBytes(random.Next())))], ColumnType.Binary),
            Primitive(ColumnType.Timestamp, [.. Enumerable.Range(0, rows).Select(i => Null() ? null : (long?)random.NextInt64(-62_135_596_800_000_000, 253_402_300_799_999_999))]),
            Primitive(ColumnType.TimestampNanos, [.. Enumerable.Range(0, rows).Select(i => Null() ? null : (long?)random.NextInt64(long.MinValue, long.MaxValue))]),
            Primitive(ColumnType.Date, [.. Enumerable.Range(0, rows).Select(i => Null() ? null : (int?)random.Next(-700_000, 2_900_000))]),
            Primitive(ColumnType.Decimal, [.. Enumerable.Range(0, rows).Select(i => Null() ? null : (Int128?)((Int128)random.NextInt64() * random.NextInt64()))]),
            Primitive(ColumnType.Uuid, [.. Enumerable.Range(0, rows).Select(i => Null() ? null : (Guid?)new Guid(BitConverter.GetBytes(random.NextInt64()).Concat(BitConverter.GetBytes(random.NextInt64())).ToArray()))]),
            Primitive(ColumnType.Time, [.. Enumerable.Range(0, rows).Select(i => Null() ? null : (long?)random.NextInt64(0, 86_400_000_000_000))]),
            Primitive(ColumnType.UInt64, [.. Enumerable.Range(0, rows).Select(i => Null() ? null : (ulong?)(ulong)random.NextInt64(long.MinValue, long.MaxValue))]),
            Primitive(ColumnType.Int16, [.. Enumerable.Range(0, rows).Select(i => Null() ? null : (short?)random.Next(short.MinValue, short.MaxValue))]),
            Primitive(ColumnType.Float, [.. Enumerable.Range(0, rows).Select(i => Null() ? null : (float?)(random.NextSingle() - 0.5f))]),
        ];
        string[] names = ["L", "I", "B", "D", "S", "Bin", "Ts", "TsNs", "Day", "Price", "Id", "T", "U64", "I16", "F"];
        var fields = names.Select((n, i) => n == "Price" ? decimalField : new ColumnField(n, columns[i].Type, columns[i].Validity is not null)).ToArray();
        using var batch = new RecordBatch(new BatchSchema(fields), columns, rows);

        string[][] keys = [["L"], ["S"], ["Bin"], ["I", "B", "D"], ["Ts", "TsNs", "Day"], ["Price", "Id", "T", "U64"], ["I16", "F", "S", "L"], [.. names]];
        foreach (string[] key in keys)
        {
            var plan = Plan(key, seed: -123456789);
            (ulong[] expected, _) = SplitReference.Run(plan, batch);
            Assert.Equal(expected, Hash(new SplitKeyHasher(batch.Schema, key, plan.Seed), batch));
        }
    }

    [Fact]
    public void Hash_OneStringColumn_SameByDictionaryAndByRow()
    {
        string?[] values = [.. Enumerable.Range(0, 3000).Select(i => i % 17 == 0 ? null : $"user-{i % 700}")];
        using RecordBatch batch = Batch(("Key", Strings(values)));
        var hasher = new SplitKeyHasher(batch.Schema, ["Key"], 3);
        ulong[] byDictionary = Hash(hasher, batch);
        // A piece of the batch keeps the whole dictionary, which then has more entries than the piece has rows.
        int[] rows = [.. Enumerable.Range(0, 300).Select(i => i * 7 % 3000)];
        using RecordBatch piece = Take(batch, rows);
        Assert.True(((StringColumn)piece[0]).Dictionary.Count > piece.RowCount);
        ulong[] byRow = Hash(hasher, piece);
        Assert.Equal(rows.Select(r => byDictionary[r]), byRow);
    }

    [Fact]
    public void Hash_WidenedColumnsHashAlike()
    {
        using RecordBatch ints = Batch(("K", Ints([7, -1, null])));
        using RecordBatch longs = Batch(("K", Longs([7, -1, null])));
        using RecordBatch shorts = Batch(("K", Primitive<short>(ColumnType.Int16, [7, -1, null])));
        using RecordBatch floats = Batch(("K", Primitive<float>(ColumnType.Float, [0.5f, -0.0f, float.NaN])));
        using RecordBatch doubles = Batch(("K", Doubles([0.5, 0.0, -double.NaN])));
        ulong[] Of(RecordBatch b) => Hash(new SplitKeyHasher(b.Schema, ["K"], 1), b);
        Assert.Equal(Of(longs), Of(ints));
        Assert.Equal(Of(longs), Of(shorts));
        Assert.Equal(Of(doubles), Of(floats));
    }

    [Fact]
    public void Hash_TellsApartNullsEmptyStringsAndValueBoundaries()
    {
        using RecordBatch pairs = Batch(("A", Strings(["ab", "a", null, "", "x", null])), ("B", Strings(["c", "bc", "", null, null, "x"])));
        ulong[] hashes = Hash(new SplitKeyHasher(pairs.Schema, ["A", "B"], 0), pairs);
        Assert.Equal(hashes.Length, hashes.Distinct().Count());

        using RecordBatch texts = Batch(("S", Strings([null, "", "null", "0"])));
        using RecordBatch numbers = Batch(("N", Longs([null, 0, 1])), ("Flag", Bools([null, false, true])), ("Day", Primitive<int>(ColumnType.Date, [null, 0, 1])));
        var all = new List<ulong>(Hash(new SplitKeyHasher(texts.Schema, ["S"], 0), texts).Skip(1));
        foreach (string column in new[] { "N", "Flag", "Day" })
        {
            ulong[] h = Hash(new SplitKeyHasher(numbers.Schema, [column], 0), numbers);
            Assert.Equal(Hash(new SplitKeyHasher(texts.Schema, ["S"], 0), texts)[0], h[0]); // null is null in any type
            all.AddRange(h.Skip(1));
        }
        Assert.Equal(all.Count, all.Distinct().Count());
    }

    [Fact]
    public void Unit_IsTheTop53BitsInZeroToOne()
    {
        Assert.Equal(0.0, SplitKeyHasher.Unit(0));
        Assert.Equal(0.0, SplitKeyHasher.Unit((1UL << 11) - 1));
        Assert.Equal(Math.BitDecrement(1.0), SplitKeyHasher.Unit(ulong.MaxValue));
        Assert.Equal(0.5, SplitKeyHasher.Unit(1UL << 63));
    }

    [Fact]
    public void Constructor_MissingOrNestedKeyColumn_FailsNamingIt()
    {
        using RecordBatch batch = Batch(("UserId", Longs([1])));
        var missing = Assert.Throws<ArgumentException>(() => new SplitKeyHasher(batch.Schema, ["User"], 0));
        Assert.Contains("'User'", missing.Message);
        var nested = new BatchSchema(new ColumnField("Tags", ColumnType.List, true) { Children = [new ColumnField("element", ColumnType.Int32, true)] });
        var error = Assert.Throws<ArgumentException>(() => new SplitKeyHasher(nested, ["Tags"], 0));
        Assert.Contains("'Tags'", error.Message);
        Assert.Contains("nested", error.Message);
    }

    [Fact]
    public void Hash_BatchHoldingKeyWithAnotherType_FailsNamingIt()
    {
        using RecordBatch longs = Batch(("UserId", Longs([1])));
        using RecordBatch texts = Batch(("UserId", Strings(["1"])));
        var hasher = new SplitKeyHasher(longs.Schema, ["UserId"], 0);
        var error = Assert.Throws<InvalidOperationException>(() => Hash(hasher, texts));
        Assert.Contains("'UserId'", error.Message);
        Assert.Contains("Int64", error.Message);
        Assert.Contains("String", error.Message);
    }

    private static (RecordBatch Batch, long Seed) PinnedCase(string name)
    {
        switch (name)
        {
            case "long 1, seed 0":
                return (Batch(("K", Longs([1]))), 0);
            case "string, seed 42":
                return (Batch(("K", Strings(["user-17"]))), 42);
            case "null long, seed -7":
                return (Batch(("K", Longs([null]))), -7);
            case "string int bool, seed 2026":
                return (Batch(("City", Strings(["São Paulo"])), ("Zone", Ints([12])), ("Active", Bools([true]))), 2026);
            case "-0.0, seed 1":
                return (Batch(("K", Doubles([-0.0]))), 1);
            case "timestamp, seed 1":
                // 2024-03-01T12:34:56.789012
                return (Batch(("Ts", Primitive<long>(ColumnType.Timestamp, [Timestamps.ToMicros(new DateTime(2024, 3, 1, 12, 34, 56, 789, 12))]))), 1);
            case "date decimal uuid time ulong, seed 9":
                var schema = new BatchSchema(
                    new ColumnField("Day", ColumnType.Date, false),
                    new ColumnField("Price", ColumnType.Decimal, false) { Precision = 10, Scale = 2 },
                    new ColumnField("Id", ColumnType.Uuid, false),
                    new ColumnField("At", ColumnType.Time, false),
                    new ColumnField("Big", ColumnType.UInt64, false));
                Column[] columns =
                [
                    PrimitiveColumn<int>.FromArray(ColumnType.Date, [19800]),
                    PrimitiveColumn<Int128>.FromArray(ColumnType.Decimal, [-12345]),
                    PrimitiveColumn<Guid>.FromArray(ColumnType.Uuid, [Guid.Parse("00112233-4455-6677-8899-aabbccddeeff")]),
                    PrimitiveColumn<long>.FromArray(ColumnType.Time, [45_296_000_000_000]),
                    PrimitiveColumn<ulong>.FromArray(ColumnType.UInt64, [ulong.MaxValue]),
                ];
                return (new RecordBatch(schema, columns, 1), 9);
            case "binary nanos, seed 5":
                var bytes = new StringColumn(ColumnType.Binary, new Utf8Dictionary([0x00, 0xFF, 0x10], [0, 3]), [0], 1, null);
                return (Batch(("Bytes", bytes), ("TsNs", Primitive<long>(ColumnType.TimestampNanos, [-1]))), 5);
        }
        throw new ArgumentException(name);
    }
}
