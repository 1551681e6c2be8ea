using Dsl.Execution;
using Dsl.Generators.Tests.Infrastructure;

namespace Dsl.Generators.Tests.Execution;

/// <summary>
/// The row-group conditions the generator reads off a filter: top-level conjuncts, and now an <c>or</c> pattern or an
/// <c>||</c> over one column as one <c>AnyOf</c> condition (a new user's <c>Status is 0 or 1 or 2</c> gave none).
/// </summary>
public sealed class ScanPredicateTests
{
    private const string Source = TestSources.Usings + """
        namespace Sample;

        [Schema]
        public partial record Trip(int Status, long Code, double Fare, string Zone, int? Rating);

        [Pipeline("trips")]
        public static partial class Trips
        {
            [Filter]
            static bool Keep(Trip t) => t.Status is 0 or 1 or 2 && (t.Code == 3 || t.Code > 90) && (t.Zone == "A" || t.Fare > 1) && t.Rating is null or >= 4;
        }
        """;

    [Fact]
    public void OrPatternsAndOrsOverOneColumn_BecomeAnyOf_OrsOverTwoColumnsAreLeftOut()
    {
        using var snippet = LoadedSnippet.Compile(Source);
        IReadOnlyList<ScanPredicate> predicates = snippet.Pipeline("Sample.Trips").Plan.Stages[0].ScanPredicates!;

        Assert.Equal(
            ["Status == 0 || Status == 1 || Status == 2", "Code == 3 || Code > 90", "Rating is null || Rating >= 4"],
            predicates.Select(p => p.ToString()));
        Assert.All(predicates, p => Assert.Equal(ScanOperator.AnyOf, p.Operator));
        Assert.Equal([0, 1, 2], predicates[0].Alternatives.Select(a => a.Value));
        Assert.Equal([ScanOperator.IsNull, ScanOperator.GreaterThanOrEqual], predicates[2].Alternatives.Select(a => a.Operator));
    }

    [Fact]
    public void FilterThatCallsItsMethodPerRow_StillPrunesByTheConjunctsThatLowerOnTheirOwn()
    {
        const string source = TestSources.Usings + """
            namespace Sample;

            [Schema]
            public partial record Sale(double Amount, string Country, bool Flag);

            [Pipeline("sales")]
            public static partial class Sales
            {
                [Filter]
                static bool Keep(Sale s) => s.Amount >= 0 && s.Country.Split(',').Length > 1 && s.Country == "US" && !s.Flag;
            }
            """;
        using var snippet = LoadedSnippet.Compile(source);
        Assert.Contains("calls the method per row", snippet.Run.GeneratedSource("Sample.Sales.Pipeline.g.cs"), StringComparison.Ordinal);
        IReadOnlyList<ScanPredicate> predicates = snippet.Pipeline("Sample.Sales").Plan.Stages[0].ScanPredicates!;

        Assert.Equal(
            [("Amount", ScanOperator.GreaterThanOrEqual, (object?)0.0), ("Country", ScanOperator.Equal, "US"), ("Flag", ScanOperator.Equal, false)],
            predicates.Select(p => (p.Column, p.Operator, p.Value)));
    }
}
