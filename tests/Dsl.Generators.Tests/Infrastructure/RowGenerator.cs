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
        BatchSchema schema = LoadedSnippet.SchemaOf(schemaType);
        var rows = new List<object>(count);
        for (int i = 0; i < count; i++)
        {
            object?[] values = new object?[schema.Count];
            for (int c = 0; c < schema.Count; c++)
            {
                ColumnField field = schema[c];
                values[c] = field.Nullable && random.Next(5) == 0 ? null : Value(field.Type, random);
            }
            rows.Add(constructor.Invoke(values));
        }
        return rows;
    }

    public static ConstructorInfo PrimaryConstructor(Type schemaType) =>
        schemaType.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First(c => c.GetParameters().All(p => p.ParameterType != schemaType));

    private static object Value(ColumnType type, Random random) => type switch
    {
        ColumnType.Int32 => Pick(random, [0, 1, -1, 7, int.MaxValue, int.MinValue, random.Next(-1000, 1000), random.Next()]),
        ColumnType.Int64 => Pick(random, [0L, 1L, -1L, long.MaxValue, long.MinValue, (long)random.Next(-1000, 1000), random.NextInt64(), 1L << 40]),
        ColumnType.Double => Pick(random, [double.NaN, double.PositiveInfinity, double.NegativeInfinity, 0.0, -0.0, double.MaxValue, double.MinValue, double.Epsilon, 2.5, -2.5, 0.5, (random.NextDouble() - 0.3) * 1e6, random.NextDouble() * 200]),
        ColumnType.Float => Pick(random, [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, float.MaxValue, float.MinValue, float.Epsilon, 2.5f, (float)(random.NextDouble() * 1e4)]),
        ColumnType.Boolean => random.Next(2) == 0,
        ColumnType.String => s_strings[random.Next(s_strings.Length)],
        ColumnType.Timestamp => Timestamp(random),
        ColumnType.Date => Date(random),
        _ => throw new NotSupportedException($"Column type '{type}' has no generator."),
    };

    private static object Pick(Random random, object[] choices) => choices[random.Next(choices.Length)];

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
