namespace Dsl.Pipeline1.Tests;

/// <summary>The stages as plain C#, and the compiled kernel against them: what every change to Stages.cs should keep.</summary>
public class StagesTests
{
    private static readonly DateTime Saturday = new(2026, 5, 2, 14, 30, 0);

    // Test values for the stage parameters; a run takes them from FitAmount's first pass (or a --fitted file).
    private static readonly AmountScaling Scaling = new(Mean: 500, Std: 250);

    [Fact]
    public void Valid_DropsRefundsAndTransactionsWithoutASession()
    {
        Assert.True(FraudFeatures.Valid(new Transaction(1, Saturday, "US", 10, 30, false)));
        Assert.False(FraudFeatures.Valid(new Transaction(1, Saturday, "US", -10, 30, false)));
        Assert.False(FraudFeatures.Valid(new Transaction(1, Saturday, "US", 10, null, false)));
    }

    [Fact]
    public void Featurize_DerivesEachFeature()
    {
        Features f = FraudFeatures.Featurize(new Transaction(7, Saturday, "GB", 1_500, 90, true), Scaling);

        Assert.Equal(7, f.UserId);
        Assert.Equal(Math.Log(1_501), f.LogAmount);
        Assert.Equal(4.0, f.AmountZ);
        Assert.Equal(14, f.Hour);
        Assert.True(f.IsWeekend);
        Assert.Equal(Hashing.Bucket("GB", 1024), f.CountryBucket);
        Assert.Equal(1.5, f.SessionMinutes);
        Assert.True(f.IsHighValue);
    }

    [Fact]
    public void Rules_AcceptRefundsAndMissingSessions_RefuseUnknownCountries()
    {
        Dsl.Execution.CompiledPipeline pipeline = FraudFeatures.Compiled.WithParameters(new Dsl.Execution.StageParameterValues()
            .Set(nameof(AmountScaling), nameof(AmountScaling.Mean), Scaling.Mean)
            .Set(nameof(AmountScaling), nameof(AmountScaling.Std), Scaling.Std));
        using RecordBatch input = Transaction.ToBatch([
            new Transaction(1, Saturday, "US", -25, null, false),
            new Transaction(2, Saturday, SampleData.UnknownCountry, 10, 30, false),
            new Transaction(3, Saturday, "FR", 10, 30, false),
        ]);
        // A kernel with rules reports the rows that break one (the run writes them to the quarantine).
        var violations = new Dsl.Validation.RowViolations();
        using RecordBatch output = pipeline.Kernels[0](input, violations);

        // Row 1 breaks the country rule; row 0 (a refund without a session) passes the rules and Valid drops it.
        Assert.Equal(1, violations.Count);
        Assert.Equal("Transaction.Country.OneOf", pipeline.Plan.Rules[violations.Rules[0]].Id);
        Assert.Equal(1, violations.Rows[0]);
        Assert.Equal([3L], Features.ReadRows(output).Select(f => f.UserId));
    }

    [Fact]
    public void FitAmount_OnSampleRows_GivesTheMeanAndPopulationStdOfTheValidAmounts()
    {
        string folder = Directory.CreateTempSubdirectory("pipeline-fit-test-").FullName;
        try
        {
            SampleData.Write(folder, rows: 4_000, files: 2, seed: 11);
            // Only the first pass, as `dotnet run -- fit` runs it: the rules, Valid, then FitAmount on what is left.
            Dsl.Fitting.FittedState state = new Dsl.Execution.LocalExecutor().Fit(FraudFeatures.Compiled, folder);

            List<double> amounts = [];
            foreach (string file in Directory.GetFiles(folder, "*.parquet"))
            {
                using var reader = new Dsl.Parquet.ParquetFileReader(file);
                foreach (RecordBatch batch in reader.ReadBatches())
                {
                    using (batch)
                    {
                        amounts.AddRange(Transaction.ReadRows(batch).Where(t => t.Country != SampleData.UnknownCountry).Where(FraudFeatures.Valid).Select(t => t.Amount));
                    }
                }
            }
            double mean = amounts.Sum() / amounts.Count;
            double std = Math.Sqrt(amounts.Sum(a => (a - mean) * (a - mean)) / amounts.Count);
            Assert.Equal(amounts.Count, Assert.Single(state.Fits).Rows);
            double fittedMean = (double)state.Values.Single(v => v.Member == nameof(AmountScaling.Mean)).Value;
            double fittedStd = (double)state.Values.Single(v => v.Member == nameof(AmountScaling.Std)).Value;
            // Equal up to the rounding of another summation order.
            Assert.Equal(mean, fittedMean, mean * 1e-12);
            Assert.Equal(std, fittedStd, std * 1e-12);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void CompiledKernel_GivesTheSameRowsAsTheStagesRowByRow()
    {
        string folder = Directory.CreateTempSubdirectory("pipeline-test-").FullName;
        try
        {
            // The project's own sample data: refunds, missing sessions, many countries and times, and a few unknown
            // countries, which the kernel reports to the quarantine instead of passing them to the stages.
            string file = Assert.Single(SampleData.Write(folder, rows: 5_000, files: 1, seed: 7));
            // The kernel takes the parameter values bound once, as a run binds those FitAmount computed.
            Dsl.Execution.CompiledPipeline pipeline = FraudFeatures.Compiled.WithParameters(new Dsl.Execution.StageParameterValues()
                .Set(nameof(AmountScaling), nameof(AmountScaling.Mean), Scaling.Mean)
                .Set(nameof(AmountScaling), nameof(AmountScaling.Std), Scaling.Std));
            using var reader = new Dsl.Parquet.ParquetFileReader(file);
            foreach (RecordBatch input in reader.ReadBatches())
            {
                var violations = new Dsl.Validation.RowViolations();
                using (input)
                using (RecordBatch output = pipeline.Kernels[0](input, violations))
                {
                    List<Transaction> rows = Transaction.ReadRows(input);
                    List<Features> expected = rows.Where(t => t.Country != SampleData.UnknownCountry).Where(FraudFeatures.Valid).Select(t => FraudFeatures.Featurize(t, Scaling)).ToList();
                    Assert.Equal(expected, Features.ReadRows(output));
                    Assert.Equal(rows.Count(t => t.Country == SampleData.UnknownCountry), violations.Count);
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
