using Dsl.Execution;
using Dsl.Fitting;
using static Dsl.Runtime.Tests.Fitting.FitPipelines;

namespace Dsl.Runtime.Tests.Fitting;

/// <summary>Plans whose fits cannot be gathered are refused before any input is read, each with what is wrong.</summary>
public sealed class FitLayoutTests
{
    private static readonly PipelinePlan Plan = Pipeline().Plan;

    private static string Refusal(PipelinePlan plan) => Assert.Throws<ArgumentException>(() => FitLayout.For(plan)).Message;

    private static PipelinePlan WithRequests(params FitRequest[] requests) => Plan with { Fits = [Plan.Fits[0] with { Requests = [.. Needed, .. requests] }] };

    [Fact]
    public void Requests_NameAColumnOfTheFitsSchema_OfATypeTheStatisticReads()
    {
        Assert.Equal(
            "Fit stage 'FitStats' of pipeline 'fit-stats' asks for Mean of column 'Price' ('t => t.Price'), which schema 'T' does not have. Its columns are Id, Amount, Count, Country, Flag.",
            Refusal(WithRequests(Request(FitStatistic.Mean, "Price"))));
        Assert.Equal(
            "Fit stage 'FitStats' of pipeline 'fit-stats' asks for Mean of column 'Country' ('t => t.Country'), of type String; Mean needs a number or bool column.",
            Refusal(WithRequests(Request(FitStatistic.Mean, "Country"))));
        Assert.Equal(
            "Fit stage 'FitStats' of pipeline 'fit-stats' asks for Vocabulary of column 'Count' ('t => t.Count'), of type Int32; Vocabulary needs a string column.",
            Refusal(WithRequests(Request(FitStatistic.Vocabulary, "Count", 3, 1))));
        FitLayout ok = FitLayout.For(WithRequests(Request(FitStatistic.Distinct, "Country"), Request(FitStatistic.MostFrequent, "Flag"), Request(FitStatistic.NullCount, "Flag")));
        Assert.Equal(["Amount", "Country", "Flag"], ok.Fits[0].Columns.Select(c => c.Name));
    }

    [Fact]
    public void ConstantArguments_AreInRange()
    {
        Assert.Equal("Quantile of 't => t.Amount' in fit stage 'FitStats' of pipeline 'fit-stats' asks for the quantile 1.5; a quantile is a fraction from 0 to 1.", Refusal(WithRequests(Request(FitStatistic.Quantile, "Amount", 1.5))));
        Assert.Equal("QuantileBoundaries of 't => t.Amount' in fit stage 'FitStats' of pipeline 'fit-stats' asks for 2.5 buckets; the bucket count must be a whole number from 1 to 1,000,000.", Refusal(WithRequests(Request(FitStatistic.QuantileBoundaries, "Amount", 2.5))));
        Assert.Equal("Quantile of 't => t.Amount' in fit stage 'FitStats' of pipeline 'fit-stats' has 0 constant argument(s); Quantile takes 1.", Refusal(WithRequests(Request(FitStatistic.Quantile, "Amount"))));
        Assert.Contains("needs -1 occurrences of a value", Refusal(WithRequests(Request(FitStatistic.Vocabulary, "Country", 5, -1))));
    }

    [Fact]
    public void SegmentsAndTypes_AreConsistent()
    {
        Assert.Equal("Fit stage 'FitStats' of pipeline 'fit-stats' observes segment 0, which is not a first-pass (FitOnly) segment of the plan.", Refusal(Plan with { Fits = [Plan.Fits[0] with { Segment = 0 }] }));
        Assert.Equal(
            "Fit stages 'FitStats' and 'Again' of pipeline 'fit-stats' both return 'AmountStats'; each parameter type must come from one fit stage.",
            Refusal(Plan with { Fits = [Plan.Fits[0], Plan.Fits[0] with { Stage = "Again" }] }));

        // A first-pass stage that takes the fitted type would need a third pass.
        PipelinePlan chained = Plan with { Stages = [Plan.Stages[0] with { Parameters = AmountStats }, .. Plan.Stages.Skip(1)] };
        Assert.StartsWith("Stage 'Keep' runs before a fit stage of pipeline 'fit-stats' and takes 'AmountStats', which fit stage 'FitStats' computes", Refusal(chained));

        PipelinePlan readsFirstPass = Plan with { Segments = [Plan.Segments[0] with { InputSegment = 1 }, Plan.Segments[1]] };
        Assert.Equal("Segment 'Keep+Score' of pipeline 'fit-stats' reads first-pass segment 'Keep', which runs only while fitting.", Refusal(readsFirstPass));
    }
}
