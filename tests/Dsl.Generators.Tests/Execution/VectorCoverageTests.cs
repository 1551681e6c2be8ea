using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// Constructs that once kept a whole segment on the per-row code without a word: integer division and remainder,
/// DateTime comparisons, negative results of string switches, nullable strings, string.Equals statics, integer
/// patterns and the user's own helpers. Each family must compile to a vector block for every segment (and no
/// "No vector block" comment), and the vector path, the per-row path and the stage methods must agree bit for bit
/// on random rows full of zeros, -1, MinValue, nulls and odd strings, at batch sizes around the block size.
/// </summary>
public sealed class VectorCoverageTests
{
    private const string Trips = """
        [Schema]
        public partial record T(int I, int J, long L, long D, int? K, long? LK, DateTime Pickup, DateTime Dropoff, DateTime? Closed,
            string Tag, string? Note, double A, bool Flag);

        """;

    public const string Division = TestSources.Usings + "namespace S;\n" + Trips + """
        [Schema]
        public partial record Q(int Quotient, int Remainder, long LongQuotient, long LongRemainder, int ByConstant, long LongByConstant,
            int? Lifted, long Mixed, int RemainderByConstant, int CheckedQuotient, long? LongLifted, int ByMinusOne, double SignedZero);

        [Pipeline("division")]
        public static partial class Division
        {
            [Filter]
            static bool Some(T t) => t.J != 0 && t.J != -1 ? t.I / t.J > -1000 : t.Flag;

            [Map(From = nameof(Some))]
            static Q Divide(T t) => new(
                t.J == 0 || t.J == -1 ? 0 : t.I / t.J,
                t.J != 0 && t.J != -1 ? t.I % t.J : -7,
                t.D == 0 || t.D == -1 ? 0 : t.L / t.D,
                t.D is 0 or -1 ? 0 : t.L % t.D,
                t.I / 7,
                t.L / -3,
                t.J is 0 or -1 ? null : t.K / t.J,
                t.D == 0 || t.D == -1 ? t.I : t.I / t.D,
                t.I % 10,
                t.J == 0 || t.J == -1 ? 1 : checked(t.I / t.J),
                t.D is 0 or -1 ? -1 : t.LK % t.D,
                t.I == int.MinValue ? 0 : t.I / -1,
                t.Flag ? -0 : -0.0); // the int -0 is +0.0 as a double; -0.0 is negative zero
        }
        """;

    // Unguarded: blocks where a kept row divides by zero or MinValue by -1 go to the per-row code, which throws
    // DivideByZeroException or OverflowException at the same row as the stage method.
    public const string DivisionThrows = TestSources.Usings + "namespace S;\n" + Trips + """
        [Schema]
        public partial record Q(int Quotient, long Remainder, int IntRemainder, long LongQuotient);

        [Pipeline("division-throws")]
        public static partial class Throwing
        {
            [Filter]
            static bool Some(T t) => t.A > 0 || t.Flag;

            [Map(From = nameof(Some))]
            static Q Divide(T t) => new(t.I / t.J, t.L % t.D, t.I % t.J, t.L / t.D);
        }
        """;

    public const string DateTimes = TestSources.Usings + "namespace S;\n" + Trips + """
        [Schema]
        public partial record C(bool After, bool Same, bool Differs, bool Before, bool AtMost, bool AtLeast, bool ClosedAfter, bool ClosedSame,
            bool ClosedDiffers, bool ClosedSelf, bool Picked, DateTime Latest, DateTime? Closing);

        [Pipeline("date-times")]
        public static partial class Times
        {
            [Filter]
            static bool Forward(T t) => t.Dropoff >= t.Pickup || t.Closed < t.Dropoff || t.Flag;

            [Map(From = nameof(Forward))]
            static C Compare(T t) => new(
                t.Dropoff > t.Pickup, t.Pickup == t.Pickup, t.Dropoff != t.Pickup, t.Dropoff < t.Pickup, t.Dropoff <= t.Dropoff, t.Pickup >= t.Dropoff,
                t.Closed > t.Pickup, t.Closed == t.Dropoff, t.Closed != t.Pickup, t.Closed == t.Closed,
                (t.I > 0 ? t.Pickup : t.Dropoff) <= t.Dropoff,
                t.Dropoff > t.Pickup ? t.Dropoff : t.Pickup,
                t.Closed);
        }
        """;

    public const string StringSwitches = TestSources.Usings + "namespace S;\n" + Trips + """
        [Schema]
        public partial record W(int Code, double Weight, int Negated, double Length, long Wide, int Complement);

        [Pipeline("string-switches")]
        public static partial class Switches
        {
            [Filter]
            static bool Known(T t) => (t.Tag switch { "FR" => -1, "a" => -2, _ => 0 }) < 0 || t.A > 0;

            [Map(From = nameof(Known))]
            static W Encode(T t) => new(
                t.Tag switch { "FR" => -1, "a" => -2, "" => int.MinValue, _ => 0 },
                t.Tag switch { "de" => -1.5, "A" => -0.0, _ => 2.0 },
                -t.Tag.Length,
                (double)t.Tag.Length,
                t.Tag.Length is 0 or 1 ? -1L : +1L,
                ~t.Tag.Length);
        }
        """;

    public const string NullableStrings = TestSources.Usings + "namespace S;\n" + Trips + """
        [Schema]
        public partial record N(bool IsFr, bool NotA, bool IsNull, bool HasNote, int LengthOrMinusOne, int? Length, int CoalescedLength,
            bool Long, bool Empty, int Switched, string? Note, bool Pattern, double? Scaled, bool Upper);

        [Pipeline("nullable-strings")]
        public static partial class Notes
        {
            [Filter]
            static bool NotDe(T t) => t.Note != "de";

            [Map(From = nameof(NotDe))]
            static N Read(T t) => new(
                t.Note == "FR", t.Note != "a", t.Note is null, t.Note != null,
                t.Note?.Length ?? -1, t.Note?.Length, (t.Note ?? "").Length, t.Note?.Length > 2,
                string.IsNullOrEmpty(t.Note),
                t.Note switch { null => 0, "FR" => 1, _ => 2 },
                t.Note,
                t.Note is not (null or ""),
                t.Note?.Length * 0.5,
                (t.Note ?? "x").ToUpperInvariant() == "FR");
        }
        """;

    public const string StringEquals = TestSources.Usings + "namespace S;\n" + Trips + """
        [Schema]
        public partial record E(bool Plain, bool IgnoreCase, bool Ordinal, bool Nullable, bool Reversed, bool NullableIgnoreCase, bool Constant, bool Trimmed);

        [Pipeline("string-equals")]
        public static partial class Equality
        {
            private const string Fr = "FR";

            [Filter]
            static bool Some(T t) => !string.Equals(t.Tag, "de") || t.Flag;

            [Map(From = nameof(Some))]
            static E Compare(T t) => new(
                string.Equals(t.Tag, "FR"),
                string.Equals("fr", t.Tag, StringComparison.OrdinalIgnoreCase),
                string.Equals(t.Tag, "a", StringComparison.Ordinal),
                string.Equals(t.Note, "FR"),
                string.Equals("A", t.Note),
                string.Equals(t.Note, "NAÏVE", StringComparison.OrdinalIgnoreCase),
                string.Equals(Fr, t.Tag),
                string.Equals(t.Tag.Trim(), t.Tag.ToUpperInvariant(), StringComparison.Ordinal));
        }
        """;

    public const string IntegerPatterns = TestSources.Usings + "namespace S;\n" + Trips + """
        [Schema]
        public partial record P(bool Small, bool Range, bool Outside, bool NullableSmall, bool NullablePositive, bool Extreme, bool LongMin,
            int Bucket, bool MinusOne, long LongBucket, bool NotNull, bool Grouped, bool NotGrouped);

        [Pipeline("integer-patterns")]
        public static partial class Patterns
        {
            [Filter]
            static bool Some(T t) => t.I is 0 or 1 or 2 or 7 || t.L is > 0 and < 1000 || t.Flag;

            [Map(From = nameof(Some))]
            static P Match(T t) => new(
                t.I is 0 or 1 or 2,
                t.L is > 0 and < 100 or -1,
                t.I is not (< -5 or > 5),
                t.K is 0 or 1,
                t.LK is >= 0,
                t.I is int.MaxValue or int.MinValue,
                t.L is long.MinValue,
                t.I switch { 0 or 1 => 1, > 100 and < 1000 => 2, < 0 => 3, _ => 4 },
                t.J is -1,
                t.LK switch { null => -1, 0 or 1 => 0, >= 2 and <= 1000 => 1, _ => 2 },
                t.K is not null,
                t.I is (< 0 or > 100) and (-5),
                t.L is not (1 or 2) or (-1));
        }
        """;

    public const string Helpers = TestSources.Usings + "namespace S;\n" + Trips + """
        [Schema]
        public partial record H(double Ratio, bool Trip, int Half, double HalfReal, long Twice, int Bucket, double Scaled, bool Window, int Code, int Shorter);

        public static class Shared
        {
            public static int Code(string tag) => tag switch { "FR" => -1, "de" => 2, _ => 0 };
        }

        [Pipeline("helpers")]
        public static partial class Helpers
        {
            private static readonly double Factor = 1.5;

            static double Ratio(double a, double b) => b == 0 ? 0 : a / b;

            static bool IsTrip(T t) => t.Dropoff > t.Pickup && t.I > 0;

            static bool InWindow(T t, int low, int high) => t.I >= low && t.I <= high;

            static int Half(int x) => x / 2;

            static double HalfReal(double x) => x / 2;

            static long Add(long a, long b) => unchecked(a + b);

            static long Twice(long x) => Add(x, x);

            static int Bucket(string s) => s.Length % 3;

            static int Shorter(int length, int limit) => Math.Min(length, limit);

            static double Scaled(double x) => x * Factor;

            [Filter]
            static bool Keep(T t) => IsTrip(t) || Ratio(t.A, 2) > 1 || t.Flag;

            [Map(From = nameof(Keep))]
            static H Compute(T t) => new(Ratio(t.A, t.I), IsTrip(t), Half(t.I), HalfReal(t.I), Twice(t.L), Bucket(t.Tag), Scaled(t.A),
                InWindow(t, -10, 10), Shared.Code(t.Tag), Shorter(t.Tag.Length, 3));
        }
        """;

    public static TheoryData<string, string> Families => new()
    {
        { Division, "S.Division" },
        { DivisionThrows, "S.Throwing" },
        { DateTimes, "S.Times" },
        { StringSwitches, "S.Switches" },
        { NullableStrings, "S.Notes" },
        { StringEquals, "S.Equality" },
        { IntegerPatterns, "S.Patterns" },
        { Helpers, "S.Helpers" },
    };

    [Theory]
    [MemberData(nameof(Families))]
    public void Family_TakesTheVectorBlockAndMatchesTheStageMethods(string source, string pipeline)
    {
        using var snippet = LoadedSnippet.Compile(source);
        string generated = snippet.Run.GeneratedSource(pipeline + ".Pipeline.g.cs");
        Assert.DoesNotContain("// No vector block", generated, StringComparison.Ordinal);
        int segments = snippet.Pipeline(pipeline).Plan.Segments.Count;
        Assert.Equal(segments, CountOf(generated, "for (; i < vectorEnd; i += 4)"));
        DifferentialRunner.Verify(snippet, pipeline, "S.T", seeds: 6);
        foreach (int size in new[] { 1001, 4096 })
        {
            DifferentialRunner.VerifyRows(snippet, pipeline, "S.T", RowGenerator.Rows(snippet.Type("S.T"), size, size));
        }
    }

    [Fact]
    public void IntegerDivision_HandsBackOnlyForKeptRowsThatThrow()
    {
        using var snippet = LoadedSnippet.Compile(DivisionThrows);
        Type schema = snippet.Type("S.T");
        var kernel = snippet.Pipeline("S.Throwing").Kernels[0];

        // Eight rows, all dropped by the filter, among them zero divisors and MinValue / -1 in both blocks: nothing throws.
        var dropped = new List<object>();
        for (int r = 0; r < 8; r++)
        {
            dropped.Add((r % 4) switch
            {
                0 => Row(schema, i: 1, j: 0, l: 1, d: 1, keep: false),
                1 => Row(schema, i: int.MinValue, j: -1, l: 1, d: 1, keep: false),
                2 => Row(schema, i: 1, j: 1, l: long.MinValue, d: -1, keep: false),
                _ => Row(schema, i: 1, j: 1, l: 1, d: 0, keep: false),
            });
        }
        List<object> rows = dropped;
        using (RecordBatch input = LoadedSnippet.ToBatch(schema, rows))
        using (RecordBatch output = kernel(input))
        {
            Assert.Equal(0, output.RowCount);
        }

        foreach ((int i, int j, long l, long d, Type error) in new[]
        {
            (1, 0, 1L, 1L, typeof(DivideByZeroException)),
            (int.MinValue, -1, 1L, 1L, typeof(OverflowException)),
            (1, 1, 1L, 0L, typeof(DivideByZeroException)),
            (1, 1, long.MinValue, -1L, typeof(OverflowException)),
        })
        {
            List<object> some = Enumerable.Range(0, 8).Select(r => Row(schema, i: 5, j: 2, l: 9, d: 4, keep: true)).ToList();
            some[5] = Row(schema, i, j, l, d, keep: true);
            using RecordBatch input = LoadedSnippet.ToBatch(schema, some);
            RowErrorAssert.Throws(error, "Divide", 5, () => kernel(input).Dispose());
            using (Dsl.Kernels.KernelDispatch.ScalarOnly())
            {
                RowErrorAssert.Throws(error, "Divide", 5, () => kernel(input).Dispose());
            }
        }
    }

    [Fact]
    public void HelpersThatCannotBeInlined_StayCallsAndSaySo()
    {
        const string source = TestSources.Usings + "namespace S;\n" + Trips + """
            [Schema]
            public partial record R(double Value);

            [Pipeline("block-helper")]
            public static partial class BlockHelper
            {
                static double Doubled(double x)
                {
                    return x * 2;
                }

                [Map]
                static R Apply(T t) => new(Doubled(t.A));
            }

            [Pipeline("recursive-helper")]
            public static partial class RecursiveHelper
            {
                static double Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);

                [Map]
                static R Apply(T t) => new(Factorial(t.I & 7));
            }

            public static class Other
            {
                private static readonly double s_factor = 2;

                public static double Scale(double x) => x * s_factor;
            }

            [Pipeline("inaccessible-helper")]
            public static partial class InaccessibleHelper
            {
                [Map]
                static R Apply(T t) => new(Other.Scale(t.A));
            }

            [Pipeline("throwing-argument")]
            public static partial class ThrowingArgument
            {
                static double Ignore(int x, double y) => y;

                [Map]
                static R Apply(T t) => new(Ignore(t.J == 0 ? 0 : t.I / t.J, t.A));
            }
            """;
        using var snippet = LoadedSnippet.Compile(source);
        foreach ((string pipeline, string call) in new[]
        {
            ("S.BlockHelper", "BlockHelper.Doubled("), ("S.RecursiveHelper", "RecursiveHelper.Factorial("), ("S.ThrowingArgument", "ThrowingArgument.Ignore("),
            ("S.InaccessibleHelper", "Other.Scale("),
        })
        {
            string generated = snippet.Run.GeneratedSource(pipeline + ".Pipeline.g.cs");
            Assert.Contains("// No vector block: in Apply, 'S." + call, generated, StringComparison.Ordinal);
            Assert.Contains("a call to your own method, which the kernel could not inline", generated, StringComparison.Ordinal);
            DifferentialRunner.Verify(snippet, pipeline, "S.T", seeds: 2);
        }
    }

    [Fact]
    public void StringsThatMayBeNullOrSpanTwoColumns_StayOnThePerRowCode()
    {
        const string source = TestSources.Usings + "namespace S;\n" + Trips + """
            [Schema]
            public partial record R(int Value);

            [Pipeline("unsafe-member")]
            public static partial class UnsafeMember
            {
                [Map]
                static R Apply(T t) => new(t.Note!.Length);
            }

            [Pipeline("two-columns")]
            public static partial class TwoColumns
            {
                [Map]
                static R Apply(T t) => new(t.Tag == t.Note ? 1 : 0);
            }
            """;
        using var snippet = LoadedSnippet.Compile(source);
        foreach (string pipeline in new[] { "S.UnsafeMember", "S.TwoColumns" })
        {
            Assert.Contains("// No vector block: in Apply", snippet.Run.GeneratedSource(pipeline + ".Pipeline.g.cs"), StringComparison.Ordinal);
            // The per-row code throws NullReferenceException for a null note, like the stage method.
            DifferentialRunner.Verify(snippet, pipeline, "S.T", seeds: 2);
        }
    }

    [Fact]
    public void EditingAnInlinedHelperInAnotherFile_RegeneratesTheKernel()
    {
        const string stages = TestSources.Usings + "namespace S;\n" + Trips + """
            [Schema]
            public partial record R(double Value);

            [Pipeline("elsewhere")]
            public static partial class Elsewhere
            {
                [Map]
                static R Apply(T t) => new(Weights.Weigh(t.A));
            }
            """;
        static string Helper(string factor) => "namespace S; public static class Weights { public static double Weigh(double x) => x * " + factor + "; }";

        GeneratorRun first = GeneratorHarness.Run(stages);
        var helper = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(Helper("2.5"), GeneratorHarness.ParseOptions, path: "Weights.cs");
        var withHelper = first.Input.AddSyntaxTrees(helper);
        var driver = first.Driver.RunGenerators(withHelper);
        string Kernel(Microsoft.CodeAnalysis.GeneratorDriver d) => d.GetRunResult().Results.SelectMany(r => r.GeneratedSources)
            .Single(g => g.HintName.EndsWith("S.Elsewhere.Kernel_Apply.g.cs", StringComparison.Ordinal)).SourceText.ToString();
        Assert.Contains("2.5", Kernel(driver), StringComparison.Ordinal);

        var edited = withHelper.ReplaceSyntaxTree(helper, Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(Helper("3.5"), GeneratorHarness.ParseOptions, path: "Weights.cs"));
        driver = driver.RunGenerators(edited);
        string kernel = Kernel(driver);
        Assert.Contains("3.5", kernel, StringComparison.Ordinal);
        Assert.DoesNotContain("2.5", kernel, StringComparison.Ordinal);
    }

    [Fact]
    public void InlinedHelpers_LeaveNoCallInTheKernel()
    {
        using var snippet = LoadedSnippet.Compile(Helpers);
        string generated = snippet.Run.GeneratedSource("S.Helpers.Pipeline.g.cs");
        foreach (string helper in new[] { "Ratio(", "IsTrip(", "Half(", "HalfReal(", "Twice(", "Add(", "Bucket(", "Scaled(", "InWindow(", "Code(", "Shorter(" })
        {
            Assert.DoesNotContain("." + helper, generated, StringComparison.Ordinal);
        }
        // That the inlined bodies mean what the calls meant (HalfReal(t.I) divides a double, not an int) is what the
        // differential run of the Helpers family checks.
    }

    private static object Row(Type schema, int i, int j, long l, long d, bool keep)
    {
        var constructor = RowGenerator.PrimaryConstructor(schema);
        var at = new DateTime(2024, 1, 1);
        return constructor.Invoke([i, j, l, d, null, null, at, at, null, "a", null, keep ? 1.0 : -1.0, false]);
    }

    private static int CountOf(string text, string part)
    {
        int count = 0;
        for (int at = text.IndexOf(part, StringComparison.Ordinal); at >= 0; at = text.IndexOf(part, at + part.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }
}
