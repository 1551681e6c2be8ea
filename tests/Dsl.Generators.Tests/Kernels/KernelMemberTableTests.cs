using Dsl.Generators.Common;
using Dsl.Generators.Model;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Kernels;

/// <summary>
/// The table of known kernel members (<see cref="KernelMembers"/>): one descriptor per member, each reached by the
/// lowering, each the vector emitter claims exact proved by the differential runner, and a member outside the table
/// kept on the per-row code with the reason written into the kernel.
/// </summary>
public sealed class KernelMemberTableTests
{
    // One output per descriptor, each in a form the vector emitter implements (string members on a string column,
    // TimeSpan totals on the difference of two timestamps, throwing members guarded as a user would).
    private const string AllMembers = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record M(double A, double B, float F, int I, int J, double? N, int? K, DateTime Ts, DateTime End, DateOnly D, string Tag);

        [Schema]
        public partial record R(
            bool HasValue, double Value, int OrSeven,
            double Abs, double Sqrt, double Floor, double Ceiling, double Truncate, double Round, double Min, double Max, double Clamp, int Sign,
            double Log, double Log10, double Log2, double Exp, double Pow, double Sin, double Cos, double Tan, double Asin, double Acos, double Atan,
            double Atan2, double Sinh, double Cosh, double Tanh, double Cbrt, double Asinh, double Acosh, double Atanh,
            bool DoubleIsNaN, bool DoubleIsFinite, bool DoubleIsInfinity, bool DoubleIsPositiveInfinity, bool DoubleIsNegativeInfinity,
            bool SingleIsNaN, bool SingleIsFinite, bool SingleIsInfinity, bool SingleIsPositiveInfinity, bool SingleIsNegativeInfinity,
            int Hour, int Minute, int Second, int Year, int Month, int Day, int DayOfYear, int DayOfWeek,
            int DateYear, int DateMonth, int DateDay, int DateDayOfYear, int DateDayOfWeek, int DayNumber,
            double TotalMilliseconds, double TotalSeconds, double TotalMinutes, double TotalHours, double TotalDays,
            int Length, bool Lower, bool Upper, int Trim, int TrimStart, int TrimEnd, bool Starts, bool Ends, bool Contains, bool EqualsFr, int IndexOf,
            bool IsNullOrEmpty, bool IsNullOrWhiteSpace, int Bucket, bool HashOdd, bool StaticEquals, bool Matches,
            double Standard, double StandardScale, double MinMax, double MinMaxRange, double MinMaxScale, double MinMaxOffset, double MaxAbs,
            double MaxAbsScale, double Robust, double RobustScale, double Filled, bool Missing, int BucketIndex, int Uniform, int Ordinal,
            int HotColumn, int OrInfrequent, double HotIndicator, double HotInfrequent, int Murmur, int HashIndex, double HashSign, double HashValue,
            double HashIndicator, double Log1p, double Expm1, double BoxCox, double YeoJohnson);

        [Pipeline("members")]
        public static partial class Members
        {
            static readonly double[] Edges = { -1.0, 0.0, 2.5, 100.0 };
            static readonly string[] Tags = { "FR", "de", "a" };
            static readonly string[] Seen = { "FR", "de", "a", "日本語", "" };

            [Map]
            static R Apply(M m) => new(
                m.N.HasValue, m.N.HasValue ? m.N.Value : 0.0, m.K.GetValueOrDefault(7),
                Math.Abs(m.A), Math.Sqrt(m.A), Math.Floor(m.A), Math.Ceiling(m.A), Math.Truncate(m.A), Math.Round(m.A), Math.Min(m.A, m.B), Math.Max(m.A, m.B),
                Math.Clamp(m.A, -1.0, 1.0), double.IsNaN(m.A) ? 0 : Math.Sign(m.A),
                Math.Log(m.A), Math.Log10(m.A), Math.Log2(m.A), Math.Exp(m.A), Math.Pow(m.A, m.B), Math.Sin(m.A), Math.Cos(m.A), Math.Tan(m.A),
                Math.Asin(m.A), Math.Acos(m.A), Math.Atan(m.A), Math.Atan2(m.A, m.B), Math.Sinh(m.A), Math.Cosh(m.A), Math.Tanh(m.A), Math.Cbrt(m.A),
                Math.Asinh(m.A), Math.Acosh(m.A), Math.Atanh(m.A),
                double.IsNaN(m.A), double.IsFinite(m.A), double.IsInfinity(m.A), double.IsPositiveInfinity(m.A), double.IsNegativeInfinity(m.A),
                float.IsNaN(m.F), float.IsFinite(m.F), float.IsInfinity(m.F), float.IsPositiveInfinity(m.F), float.IsNegativeInfinity(m.F),
                m.Ts.Hour, m.Ts.Minute, m.Ts.Second, m.Ts.Year, m.Ts.Month, m.Ts.Day, m.Ts.DayOfYear, (int)m.Ts.DayOfWeek,
                m.D.Year, m.D.Month, m.D.Day, m.D.DayOfYear, (int)m.D.DayOfWeek, m.D.DayNumber,
                (m.End - m.Ts).TotalMilliseconds, (m.End - m.Ts).TotalSeconds, (m.End - m.Ts).TotalMinutes, (m.End - m.Ts).TotalHours, (m.End - m.Ts).TotalDays,
                m.Tag.Length, m.Tag.ToLowerInvariant() == "fr", m.Tag.ToUpperInvariant() == "FR", m.Tag.Trim().Length, m.Tag.TrimStart().Length,
                m.Tag.TrimEnd().Length, m.Tag.StartsWith("a"), m.Tag.EndsWith("e"), m.Tag.Contains("x"), m.Tag.Equals("FR"), m.Tag.IndexOf("a"),
                string.IsNullOrEmpty(m.Tag), string.IsNullOrWhiteSpace(m.Tag), Hashing.Bucket(m.Tag, 64), (Hashing.Hash64(m.Tag) & 1UL) == 1UL,
                string.Equals(m.Tag, "fr", StringComparison.OrdinalIgnoreCase), Dsl.Kernels.RuleChecks.Matches(m.Tag, "^F"),
                Scale.Standard(m.A, 1.5, 2.0), Scale.StandardScale(m.B), Scale.MinMax(m.A, -3.0, 7.0), Scale.MinMax(m.A, -3.0, 7.0, -1.0, 1.0),
                Scale.MinMaxScale(m.B, 7.0), Scale.MinMaxOffset(m.B, 7.0), Scale.MaxAbs(m.A, 4.0), Scale.MaxAbsScale(m.B), Scale.Robust(m.A, 0.5, -1.0, 2.0),
                Scale.RobustScale(m.A, m.B), Impute.Fill(m.N, -1.0), Impute.IsMissing(m.N), Bucketize.Index(m.A, Edges), Bucketize.Uniform(m.A, -10.0, 10.0, 4),
                Encode.Ordinal(m.Tag, Tags), Encode.OneHotColumn(m.Tag, Tags, Seen), Encode.OneHotColumnOrInfrequent(m.Tag, Tags), Encode.OneHot(m.Tag, Tags, 1),
                Encode.OneHotOrInfrequent(m.Tag, Tags, 3), FeatureHashing.Murmur3(m.Tag), FeatureHashing.Index(m.Tag, 16), FeatureHashing.Sign(m.Tag),
                FeatureHashing.Value(m.Tag, 8, 3), FeatureHashing.Indicator(m.Tag, 8, 5), PowerTransform.Log1p(m.A), PowerTransform.Expm1(m.A),
                PowerTransform.BoxCox(m.A, 0.5), PowerTransform.YeoJohnson(m.A, 1.5));
        }
        """;

    [Fact]
    public void EveryMember_HasExactlyOneDescriptor_AndEveryOwnerAndNameResolvesBackToIt()
    {
        KernelMember[] members = Enum.GetValues<KernelMember>().Where(m => m != KernelMember.None).ToArray();
        Assert.Equal(members.Order(), KernelMembers.All.Select(d => d.Member).Order());
        foreach (KernelMemberInfo info in KernelMembers.All)
        {
            Assert.Same(info, KernelMembers.Info(info.Member));
            Assert.NotEmpty(info.Owners);
            Assert.True(info.Exact.HasFlag(KernelBackends.PerRow), info.Member + ": the per-row code calls the member as written, so it is always exact");
            foreach (string owner in info.Owners)
            {
                Assert.Equal(info.Member, KernelMembers.Resolve(info.Shape, owner, info.Name));
            }
        }
        Assert.Equal(KernelMember.None, KernelMembers.Resolve(KernelMemberShape.StaticCall, "System.Math", "BitIncrement"));
        Assert.Equal(KernelMember.None, KernelMembers.Resolve(KernelMemberShape.Property, "System.Math", "Floor"));
    }

    [Fact]
    public void EveryDescriptor_IsReachedByTheLowering()
    {
        GeneratorRun run = GeneratorHarness.Run(AllMembers);
        Assert.Empty(run.CompilationProblems);
        var lowered = new HashSet<KernelMember>();
        foreach (StageSpec stage in Spec(run).Stages)
        {
            Assert.True(stage.Kernel.Vectorized, stage.Kernel.FallbackReason);
            foreach (KernelOutput output in stage.Kernel.Outputs)
            {
                CollectMembers(output.Value, lowered);
            }
        }
        Assert.Equal(KernelMembers.All.Select(d => d.Member).Order(), lowered.Order());
    }

    [Fact]
    public void EveryDescriptorTheVectorEmitterClaimsExact_RunsInTheVectorBlockAndMatchesTheStageMethodBitForBit()
    {
        // AllMembers uses every descriptor (the test above): the segment must keep its vector block with all of them,
        // and the vector path, the per-row path and the stage method must agree on adversarial rows.
        Assert.All(KernelMembers.All, d => Assert.True(d.Exact.HasFlag(KernelBackends.Vector), d.Member + " is not claimed exact: give it its own test"));
        using var snippet = LoadedSnippet.Compile(AllMembers);
        string generated = snippet.Run.GeneratedSource("S.Members.Pipeline.g.cs");
        Assert.DoesNotContain("// No vector block", generated, StringComparison.Ordinal);
        Assert.Contains("for (; i < vectorEnd; i += 4)", generated, StringComparison.Ordinal);
        DifferentialRunner.Verify(snippet, "S.Members", "S.M", seeds: 6);
        DifferentialRunner.VerifyRows(snippet, "S.Members", "S.M", RowGenerator.Rows(snippet.Type("S.M"), 1001, 1001));
    }

    [Theory]
    [InlineData("Math.BitIncrement(m.A)", "'Math.BitIncrement(A)': 'BitIncrement' is not a known kernel member, so only the per-row code calls it")]
    [InlineData("m.Ts.Millisecond", "'Ts.Millisecond': the property 'Millisecond' of DateTime is not a known kernel member, so only the per-row code reads it")]
    [InlineData("Math.Abs(m.I)", "'Math.Abs(I)': Math.Abs of an integer throws for MinValue and has no vector form")]
    [InlineData("checked(m.I * 2)", "'checked(I * 2)': checked integer arithmetic throws OverflowException and has no vector form")]
    public void MemberWithoutAVectorForm_RunsPerRow_AndTheKernelSaysWhy(string expression, string reason)
    {
        string source = TestSources.Usings + """
            namespace S;

            [Schema]
            public partial record M(double A, int I, DateTime Ts);

            [Schema]
            public partial record R(double X);

            [Pipeline("unknown")]
            public static partial class Unknown
            {
                [Map]
                static R Apply(M m) => new(
            """ + expression + """
            );
            }
            """;
        using var snippet = LoadedSnippet.Compile(source);
        string generated = snippet.Run.GeneratedSource("S.Unknown.Kernel_Apply.g.cs");
        // The comment may be wrapped at 140 columns: its continuation lines are '//' comments indented two more.
        string[] lines = generated.Split('\n').Select(l => l.Trim()).ToArray();
        int at = Array.FindIndex(lines, l => l.StartsWith("// No vector block", StringComparison.Ordinal));
        Assert.True(at >= 0, generated);
        string comment = lines[at];
        for (int next = at + 1; next < lines.Length && lines[next].StartsWith("//   ", StringComparison.Ordinal); next++)
        {
            comment += " " + lines[next][2..].Trim();
        }
        Assert.Equal("// No vector block: in Apply, " + reason + ". Every row runs the per-row code.", comment);
        Assert.DoesNotContain("vectorEnd", generated, StringComparison.Ordinal);
        DifferentialRunner.Verify(snippet, "S.Unknown", "S.M");
    }

    [Fact]
    public void Lowering_RecordsKernelTypesOperatorsAndConstants_NotCSharpText()
    {
        GeneratorRun run = GeneratorHarness.Run(TestSources.Usings + """
            namespace S;

            [Schema]
            public partial record M(int I, long L, double? N, string Tag);

            [Pipeline("typed")]
            public static partial class Typed
            {
                [Filter]
                static bool Keep(M m) => m.I / 3 > m.L && m.N is >= -1.5 && m.Tag != "x";
            }
            """);
        KernelExpr predicate = Spec(run).Stages[0].Kernel.Predicate!;
        Assert.Equal(KernelOp.ConditionalAnd, predicate.Op);
        KernelExpr left = predicate.Operands[0].Operands[0];
        Assert.Equal(KernelOp.GreaterThan, left.Op);
        KernelExpr division = left.Operands[0];
        Assert.Equal((KernelOp.Divide, KernelTypeKind.Int32, false, 32), (division.Op, division.Type.Kind, division.Type.Nullable, division.Type.Width));
        Assert.Equal(("3", KernelTypeKind.Int32), (division.Operands[1].Constant, division.Operands[1].Type.Kind));
        Assert.Equal(KernelTypeKind.Int64, left.Operands[1].Type.Kind);
        KernelExpr pattern = predicate.Operands[0].Operands[1];
        Assert.Equal((KernelTypeKind.Double, true, "double?"), (pattern.Operands[0].Type.Kind, pattern.Operands[0].Type.Nullable, pattern.Operands[0].Type.CSharp));
        Assert.Equal((KernelOp.GreaterThanOrEqual, "-1.5"), (pattern.Operands[1].Op, pattern.Operands[1].Operands[0].Constant));
        KernelExpr notEqual = predicate.Operands[1];
        Assert.Equal((KernelOp.NotEquals, KernelTypeKind.String, "x"), (notEqual.Op, notEqual.Operands[1].Type.Kind, notEqual.Operands[1].Constant));
    }

    private static PipelineSpec Spec(GeneratorRun run) =>
        run.Result.Results
            .SelectMany(r => r.TrackedSteps.TryGetValue(TrackingNames.PipelineSpecs, out var steps) ? steps : [])
            .SelectMany(step => step.Outputs)
            .Select(output => (PipelineSpec)output.Value)
            .Single();

    private static void CollectMembers(KernelExpr e, HashSet<KernelMember> members)
    {
        if (e.Member != KernelMember.None)
        {
            members.Add(e.Member);
        }
        foreach (KernelExpr operand in e.Operands)
        {
            CollectMembers(operand, members);
        }
    }
}
