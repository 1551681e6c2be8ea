using System.Reflection;

namespace Dsl.Generators.Tests.Infrastructure;

/// <summary>Random rows of a schema record, rich in edge values: NaN, infinities, signed zeros, extremes, nulls, odd strings.</summary>
internal static class RowGenerator
{
    private static readonly string[] s_strings = ["", "a", "FR", "FR", "de", "日本語", "naïve", "emoji 😀", "FR", "a longer string with spaces", "A"];

    public static List<object> Rows(Type schemaType, int count, int seed)
    {
        var random = new Random(seed);
        ConstructorInfo constructor = PrimaryConstructor(schemaType);
        ParameterInfo[] parameters = constructor.GetParameters();
        BatchSchema schema = LoadedSnippet.SchemaOf(schemaType);
        var rows = new List<object>(count);
        for (int i = 0; i < count; i++)
        {
            object?[] values = new object?[schema.Count];
            for (int c = 0; c < schema.Count; c++)
            {
                ColumnField field = schema[c];
                Type member = Nullable.GetUnderlyingType(parameters[c].ParameterType) ?? parameters[c].ParameterType;
                values[c] = field.Nullable && random.Next(5) == 0 ? null : Value(field, member, random);
            }
            rows.Add(constructor.Invoke(values));
        }
        return rows;
    }

    /// <summary>
    /// <paramref name="row"/> as a row of <paramref name="target"/>, the same schema record compiled into another
    /// snippet: its primary constructor called with the row's member values.
    /// </summary>
    public static object Convert(object row, Type target)
    {
        ConstructorInfo constructor = PrimaryConstructor(target);
        object?[] values = constructor.GetParameters().Select(p => Same(row.GetType().GetProperty(p.Name!)!.GetValue(row), p.ParameterType)).ToArray();
        return constructor.Invoke(values);
    }

    // A value of one snippet's enum as the other snippet's; other values are shared as they are.
    private static object? Same(object? value, Type type)
    {
        Type target = Nullable.GetUnderlyingType(type) ?? type;
        return value is not null && target.IsEnum && value.GetType() != target ? Enum.ToObject(target, System.Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)) : value;
    }

    public static ConstructorInfo PrimaryConstructor(Type schemaType) =>
        schemaType.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First(c => c.GetParameters().All(p => p.ParameterType != schemaType));

    private static object Value(ColumnField field, Type member, Random random) => field.Type switch
    {
        ColumnType.Timestamp when member == typeof(DateTimeOffset) => new DateTimeOffset(DateTime.SpecifyKind(Timestamp(random), DateTimeKind.Utc)),
        ColumnType.Int8 => Pick(random, [(sbyte)0, (sbyte)1, (sbyte)-1, sbyte.MaxValue, sbyte.MinValue, (sbyte)random.Next(-128, 128)]),
        ColumnType.Int16 => Pick(random, [(short)0, (short)-1, short.MaxValue, short.MinValue, (short)random.Next(-32768, 32768)]),
        ColumnType.UInt8 => Pick(random, [(byte)0, (byte)1, byte.MaxValue, (byte)random.Next(256)]),
        ColumnType.UInt16 => Pick(random, [(ushort)0, (ushort)1, ushort.MaxValue, (ushort)random.Next(65536)]),
        ColumnType.UInt32 => Pick(random, [0u, 1u, uint.MaxValue, (uint)int.MaxValue + 1, (uint)random.NextInt64(0, 1L << 32)]),
        ColumnType.UInt64 => Pick(random, [0UL, 1UL, ulong.MaxValue, (ulong)long.MaxValue + 1, (ulong)random.NextInt64()]),
        ColumnType.Float16 => Pick(random, [Half.NaN, Half.PositiveInfinity, Half.NegativeInfinity, Half.Zero, Half.NegativeZero, Half.MaxValue, Half.MinValue, Half.Epsilon, (Half)2.5, (Half)(random.NextDouble() * 100)]),
        ColumnType.Decimal => Decimal(field, random),
        ColumnType.List => List(field.Children[0], member.IsArray ? member.GetElementType()! : member.GetGenericArguments()[0], random),
        ColumnType.Uuid => Pick(random, [Guid.Empty, new Guid("ffffffff-ffff-ffff-ffff-ffffffffffff"), new Guid("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), Guid.NewGuid()]),
        ColumnType.Binary => Pick(random, [Array.Empty<byte>(), new byte[] { 0 }, new byte[] { 0xFF, 0x00, 0x10 }, System.Text.Encoding.UTF8.GetBytes("FR")]),
        ColumnType.Time => new TimeOnly(random.NextInt64(TimeOnly.MaxValue.Ticks + 1)),
        ColumnType.TimestampNanos => new NanoTimestamp(Pick(random, [0L, -1L, long.MaxValue, long.MinValue + 1, random.NextInt64(), 1_709_287_200_123_456_789L]) is long n ? n : 0),
        ColumnType.Int32 => Pick(random, [0, 1, -1, 7, int.MaxValue, int.MinValue, random.Next(-1000, 1000), random.Next()]),
        ColumnType.Int64 => Pick(random, [0L, 1L, -1L, long.MaxValue, long.MinValue, (long)random.Next(-1000, 1000), random.NextInt64(), 1L << 40]),
        ColumnType.Double => Pick(random, [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, double.MaxValue, double.MinValue, double.Epsilon, 2.5, -2.5, 0.5, (random.NextDouble() - 0.3) * 1e6, random.NextDouble() * 200]),
        ColumnType.Float => Pick(random, [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.MaxValue, float.MinValue, float.Epsilon, 2.5f, (float)(random.NextDouble() * 1e4)]),
        ColumnType.Boolean => random.Next(2) == 0,
        ColumnType.String => s_strings[random.Next(s_strings.Length)],
        ColumnType.Timestamp => Timestamp(random),
        ColumnType.Date => Date(random),
        _ => throw new NotSupportedException($"Column type '{field.Type}' has no generator."),
    };

    private static object Pick(Random random, object[] choices) => choices[random.Next(choices.Length)];

    // Zero to five elements, each an edge or random value of the element type.
    private static Array List(ColumnField element, Type elementType, Random random)
    {
        var items = Array.CreateInstance(elementType, random.Next(6));
        for (int i = 0; i < items.Length; i++)
        {
            items.SetValue(Value(element, elementType, random), i);
        }
        return items;
    }

    // A decimal that fits the field's precision and scale: its extremes, zero, a midpoint or a random value.
    private static decimal Decimal(ColumnField field, Random random)
    {
        int whole = Math.Min(field.Precision - field.Scale, 28 - field.Scale);
        decimal max = (decimal)Math.Pow(10, Math.Min(whole, 15)) - (decimal)Math.Pow(10, -field.Scale);
        decimal value = random.Next(4) switch
        {
            0 => max,
            1 => -max,
            2 => 0m,
            _ => Math.Round((decimal)(random.NextDouble() - 0.5) * 2 * max, field.Scale),
        };
        return value;
    }

    private static readonly DateOnly[] s_dates =
    [
        DateOnly.MinValue, DateOnly.MaxValue, new(1970, 1, 1), new(1969, 12, 31), new(2000, 2, 29), new(2000, 3, 1), new(1900, 2, 28),
        new(1900, 3, 1), new(2100, 2, 28), new(2100, 3, 1), new(1999, 12, 31), new(2000, 1, 1), new(2024, 12, 31), new(2025, 1, 1),
        new(1600, 2, 29), new(2024, 2, 29), new(2024, 1, 6), new(2024, 1, 7),
    ];

    /// <summary>A day anywhere in DateOnly's range, or one of the edge days (range ends, epoch, leap days, year ends).</summary>
    private static DateOnly Date(Random random) => random.Next(3) == 0
        ? s_dates[random.Next(s_dates.Length)]
        : DateOnly.FromDayNumber(random.Next(DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber + 1));

    private static DateTime Timestamp(Random random)
    {
        long min = new DateTime(1900, 1, 1).Ticks;
        long max = new DateTime(2100, 1, 1).Ticks;
        long ticks = min + (long)(random.NextDouble() * (max - min));
        return new DateTime(ticks - (ticks % 10), DateTimeKind.Unspecified);
    }
}
