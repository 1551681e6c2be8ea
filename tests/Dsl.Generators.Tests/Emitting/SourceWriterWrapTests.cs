using Dsl.Generators.Common;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Generators.Tests.Emitting;

public sealed class SourceWriterWrapTests
{
    [Fact]
    public void ShortLine_IsReturnedWithItsIndentation()
    {
        Assert.Equal(["    int x = a + b;"], SourceWriter.Wrap("int x = a + b;", 4));
    }

    [Fact]
    public void LongCondition_BreaksBeforeTopLevelOperators_ContinuingDeeper()
    {
        string line = "bool ok = " + string.Join(" && ", Enumerable.Range(0, 12).Select(i => "value" + i + " > limit" + i));
        string[] lines = SourceWriter.Wrap(line, 8, 60).ToArray();
        Assert.True(lines.Length > 1);
        Assert.All(lines, l => Assert.True(l.Length <= 60, l));
        Assert.StartsWith("        bool ok = ", lines[0], StringComparison.Ordinal);
        Assert.All(lines[1..], l => Assert.StartsWith("            && ", l, StringComparison.Ordinal));
        Assert.Equal(Tokens(line), Tokens(string.Join(" ", lines)));
    }

    [Fact]
    public void NestedCall_BreaksAtTheShallowestDepthFirst()
    {
        string line = "keep &= Bits(Compare(left, Create(1.0)) & Valid(alpha) & Valid(beta) & Valid(gamma) & Valid(delta));";
        string[] lines = SourceWriter.Wrap(line, 0, 50).ToArray();
        Assert.All(lines, l => Assert.True(l.Length <= 50, l));
        // The & operands inside Bits( are split before the commas inside Compare( are.
        Assert.Contains(lines, l => l.TrimStart().StartsWith("& Valid(", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("Create(", StringComparison.Ordinal));
        Assert.Equal(Tokens(line), Tokens(string.Join(" ", lines)));
    }

    [Fact]
    public void Literals_AreNeverSplit_EvenWhenTheyHoldOperators()
    {
        string literal = "\"a, b && c | d + e, f & g || h, " + new string('x', 40) + "\"";
        string line = "Call(first, " + literal + ", 'x', '+', @\"verbatim, \"\" + still\", last);";
        string[] lines = SourceWriter.Wrap(line, 0, 40).ToArray();
        Assert.Contains(lines, l => l.Contains(literal, StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("@\"verbatim, \"\" + still\"", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("'+'", StringComparison.Ordinal));
    }

    [Fact]
    public void CompoundAssignmentsAndIncrements_AreNotBreakPoints()
    {
        string line = "total += x; count++; mask &= y; flags |= z; " + new string('w', 60) + " = 1;";
        Assert.Single(SourceWriter.Wrap(line, 0, 40));
    }

    [Fact]
    public void Comment_WrapsBetweenWords_AndMarksContinuations()
    {
        string comment = "// " + string.Join(" ", Enumerable.Repeat("word", 40));
        string[] lines = SourceWriter.Wrap(comment, 4, 50).ToArray();
        Assert.All(lines, l => Assert.True(l.Length <= 50, l));
        Assert.StartsWith("    // word", lines[0], StringComparison.Ordinal);
        Assert.All(lines[1..], l => Assert.StartsWith("    //   word", l, StringComparison.Ordinal));
        Assert.Equal(40, lines.Sum(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Count(w => w == "word")));

        string[] doc = SourceWriter.Wrap("/// <summary>" + string.Join(" ", Enumerable.Repeat("text", 30)) + "</summary>", 0, 50).ToArray();
        Assert.All(doc[1..], l => Assert.StartsWith("/// ", l, StringComparison.Ordinal));
    }

    [Fact]
    public void TrailingComment_OfALongLine_MovesAboveTheCode()
    {
        string line = "var hoisted = Create(" + new string('a', 30) + ", " + new string('b', 30) + "); // what it holds, read once";
        string[] lines = SourceWriter.Wrap(line, 0, 60).ToArray();
        Assert.Equal("// what it holds, read once", lines[0]);
        Assert.StartsWith("var hoisted = Create(", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void PreprocessorLine_IsLeftWhole()
    {
        string line = "#pragma warning disable " + string.Join(", ", Enumerable.Range(1000, 30).Select(i => "CS" + i));
        Assert.Equal([line], SourceWriter.Wrap(line, 0, 40));
    }

    [Fact]
    public void SplitLiteral_IsOneConstant_ThatWrapsAtItsPluses()
    {
        string message = string.Join(" ", Enumerable.Repeat("Column 'x' holds null rows.", 8));
        string expression = SourceWriter.SplitLiteral(message);
        Assert.Contains("\" + \"", expression, StringComparison.Ordinal);
        var tree = CSharpSyntaxTree.ParseText("class C { const string M = " + expression + "; }");
        var compilation = CSharpCompilation.Create("L", [tree], GeneratorHarness.References);
        var field = (IFieldSymbol)compilation.GetTypeByMetadataName("C")!.GetMembers("M").Single();
        Assert.Equal(message, field.ConstantValue);
    }

    private static string[] Tokens(string code) =>
        CSharpSyntaxTree.ParseText(code, GeneratorHarness.ParseOptions.WithKind(SourceCodeKind.Script))
            .GetRoot().DescendantTokens().Select(t => t.Text).ToArray();
}
