using Dsl.Cli.Formatting;
using Dsl.Parquet.Metadata;
using Dsl.Parquet.Reading;

namespace Dsl.Parquet.Tests;

/// <summary>Mapping nested schemas (standard and legacy layouts) and checking repetition/definition levels.</summary>
public class NestedSchemaTests
{
    private static SchemaElement Group(string name, FieldRepetition repetition, int children, ConvertedType? converted = null) =>
        new() { Name = name, Repetition = repetition, NumChildren = children, ConvertedType = converted };

    private static SchemaElement Leaf(string name, FieldRepetition repetition, PhysicalType type = PhysicalType.Int32) =>
        new() { Name = name, Repetition = repetition, Type = type };

    private static ParquetColumnInfo MapOne(params SchemaElement[] elements)
    {
        var schema = new List<SchemaElement> { new() { Name = "root", NumChildren = 1 } };
        schema.AddRange(elements);
        return SchemaMapper.Map(schema, out _).Single();
    }

    [Fact]
    public void StandardList_ThreeLevels()
    {
        ParquetColumnInfo info = MapOne(Group("l", FieldRepetition.Optional, 1, ConvertedType.List), Group("list", FieldRepetition.Repeated, 1), Leaf("element", FieldRepetition.Optional));
        Assert.Equal("l: List<element: Int32?>?", info.Field!.ToString());
        var leaf = (LeafPlan)((ListPlan)info.Plan!).Element;
        Assert.Equal((3, 1), (leaf.MaxDef, leaf.MaxRep));
        Assert.Equal([2], leaf.RepetitionDefinitionLevels);
    }

    [Fact]
    public void LegacyTwoLevelList_RepeatedPrimitiveIsTheElement()
    {
        ParquetColumnInfo info = MapOne(Group("l", FieldRepetition.Required, 1, ConvertedType.List), Leaf("item", FieldRepetition.Repeated));
        Assert.Equal("l: List<item: Int32>", info.Field!.ToString());
    }

    [Theory]
    [InlineData("array")]
    [InlineData("l_tuple")]
    public void LegacyList_OneMemberGroupNamedArrayOrTuple_IsAStructElement(string name)
    {
        ParquetColumnInfo info = MapOne(Group("l", FieldRepetition.Optional, 1, ConvertedType.List), Group(name, FieldRepetition.Repeated, 1), Leaf("x", FieldRepetition.Required));
        Assert.Equal($"l: List<{name}: Struct<x: Int32>>?", info.Field!.ToString());
    }

    [Fact]
    public void BareRepeatedGroup_IsAListOfStructsThatIsNeverNull()
    {
        ParquetColumnInfo info = MapOne(Group("r", FieldRepetition.Repeated, 2), Leaf("a", FieldRepetition.Required), Leaf("b", FieldRepetition.Optional));
        Assert.Equal("r: List<r: Struct<a: Int32, b: Int32?>>", info.Field!.ToString());
    }

    [Fact]
    public void LegacyMapKeyValue_AndMapWithoutValues()
    {
        ParquetColumnInfo map = MapOne(Group("m", FieldRepetition.Optional, 1, ConvertedType.MapKeyValue), Group("kv", FieldRepetition.Repeated, 2), Leaf("k", FieldRepetition.Required), Leaf("v", FieldRepetition.Optional));
        Assert.Equal("m: Map<k: Int32, v: Int32?>?", map.Field!.ToString());
        ParquetColumnInfo keys = MapOne(Group("m", FieldRepetition.Optional, 1, ConvertedType.Map), Group("kv", FieldRepetition.Repeated, 1), Leaf("k", FieldRepetition.Required));
        Assert.Equal("m: List<k: Int32>?", keys.Field!.ToString());
    }

    [Fact]
    public void MalformedList_IsUnsupportedWithAReason()
    {
        ParquetColumnInfo info = MapOne(Group("l", FieldRepetition.Optional, 2, ConvertedType.List), Leaf("a", FieldRepetition.Repeated), Leaf("b", FieldRepetition.Repeated));
        Assert.Null(info.Field);
        Assert.Contains("exactly one repeated child", info.UnsupportedReason, StringComparison.Ordinal);
        Assert.EndsWith(".", info.UnsupportedReason, StringComparison.Ordinal);
    }

    [Fact]
    public void GroupsClaimingMoreChildrenThanTheSchemaHolds_AreRejected()
    {
        var schema = new List<SchemaElement> { new() { Name = "root", NumChildren = 1 }, Group("s", FieldRepetition.Optional, 1), Group("t", FieldRepetition.Optional, 1) };
        Assert.Throws<ParquetFormatException>(() => SchemaMapper.Map(schema, out _));
    }

    private static LevelState ListLevels()
    {
        ParquetColumnInfo info = MapOne(Group("l", FieldRepetition.Optional, 1, ConvertedType.List), Group("list", FieldRepetition.Repeated, 1), Leaf("element", FieldRepetition.Optional));
        return new LevelState(info.Plan!.FirstLeaf, nested: true);
    }

    private static ReadOnlySpan<int> Commit(LevelState levels, int[] rep, int[] def, out int nonNull, out int slots)
    {
        rep.CopyTo(levels.RepetitionTarget(rep.Length));
        def.CopyTo(levels.DefinitionTarget(def.Length));
        return levels.Commit(rep.Length, out nonNull, out _, out slots);
    }

    [Fact]
    public void Levels_CountRowsSlotsAndValues()
    {
        using LevelState levels = ListLevels();
        // Rows: null list, empty list, [1, null, 2], [3].
        int[] validity = Commit(levels, [0, 0, 0, 1, 1, 0], [0, 1, 3, 2, 3, 3], out int nonNull, out int slots).ToArray();
        Assert.Equal((4, 4, 3), (levels.RowCount, slots, nonNull));
        Assert.Equal([1, 0, 1, 1], validity);
    }

    [Theory]
    [InlineData(new[] { 1 }, new[] { 3 }, "must start a new row")]
    [InlineData(new[] { 0, 1 }, new[] { 1, 3 }, "empty or null")]
    [InlineData(new[] { 0, 1 }, new[] { 3, 1 }, "empty or null")]
    [InlineData(new[] { 0 }, new[] { 4 }, "maximum definition level 3")]
    [InlineData(new[] { 0, 2 }, new[] { 3, 3 }, "maximum repetition level 1")]
    public void Levels_Inconsistent_AreRejected(int[] rep, int[] def, string message)
    {
        using LevelState levels = ListLevels();
        ParquetFormatException ex = Assert.Throws<ParquetFormatException>(() => Commit(levels, rep, def, out _, out _).ToArray());
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Statistics_AreShownInTheLogicalType()
    {
        var date = new SchemaElement { Name = "d", Type = PhysicalType.Int32, LogicalType = new LogicalType { Kind = LogicalTypeKind.Date } };
        Assert.Equal("2020-01-01", StatisticsFormatter.Format(date, BitConverter.GetBytes(18262)));
        var dec = new SchemaElement { Name = "x", Type = PhysicalType.FixedLenByteArray, TypeLength = 3, ConvertedType = ConvertedType.Decimal, Precision = 6, Scale = 2 };
        Assert.Equal("-0.01", StatisticsFormatter.Format(dec, [0xFF, 0xFF, 0xFF]));
        var ts = new SchemaElement { Name = "t", Type = PhysicalType.Int64, LogicalType = LogicalType.Timestamp(TimeUnit.Nanos, isAdjustedToUtc: true) };
        Assert.Equal("1970-01-01 00:00:00.000000001+00", StatisticsFormatter.Format(ts, BitConverter.GetBytes(1L)));
        var text = new SchemaElement { Name = "s", Type = PhysicalType.ByteArray, LogicalType = LogicalType.String() };
        Assert.Equal("\"a\\\"b\"", StatisticsFormatter.Format(text, "a\"b"u8));
        var uuid = new SchemaElement { Name = "u", Type = PhysicalType.FixedLenByteArray, TypeLength = 16, LogicalType = new LogicalType { Kind = LogicalTypeKind.Uuid } };
        Assert.Equal("00112233-4455-6677-8899-aabbccddeeff", StatisticsFormatter.Format(uuid, Convert.FromHexString("00112233445566778899AABBCCDDEEFF")));
        // A value of the wrong length is shown as bytes, not misread.
        Assert.Equal("\"\\\\x01\"", StatisticsFormatter.Format(date, [1]));
    }
}
