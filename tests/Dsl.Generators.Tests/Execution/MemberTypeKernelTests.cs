using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// Stages over the newer member types (small and unsigned integers, Half, decimal, Guid, byte[], TimeOnly,
/// DateTimeOffset, NanoTimestamp) compute exactly what the stage methods compute row by row, on random rows rich in
/// extremes, nulls and NaN: promotions, overflow in checked and unchecked code, decimal rounding and overflow.
/// </summary>
public sealed class MemberTypeKernelTests
{
    private const string Source = TestSources.Usings + """
        namespace S;

        [Schema]
        public partial record T(
            long Id, sbyte I8, short I16, byte U8, ushort U16, uint U32, ulong U64, Half H,
            [property: Decimal(12, 3)] decimal Price, decimal? Amount, Guid Key, Guid? Other, byte[] Blob, byte[]? MaybeBlob,
            TimeOnly At, DateTimeOffset When, NanoTimestamp Ns, short? NI16, uint? NU32);

        [Schema]
        public partial record R(
            long Id, int Sum8, int Diff16, uint U32Plus, ulong U64Times, long Mixed, bool Big, float HF, Half HH,
            [property: Decimal(14, 3)] decimal Total, [property: Decimal(10, 1)] decimal Rounded, decimal? Scaled,
            bool SameKey, int BlobLength, int? MaybeLength, byte FirstByte, int Hour, long AtTicks, int WhenYear,
            long NsSince, bool NsAfter, short? NI16, long? NU32Wide, sbyte I8, Guid Key, byte[] Blob, TimeOnly At, NanoTimestamp Ns);

        [Pipeline("types")]
        public static partial class Types
        {
            [Filter]
            static bool Keep(T t) => t.U8 != 7 && t.Key != Guid.Empty || t.I16 < 0;

            [Map]
            static R Compute(T t) => new(
                t.Id, t.I8 + t.U8, t.I16 - t.U16, unchecked(t.U32 + 1u), unchecked(t.U64 * 3ul), t.I8 * (long)t.U32 - t.U64.GetHashCode(),
                t.U64 > long.MaxValue, (float)t.H, (Half)((float)t.H * 2f),
                t.Price + 1.0005m, t.Price / 3m, t.Amount * 1.5m,
                t.Other == t.Key, t.Blob.Length, t.MaybeBlob?.Length, t.Blob.Length > 0 ? t.Blob[0] : (byte)0,
                t.At.Hour, t.At.Ticks, t.When.Year,
                t.Ns.NanosecondsSince(new NanoTimestamp(-1)) is var d && d > 0 ? d : -d, t.Ns > new NanoTimestamp(1_709_287_200_123_456_789L),
                t.NI16, t.NU32, t.I8, t.Key, t.Blob, t.At, t.Ns);
        }
        """;

    [Fact]
    public void NewMemberTypes_KernelsMatchTheStageMethods()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        DifferentialRunner.Verify(snippet, "S.Types", "S.T", seeds: 6);
    }

    [Fact]
    public void NewMemberTypes_InCheckedPipelines_OverflowAsTheStageMethodsDo()
    {
        using var snippet = LoadedSnippet.Compile(Source.Replace("unchecked(t.U32 + 1u)", "checked(t.U32 + 1u)", StringComparison.Ordinal), checkOverflow: true);
        DifferentialRunner.Verify(snippet, "S.Types", "S.T", seeds: 6);
    }
}

/// <summary>List members (<c>float[]</c>, <c>IReadOnlyList&lt;long&gt;</c>): whole-array calls and element access in stages, against the stage methods.</summary>
public sealed class ListMemberKernelTests
{
    public const string Source = TestSources.Usings + """
        using System.Collections.Generic;
        using System.Linq;

        namespace S;

        [Schema]
        public partial record E(long Id, float[] Emb, IReadOnlyList<long> Ids, double[]? Maybe, Half[] Small);

        [Schema]
        public partial record F(long Id, float[] Emb, float Sum, int Length, float First, long IdSum, int? MaybeLength, double[] Doubled, IReadOnlyList<long> Ids, Half[] Small);

        [Pipeline("lists")]
        public static partial class Lists
        {
            [Filter]
            static bool NotEmpty(E e) => e.Emb.Length > 0 || e.Ids.Count > 1;

            [Map]
            static F Features(E e) => new(
                e.Id, e.Emb, e.Emb.Sum(), e.Emb.Length, e.Emb.Length > 0 ? e.Emb[0] : float.NaN, e.Ids.Sum(), e.Maybe?.Length,
                e.Maybe is null ? [] : e.Maybe.Select(x => x * 2).ToArray(), e.Ids, e.Small);
        }
        """;

    [Fact]
    public void ListMembers_KernelsMatchTheStageMethods()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        DifferentialRunner.Verify(snippet, "S.Lists", "S.E", seeds: 6);
    }
}
