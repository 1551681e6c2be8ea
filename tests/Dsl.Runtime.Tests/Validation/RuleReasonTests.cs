using Dsl.Execution;
using Dsl.Validation;

namespace Dsl.Runtime.Tests.Validation;

/// <summary>The reasons written for broken rows, built from the rule and the row's values, exact and invariant.</summary>
public sealed class RuleReasonTests
{
    private static RecordBatch Batch(double amount)
    {
        var values = new ColumnBuilder<double>(ColumnType.Double, 1, nullable: false);
        values.Values[0] = amount;
        return new RecordBatch(new BatchSchema(new ColumnField("Amount", ColumnType.Double, false)), [values.Build(1)], 1);
    }

    [Theory]
    [InlineData(-3.5, false, false, "Amount = -3.5 is below the minimum 0")]
    [InlineData(100.5, false, false, "Amount = 100.5 is above the maximum 100")]
    [InlineData(0, true, false, "Amount = 0 equals the excluded minimum 0")]
    [InlineData(double.NaN, false, false, "Amount is NaN")]
    [InlineData(double.PositiveInfinity, false, false, "Amount = ∞ is above the maximum 100")]
    public void Range_SaysWhichBoundAndTheValue(double amount, bool minExclusive, bool maxExclusive, string reason)
    {
        var rule = new RulePlan(0, "T.Amount.Range", RuleKind.Range, RuleAction.Quarantine, "T", "T", ["Amount"], 0, "Amount in [0, 100]") { Min = 0, Max = 100, MinExclusive = minExclusive, MaxExclusive = maxExclusive };
        using RecordBatch batch = Batch(amount);

        Assert.Equal(reason, RuleReasons.Of(rule, batch, 0));
    }

    [Fact]
    public void Check_GivesItsMessage_ElseItsNameAndTheValuesItRead()
    {
        var check = new RulePlan(0, "Ordered", RuleKind.Check, RuleAction.Quarantine, "Ordered", "T", ["Amount"], 0, "t.Amount >= 0");
        using RecordBatch batch = Batch(-2.5);

        Assert.Equal("Ordered failed (Amount = -2.5)", RuleReasons.Of(check, batch, 0));
        Assert.Equal("refunds are not sales", RuleReasons.Of(check with { Message = "refunds are not sales" }, batch, 0));
    }

    [Fact]
    public void RuleOnAMapsOutput_NamesTheStageThatComputedTheValue()
    {
        var rule = new RulePlan(0, "Priced.PerPassenger.Range", RuleKind.Range, RuleAction.Quarantine, "Price", "Priced", ["PerPassenger"], 0, "PerPassenger in [0, 50]") { Min = 0, Max = 50 };
        using RecordBatch batch = Batch(1);

        Assert.Equal("the PerPassenger that stage 'Price' computed from this row breaks 'PerPassenger in [0, 50]'", RuleReasons.Of(rule, batch, 0));
    }
}
