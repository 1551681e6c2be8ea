using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// One pipeline per family of vectorized constructs. Each must compile to vector blocks, and both the vector path
/// and the per-row path must give bit for bit what calling the stage methods row by row gives, on random rows
/// full of NaN, infinities, signed zeros, denormals, integer extremes, nulls and odd strings, at batch sizes
/// around the block size.
/// </summary>
public sealed class VectorKernelTests
{
    private const string Measures = """
        [Schema]
        public partial record M(double A, double B, float F, float G, int I, int J, long L, double? N, int? K, bool Flag, DateTime Ts, string Tag);

        """;

    public const string Arithmetic = TestSources.Usings + "namespace S;\n" + Measures + """
        [Schema]
        public partial record R(double Sum, double Product, double Quotient, double Negated, double Rem, float FloatMix, int IntMix, long LongMix, double Widened, float Narrowed, int Truncated, long FromDouble);

        [Pipeline("arithmetic")]
        public static partial class Arith
        {
            public static readonly double Scale = 0.75;

            [Map]
            static R Compute(M m) => new(
                m.A + m.B * 2 - 1.5,
                m.A * m.B * Scale,
                m.A / m.B,
                -m.A,
                m.A % m.B,
                m.F * m.G + m.I,
                unchecked(m.I * m.J + m.I - 7) & ~m.J,
                unchecked(m.L * 3 + m.I - m.L),
                m.I + m.L / 1e3 + m.F,
                (float)m.A,
                (int)m.A,
                (long)(m.B * 10));
        }
        """;

    public const string Logic = TestSources.Usings + "namespace S;\n" + Measures + """
        [Schema]
        public partial record R(bool Lt, bool Eq, bool Ne, bool Pattern, double Picked, int PickedInt, bool Flag, float PickedFloat);

        [Pipeline("logic")]
        public static partial class Logic
        {
            [Filter]
            static bool Keep(M m) => m.A >= m.B || m.I > 10 && !(m.F < 0) || m.Flag;

            [Map(From = nameof(Keep))]
            static R Compare(M m) => new(
                m.A < m.I,
                m.A == m.B,
                m.F != m.G,
                m.A is > 0 and <= 100 or double.NaN || m.I is not (0 or 1),
                m.A > m.B ? m.A : m.B - 1,
                m.Flag ? m.I : m.J,
                m.Flag ^ m.A > 0,
                m.I < 0 ? m.F : m.G);
        }
        """;

    public const string MathFunctions = TestSources.Usings + "namespace S;\n" + Measures + """
        [Schema]
        public partial record R(double Abs, double Min, double Max, double Sqrt, double Floor, double Ceiling, double Round, double Truncate,
            double Clamp, double Log, double Exp, double Pow, int IntMin, long LongMax, float FloatMin, float FloatMax, float FloatRound);

        [Pipeline("math")]
        public static partial class Maths
        {
            [Map]
            static R Apply(M m) => new(
                Math.Abs(m.A), Math.Min(m.A, m.B), Math.Max(m.A, m.B), Math.Sqrt(m.A), Math.Floor(m.A), Math.Ceiling(m.B),
                Math.Round(m.A), Math.Truncate(m.B), Math.Clamp(m.A, -10.0, 10.0), Math.Log(m.A), Math.Exp(m.B), Math.Pow(m.A, m.B),
                Math.Min(m.I, m.J), Math.Max(m.L, m.I), Math.Min(m.F, m.G), MathF.Max(m.F, m.G), MathF.Round(m.F));
        }
        """;

    public const string Nullable = TestSources.Usings + "namespace S;\n" + Measures + """
        [Schema]
        public partial record R(double? Lifted, double Coalesced, bool IsNull, bool HasValue, bool Less, bool Equal, int? IntLifted, double? Picked, bool NotEqual, double OrZero, int OrSeven);

        [Pipeline("nullable")]
        public static partial class Lifting
        {
            [Filter]
            static bool Some(M m) => m.N is not null || m.K is > 3;

            [Map(From = nameof(Some))]
            static R Lift(M m) => new(
                m.N * 2 + m.K,
                m.N ?? m.A,
                m.K is null,
                m.N.HasValue,
                m.N < m.A,
                m.N == m.K,
                m.K - m.I,
                m.Flag ? m.N : m.B,
                m.K != null,
                m.N.GetValueOrDefault() / 60.0,
                m.K.GetValueOrDefault(7));
        }
        """;

    public const string DateParts = TestSources.Usings + "namespace S;\n" + Measures + """
        [Schema]
        public partial record R(int Hour, int Minute, int Second, int Year, int Month, int Day, int DayOfYear, bool Weekend, int Weekday, DateTime Ts);

        [Pipeline("dates")]
        public static partial class Dates
        {
            [Filter]
            static bool Modern(M m) => m.Ts.Year >= 1950;

            [Map(From = nameof(Modern))]
            static R Parts(M m) => new(m.Ts.Hour, m.Ts.Minute, m.Ts.Second, m.Ts.Year, m.Ts.Month, m.Ts.Day, m.Ts.DayOfYear,
                m.Ts.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday, (int)m.Ts.DayOfWeek, m.Ts);
        }
        """;

    public const string Strings = TestSources.Usings + "namespace S;\n" + Measures + """
        [Schema]
        public partial record R(int Bucket, bool IsFr, bool Starts, int Length, bool Lower, string Tag, double Weighted);

        [Pipeline("strings")]
        public static partial class Texts
        {
            [Filter]
            static bool NotEmpty(M m) => m.Tag.Length > 0 || m.A > 0;

            [Map(From = nameof(NotEmpty))]
            static R Encode(M m) => new(
                Hashing.Bucket(m.Tag, 1024),
                m.Tag == "FR",
                m.Tag.StartsWith("a", StringComparison.Ordinal) == false && m.Tag.EndsWith("e"),
                m.Tag.Length,
                m.Tag.ToLowerInvariant() == "fr",
                m.Tag,
                m.Tag.Length * m.A);
        }
        """;

    // Math.Sign of NaN, Math.Clamp with reversed bounds and .Value of a null throw: here the conditionals keep those
    // rows away from them, so the blocks must not hand back for lanes the scalar code never reaches.
    public const string SignsAndRounding = TestSources.Usings + "namespace S;\n" + Measures + """
        [Schema]
        public partial record R(int Sign, int IntSign, int LongSign, int FloatSign, double Even, double Away, double ToZero, double Down, double Up,
            double Digits, double DigitsAway, float FloatDigits, double Clamped, long LongClamped, float FloatClamped, double Valued, int IntValued, bool Positive, int Switched);

        [Pipeline("signs")]
        public static partial class Signs
        {
            [Map]
            static R Apply(M m) => new(
                double.IsNaN(m.A) ? 2 : Math.Sign(m.A),
                Math.Sign(m.I), Math.Sign(m.L), float.IsNaN(m.F) ? 0 : MathF.Sign(m.F),
                Math.Round(m.A, MidpointRounding.ToEven), Math.Round(m.A, MidpointRounding.AwayFromZero), Math.Round(m.B, MidpointRounding.ToZero),
                Math.Round(m.A, MidpointRounding.ToNegativeInfinity), Math.Round(m.B, MidpointRounding.ToPositiveInfinity),
                Math.Round(m.A * 1e-3, 2), Math.Round(m.B, 1, MidpointRounding.AwayFromZero), MathF.Round(m.F, 3),
                m.I <= m.J ? Math.Clamp(m.A, m.I, m.J) : -1,
                Math.Clamp(m.L, m.I, m.I + 100L),
                !(m.F > m.G) ? Math.Clamp(m.F * 2, m.F, m.G) : m.F,
                m.N.HasValue ? m.N.Value * 2 : -1,
                m.K.HasValue ? m.K.Value : m.I,
                m.N.HasValue && m.N.Value > 0,
                m.K switch { null => 0, _ => m.K.Value - 1 });
        }
        """;

    public const string FloatingTests = TestSources.Usings + "namespace S;\n" + Measures + """
        [Schema]
        public partial record R(bool IsNaN, bool IsFinite, bool IsInfinity, bool IsPositive, bool IsNegative, bool FloatIsNaN, bool FloatIsFinite, bool IntIsNaN,
            float Sqrt, float Log, float Exp, float Pow, float Abs, float Floor, float Ceiling, float Truncate, float Clamp, float Min, float Atan2);

        [Pipeline("floating")]
        public static partial class Floating
        {
            [Filter]
            static bool Some(M m) => !double.IsNaN(m.B) || float.IsFinite(m.F);

            [Map(From = nameof(Some))]
            static R Test(M m) => new(
                double.IsNaN(m.A), double.IsFinite(m.A), double.IsInfinity(m.B), double.IsPositiveInfinity(m.A), double.IsNegativeInfinity(m.B),
                float.IsNaN(m.F), float.IsFinite(m.G), double.IsNaN(m.I),
                MathF.Sqrt(m.F), MathF.Log(m.F), MathF.Exp(m.G), MathF.Pow(m.F, m.G), MathF.Abs(m.G), MathF.Floor(m.F), MathF.Ceiling(m.G),
                MathF.Truncate(m.F), Math.Clamp(m.F, -1f, 1f), MathF.Min(m.F, m.G), MathF.Atan2(m.F, m.G));
        }
        """;

    // The same throwing constructs reached by every kept row: blocks where one would throw go to the per-row code.
    public const string Throwing = TestSources.Usings + "#pragma warning disable CS8629\nnamespace S;\n" + Measures + """
        [Schema]
        public partial record R(int Sign, double Clamped, double Valued, int IntValued);

        [Pipeline("throwing")]
        public static partial class Throwing
        {
            [Filter]
            static bool Mostly(M m) => m.Flag || m.I > 0;

            [Map(From = nameof(Mostly))]
            static R Apply(M m) => new(Math.Sign(m.A), Math.Clamp(m.A, m.B, 10.0), m.N.Value, m.K.Value);
        }

        [Pipeline("not-throwing")]
        public static partial class NotThrowing
        {
            [Filter]
            static bool Safe(M m) => !double.IsNaN(m.A) && m.N.HasValue && m.K.HasValue && !(m.B > 10);

            [Map(From = nameof(Safe))]
            static R Apply(M m) => new(Math.Sign(m.A), Math.Clamp(m.A, m.B, 10.0), m.N.Value, m.K.Value);
        }
        """;

    public static TheoryData<string, string> Families => new()
    {
        { SignsAndRounding, "S.Signs" },
        { FloatingTests, "S.Floating" },
        { Throwing, "S.Throwing" },
        { Throwing, "S.NotThrowing" },
        { Arithmetic, "S.Arith" },
        { Logic, "S.Logic" },
        { MathFunctions, "S.Maths" },
        { Nullable, "S.Lifting" },
        { DateParts, "S.Dates" },
        { Strings, "S.Texts" },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void Family_CompilesToVectorBlocksThatMatchTheStageMethods(string source, string pipeline)
    {
        using var snippet = LoadedSnippet.Compile(source);
        string generated = snippet.Run.GeneratedSource(pipeline + ".Pipeline.g.cs");
        Assert.Contains("for (; i < vectorEnd; i += 4)", generated, StringComparison.Ordinal);
        DifferentialRunner.Verify(snippet, pipeline, "S.M", seeds: 6);
        foreach (int size in new[] { 1001, 4096 })
        {
            DifferentialRunner.VerifyRows(snippet, pipeline, "S.M", RowGenerator.Rows(snippet.Type("S.M"), size, size));
        }
    }

    [Fact]
    public void TimeSpanBetweenTimestamps_CompilesToVectorBlocksThatMatchTheStageMethod()
    {
        const string source = TestSources.Usings + """
            namespace S;

            [Schema]
            public partial record Visit(DateTime Start, DateTime End, double Weight);

            [Schema]
            public partial record Durations(double Seconds, double Milliseconds, double Minutes, double Hours, double Days, double Weighted);

            [Pipeline("durations")]
            public static partial class Spans
            {
                [Filter]
                static bool Forward(Visit v) => (v.End - v.Start).TotalSeconds >= -1e9;

                [Map(From = nameof(Forward))]
                static Durations Measure(Visit v) => new((v.End - v.Start).TotalSeconds, (v.End - v.Start).TotalMilliseconds, (v.Start - v.End).TotalMinutes,
                    (v.End - v.Start).TotalHours, (v.End - v.Start).TotalDays, v.Weight * (v.End - v.Start).TotalSeconds);
            }
            """;
        using var snippet = LoadedSnippet.Compile(source);
        Assert.Contains("for (; i < vectorEnd; i += 4)", snippet.Run.GeneratedSource("S.Spans.Pipeline.g.cs"), StringComparison.Ordinal);
        DifferentialRunner.Verify(snippet, "S.Spans", "S.Visit", seeds: 6);
        DifferentialRunner.VerifyRows(snippet, "S.Spans", "S.Visit", RowGenerator.Rows(snippet.Type("S.Visit"), 4096, 17));
    }

    [Fact]
    public void CheckedArithmeticAndIntegerDivision_StayOnThePerRowCode()
    {
        const string source = TestSources.Usings + "namespace S;\n" + Measures + """
            [Schema]
            public partial record R(int Quotient, long Product);

            [Pipeline("scalar-only")]
            public static partial class Scalar
            {
                [Map]
                static R Compute(M m) => new(m.J == 0 ? 0 : m.I / m.J, checked(m.L * 1));
            }
            """;
        using var snippet = LoadedSnippet.Compile(source);
        Assert.DoesNotContain("vectorEnd", snippet.Run.GeneratedSource("S.Scalar.Pipeline.g.cs"), StringComparison.Ordinal);
        DifferentialRunner.Verify(snippet, "S.Scalar", "S.M");
    }

    [Fact]
    public void TimestampsOutsideDateTimeRange_HandTheBlockToThePerRowCode()
    {
        using var snippet = LoadedSnippet.Compile(DateParts);
        var schema = LoadedSnippet.SchemaOf(snippet.Type("S.M"));
        List<object> rows = RowGenerator.Rows(snippet.Type("S.M"), 8, 3);
        using RecordBatch batch = LoadedSnippet.ToBatch(snippet.Type("S.M"), rows);
        // Replace the timestamps of the second block with values DateTime cannot hold: the per-row code throws like FromMicros.
        long[] micros = batch.GetPrimitive<long>("Ts", ColumnType.Timestamp).Values.ToArray();
        micros[5] = Timestamps.MaxMicros + 1;
        var columns = new Column[schema.Count];
        for (int c = 0; c < schema.Count; c++)
        {
            columns[c] = schema[c].Name == "Ts" ? PrimitiveColumn<long>.FromArray(ColumnType.Timestamp, micros) : batch[c];
        }
        var broken = new RecordBatch(schema, columns, 8);
        RowErrorAssert.Throws(typeof(ArgumentOutOfRangeException), "Modern", 5, () => snippet.Pipeline("S.Dates").Kernels[0](broken));
    }

    [Fact]
    public void RelaxedMath_UsesVectorLogAndExpWithinAFewUlps()
    {
        const string source = TestSources.Usings + "namespace S;\n" + Measures + """
            [Schema]
            public partial record R(double Log, double Exp, double Exact);

            [Pipeline("relaxed")]
            public static partial class Relaxed
            {
                [Map(RelaxedMath = true)]
                public static R Approximate(M m) => new(Math.Log(m.A), Math.Exp(m.B / 1000), Math.Sqrt(m.A));
            }
            """;
        using var snippet = LoadedSnippet.Compile(source);
        string generated = snippet.Run.GeneratedSource("S.Relaxed.Pipeline.g.cs");
        Assert.Contains("Vector256.Log(", generated, StringComparison.Ordinal);
        Assert.Contains("Vector256.Exp(", generated, StringComparison.Ordinal);

        Type schema = snippet.Type("S.M");
        List<object> rows = RowGenerator.Rows(schema, 4096, 11);
        using RecordBatch input = LoadedSnippet.ToBatch(schema, rows);
        using RecordBatch output = snippet.Pipeline("S.Relaxed").Kernels[0](input);
        var method = snippet.Type("S.Relaxed").GetMethod("Approximate")!;
        for (int r = 0; r < rows.Count; r++)
        {
            object expected = method.Invoke(null, [rows[r]])!;
            foreach ((string name, int column) in new[] { ("Log", 0), ("Exp", 1), ("Exact", 2) })
            {
                double want = (double)expected.GetType().GetProperty(name)!.GetValue(expected)!;
                double got = output.GetPrimitive<double>(name, ColumnType.Double)[r];
                bool close = BitConverter.DoubleToInt64Bits(want) == BitConverter.DoubleToInt64Bits(got)
                    || (double.IsNaN(want) && double.IsNaN(got))
                    || (column != 2 && double.IsFinite(want) && Math.Abs(want - got) <= 4 * Math.Max(double.Epsilon, Math.Abs(want) * 1.2e-16));
                Assert.True(close, $"Row {r}, {name}: expected {want:R}, the relaxed kernel wrote {got:R}.");
            }
        }
    }
}
