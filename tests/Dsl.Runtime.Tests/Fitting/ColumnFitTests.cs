using Dsl.Execution;
using Dsl.Fitting;
using System.Text.Json;
using Dsl.Runtime.Tests.Validation;

namespace Dsl.Runtime.Tests.Fitting;

/// <summary>One column's first-pass state on its own: merges, distinct keys, HyperLogLog at small cardinalities.</summary>
public sealed class ColumnFitTests
{
    private static FitRequest Request(FitStatistic statistic, params double[] arguments) => new(statistic, "c", "t => t.c", arguments);

    [Fact]
    public void ApproxDistinct_OfAFewStrings_IsCloseToTheExactCount()
    {
        var fit = new ColumnFit(new FitColumn(new ColumnField("c", ColumnType.String, true), FitColumnKind.Text, FitNeeds.ApproxDistinct | FitNeeds.Distinct));
        using var batch = new RecordBatch(new BatchSchema(new ColumnField("c", ColumnType.String, true)), [Validation.Columns.Strings(["DE", "FR", "IT", "ES", "NL", "BE", "DE", null])], 8);
        fit.Observe(batch[0]);

        Assert.Equal(6L, fit.Answer(Request(FitStatistic.Distinct)));
        Assert.Equal(6L, fit.Answer(Request(FitStatistic.ApproxDistinct)));
    }
}

/// <summary>Numbers at the edges: infinities, signed zeros, integers past 2^53, and merges in any grouping.</summary>
public sealed class ColumnFitNumberTests
{
    private static FitRequest Request(FitStatistic statistic, params double[] arguments) => new(statistic, "c", "t => t.c", arguments);

    private static ColumnFit Fit(ColumnType type, FitNeeds needs) =>
        new(new FitColumn(new ColumnField("c", type, true), FitLayout.KindOf(type)!.Value, needs));

    [Fact]
    public void Infinities_SumAndMeanAsNumPy()
    {
        double[] values = [1, 2, double.PositiveInfinity, 4];
        ColumnFit fit = Fit(ColumnType.Double, FitNeeds.Sum | FitNeeds.Moments);
        fit.Observe(Validation.Columns.Doubles(values));
        JsonElement numpy = PythonOracle.Run("x = load(1); print(json.dumps([repr(float(np.sum(x))), repr(float(np.mean(x))), repr(float(np.var(x))), repr(float(np.max(x)))]))", values);
        string[] expected = [.. numpy.EnumerateArray().Select(e => e.GetString()!)];
        Assert.Equal(["inf", "inf", "nan", "inf"], expected);
        Assert.Equal(double.PositiveInfinity, fit.Answer(Request(FitStatistic.Sum)));
        Assert.Equal(double.PositiveInfinity, fit.Answer(Request(FitStatistic.Mean)));
        Assert.True(double.IsNaN((double)fit.Answer(Request(FitStatistic.Variance))));
        Assert.Equal(double.PositiveInfinity, fit.Answer(Request(FitStatistic.Max)));

        ColumnFit both = Fit(ColumnType.Double, FitNeeds.Sum);
        both.Observe(Validation.Columns.Doubles([double.PositiveInfinity, double.NegativeInfinity]));
        Assert.True(double.IsNaN((double)both.Answer(Request(FitStatistic.Sum))));
    }

    [Fact]
    public void Distinct_CountsMinusZeroAsZero_AndLongsPast2To53Exactly()
    {
        ColumnFit doubles = Fit(ColumnType.Double, FitNeeds.Distinct | FitNeeds.Counts);
        doubles.Observe(Validation.Columns.Doubles([0.0, -0.0, double.NaN, 1, 1]));
        Assert.Equal(2L, doubles.Answer(Request(FitStatistic.Distinct)));
        Assert.Equal(0.0, doubles.Answer(Request(FitStatistic.MostFrequent))); // 0 twice (as -0 and 0), 1 twice: the smaller wins
        Assert.Equal(1L, doubles.NaNs);

        ColumnFit longs = Fit(ColumnType.Int64, FitNeeds.Distinct);
        longs.Observe(Validation.Columns.Longs([1L << 53, (1L << 53) + 1, long.MinValue, 0], [false, false, false, true]));
        Assert.Equal(3L, longs.Answer(Request(FitStatistic.Distinct)));
        Assert.Equal(1L, longs.Answer(Request(FitStatistic.NullCount)));

        ColumnFit timestamps = Fit(ColumnType.Timestamp, FitNeeds.Distinct);
        timestamps.Observe(Validation.Columns.Longs([5, 5, 6], type: ColumnType.Timestamp));
        Assert.Equal(2L, timestamps.Answer(Request(FitStatistic.Distinct)));
        Assert.Equal(3L, timestamps.Answer(Request(FitStatistic.ValueCount)));
    }

    [Fact]
    public void MergingInAnyGrouping_GivesTheSameExactAnswers()
    {
        var random = new Random(5);
        string?[][] batches = [.. Enumerable.Range(0, 6).Select(_ => Enumerable.Range(0, 500).Select(_ => random.Next(9) == 0 ? null : "v" + random.Next(40)).ToArray())];
        FitRequest[] requests = [Request(FitStatistic.Distinct), Request(FitStatistic.NullCount), Request(FitStatistic.ValueCount), Request(FitStatistic.Vocabulary, 10, 1), Request(FitStatistic.MostFrequent)];
        ColumnFit New() => Fit(ColumnType.String, FitNeeds.Distinct | FitNeeds.Counts);

        ColumnFit sequential = New();
        foreach (string?[] batch in batches)
        {
            sequential.Observe(Validation.Columns.Strings(batch));
        }
        ColumnFit left = New();
        ColumnFit right = New();
        for (int i = 0; i < batches.Length; i++)
        {
            (i % 2 == 0 ? left : right).Observe(Validation.Columns.Strings(batches[i]));
        }
        right.Merge(left);

        foreach (FitRequest request in requests)
        {
            Assert.Equal(JsonSerializer.Serialize(sequential.Answer(request)), JsonSerializer.Serialize(right.Answer(request)));
        }
    }
}
