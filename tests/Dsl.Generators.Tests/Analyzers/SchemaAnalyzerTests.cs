using Dsl.Generators.Diagnostics;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.Analyzers;

/// <summary>DSL1004-DSL1006 from <see cref="Generators.Analyzers.SchemaAnalyzer"/>.</summary>
public sealed class SchemaAnalyzerTests
{
    private const string Header = TestSources.Usings + "namespace D;\n\n";

    [Fact]
    public void DuplicateColumnName_ReportsDSL1004_OnTheSecondMember()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.SchemaColumnNameDuplicate,
            DiagnosticSeverity.Error,
            "Members 'UserId' and 'AccountId' of schema 'T' both map to column 'user_id'; give one of them a different [Column] name",
            Header + """[Schema] public partial record T([property: Column("user_id")] long UserId, [property: Column([|"user_id"|])] long AccountId);""",
            Header + """[Schema] public partial record T([property: Column("user_id")] long UserId, [property: Column("account_id")] long AccountId);""");
    }

    [Fact]
    public void ColumnRenamedOntoAnotherMembersName_ReportsDSL1004()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.SchemaColumnNameDuplicate,
            DiagnosticSeverity.Error,
            "Members 'Id' and 'Other' of schema 'T' both map to column 'Id'; give one of them a different [Column] name",
            Header + """[Schema] public partial record T(long Id, [property: Column([|"Id"|])] long Other);""",
            Header + """[Schema] public partial record T(long Id, [property: Column("other_id")] long Other);""");
    }

    [Theory]
    [InlineData("\"user.id\"", "user.id", "contains '.'")]
    [InlineData("\"\"", "", "is empty")]
    [InlineData("\"  \"", "  ", "is only whitespace")]
    [InlineData("\"a\\tb\"", "a\tb", "contains a control character")]
    public void BadColumnName_ReportsDSL1005_WithTheReason(string literal, string name, string reason)
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.SchemaColumnNameInvalid,
            DiagnosticSeverity.Error,
            $"Member 'UserId' of schema 'T' maps to column name '{name}', which {reason}; use a non-empty name without '.' or control characters",
            Header + "[Schema] public partial record T([property: Column([|" + literal + "|])] long UserId);",
            Header + """[Schema] public partial record T([property: Column("user_id")] long UserId);""");
    }

    [Fact]
    public void RangeWithMinAboveMax_ReportsDSL1006()
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.ConstraintBoundsImpossible,
            DiagnosticSeverity.Warning,
            "[Range] on member 'Amount' of schema 'T' has minimum 10 greater than maximum 1, so the constraint can never hold; fix the bounds",
            Header + "[Schema] public partial record T(long Id, [property: [|Range(10, 1)|]] double Amount);",
            Header + "[Schema] public partial record T(long Id, [property: Range(1, 10)] double Amount);");
    }

    [Theory]
    [InlineData("int", "0.2, 0.8", "0.2 and 0.8")]
    [InlineData("long?", "3, 4, MinExclusive = true, MaxExclusive = true", "3 and 4")]
    [InlineData("short", "0.5, 1, MaxExclusive = true", "0.5 and 1")]
    public void RangeWithoutAWholeNumber_OnAnIntegerMember_ReportsDSL1006(string type, string arguments, string shown)
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.ConstraintBoundsImpossible,
            DiagnosticSeverity.Warning,
            $"[Range] on member 'Count' of schema 'T' admits no whole number between {shown} (only null would pass), so the constraint can never hold; fix the bounds",
            Header + "[Schema] public partial record T(long Id, [property: [|Range(" + arguments + ")|]] " + type + " Count);",
            Header + "[Schema] public partial record T(long Id, [property: Range(0, 1)] " + type + " Count);");
    }

    [Theory]
    [InlineData("1.5", "1.5")]
    [InlineData("-0.1", "-0.1")]
    [InlineData("double.NaN", "NaN")]
    public void NullRateOutsideZeroToOne_ReportsDSL1006(string argument, string shown)
    {
        RuleAssert.FiresOnceAndNotOnTheFix(
            DiagnosticIds.ConstraintBoundsImpossible,
            DiagnosticSeverity.Warning,
            $"[NullRate] on member 'Session' of schema 'T' has maximum null rate {shown}, outside 0..1, so the constraint can never hold; fix the bounds",
            Header + "[Schema] public partial record T(long Id, [property: [|NullRate(" + argument + ")|]] double? Session);",
            Header + "[Schema] public partial record T(long Id, [property: NullRate(1)] double? Session);");
    }

    [Fact]
    public void DuplicateColumn_GeneratorEmitsNoSchema()
    {
        GeneratorRun run = GeneratorHarness.Run(Header + """[Schema] public partial record T([property: Column("x")] long A, [property: Column("x")] long B);""");

        Assert.Empty(run.GeneratorDiagnostics);
        Assert.DoesNotContain(run.Result.Results.SelectMany(r => r.GeneratedSources), s => s.HintName.Contains(".T.", StringComparison.Ordinal));
    }
}
