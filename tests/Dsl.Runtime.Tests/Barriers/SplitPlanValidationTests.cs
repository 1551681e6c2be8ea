using Dsl.Barriers.Splits;
using Dsl.Execution;

namespace Dsl.Runtime.Tests.Barriers;

/// <summary>The checks of <see cref="SplitPlanValidation"/>, one problem at a time.</summary>
public sealed class SplitPlanValidationTests
{
    private static readonly BatchSchema Sink = new(
        new ColumnField("UserId", ColumnType.Int64, false),
        new ColumnField("Country", ColumnType.String, true),
        new ColumnField("Amount", ColumnType.Double, true),
        new ColumnField("Label", ColumnType.Boolean, false),
        new ColumnField("Tags", ColumnType.List, true) { Children = [new ColumnField("element", ColumnType.String, true)] },
        new ColumnField("Ts", ColumnType.Timestamp, false));

    private static readonly SplitPlan Valid = new("Features", ["UserId"], ["train", "validation", "test"], [0.8, 0.1, 0.1], 42, "Label");

    [Fact]
    public void ValidPlan_HasNoProblems()
    {
        Assert.Empty(SplitPlanValidation.Problems(Valid, Sink));
        Assert.Empty(SplitPlanValidation.Problems(Valid with { Key = ["Country", "Amount", "Ts"], StratifyBy = "Country" }, Sink));
        Assert.Empty(SplitPlanValidation.Problems(Valid with { Names = ["A-1", "b_2", "c.3"], Fractions = [1 / 3.0, 1 / 3.0, 1 / 3.0], StratifyBy = null }, Sink));
        SplitPlanValidation.Check(Valid, Sink);
    }

    public static TheoryData<string, SplitPlan, string> Problems => new()
    {
        { "no key", Valid with { Key = [] }, "The split of sink 'Features' has no key columns" },
        { "missing key", Valid with { Key = ["UserID"] }, "key column 'UserID', which is not a column of its output. Its columns are UserId (Int64)" },
        { "key twice", Valid with { Key = ["UserId", "UserId"] }, "lists key column 'UserId' twice" },
        { "nested key", Valid with { Key = ["Tags"] }, "cannot hash key column 'Tags' (List<element: String?>): a nested value" },
        { "one name", Valid with { Names = ["all"], Fractions = [1.0] }, "1 subset name(s); a split needs at least two" },
        { "empty name", Valid with { Names = ["train", "", "test"] }, "subset name '' (number 2), which is empty" },
        { "slash", Valid with { Names = ["train", "a/b", "test"] }, "subset name 'a/b' (number 2), which holds '/'" },
        { "dot first", Valid with { Names = ["train", ".hidden", "test"] }, "which does not start with a letter or digit" },
        { "null name", Valid with { Names = ["train", "NULL", "test"] }, "reads back as null" },
        { "long name", Valid with { Names = ["train", new string('x', 101), "test"] }, "is 101 characters long" },
        { "duplicate ignoring case", Valid with { Names = ["train", "Train", "test"] }, "subset name 'Train' twice" },
        { "count mismatch", Valid with { Fractions = [0.5, 0.5] }, "3 subset names but 2 fractions" },
        { "zero fraction", Valid with { Fractions = [0.9, 0.0, 0.1] }, "gives subset 'validation' the fraction 0; each fraction must be above 0" },
        { "negative fraction", Valid with { Fractions = [0.9, 0.2, -0.1] }, "the fraction -0.1" },
        { "NaN fraction", Valid with { Fractions = [0.8, double.NaN, 0.1] }, "the fraction NaN" },
        { "sum", Valid with { Fractions = [0.8, 0.1, 0.2] }, "fractions summing to 1.1" },
        { "sum just outside", Valid with { Fractions = [0.8, 0.1, 0.1 + 2e-9] }, "they must sum to 1 (within 1E-09)" },
        { "missing stratify", Valid with { StratifyBy = "label" }, "stratified by 'label', which is not a column" },
        { "double stratify", Valid with { StratifyBy = "Amount" }, "cannot be stratified by column 'Amount' (Double)" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Problem_IsReportedInOneSentence(string name, SplitPlan plan, string message)
    {
        IReadOnlyList<string> problems = SplitPlanValidation.Problems(plan, Sink);
        Assert.True(problems.Count == 1, $"{name}: {string.Join(" | ", problems)}");
        Assert.Contains(message, problems[0]);
        Assert.EndsWith(".", problems[0]);
        Assert.Contains(message, Assert.Throws<ArgumentException>(() => SplitPlanValidation.Check(plan, Sink)).Message);
    }

    [Fact]
    public void SumWithinTolerance_IsAccepted() =>
        Assert.Empty(SplitPlanValidation.Problems(Valid with { Fractions = [0.8, 0.1, 0.1 + 5e-10] }, Sink));

    [Fact]
    public void ColumnNamedSplit_ClashesWithTheFolders()
    {
        var schema = new BatchSchema(new ColumnField("UserId", ColumnType.Int64, false), new ColumnField("split", ColumnType.String, true));
        Assert.Contains("has a column 'split'", Assert.Single(SplitPlanValidation.Problems(Valid with { StratifyBy = null }, schema)));
    }

    [Fact]
    public void SeveralProblems_AreAllReported() =>
        Assert.Equal(3, SplitPlanValidation.Problems(Valid with { Key = ["Nope"], Names = ["a", "a", "b"], StratifyBy = "Tags" }, Sink).Count);
}
