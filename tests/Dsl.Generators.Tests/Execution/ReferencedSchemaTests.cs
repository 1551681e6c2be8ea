using System.Collections.Immutable;
using Dsl.Generators.Tests.Infrastructure;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Dsl.Generators.Tests.Execution;

/// <summary>Schemas may live in a referenced assembly (a shared schema library) and still feed kernels.</summary>
public sealed class ReferencedSchemaTests
{
    [Fact]
    public void PipelineOverSchemaFromReference_CompilesAVectorizedKernel()
    {
        GeneratorRun library = GeneratorHarness.Run(TestSources.Usings + "namespace Lib;\n" + TestSources.TransactionSchema);
        Assert.Empty(library.CompilationProblems);
        using var image = new MemoryStream();
        Assert.True(library.Output.Emit(image).Success);
        MetadataReference reference = MetadataReference.CreateFromImage(image.ToArray());

        const string pipeline = TestSources.Usings + """
            using Lib;

            namespace App;

            [Schema]
            public partial record Out(long UserId, double Doubled);

            [Pipeline("uses-library")]
            public static partial class UsesLibrary
            {
                [Map]
                static Out Double(Transaction t) => new(t.UserId, t.Amount * 2);
            }
            """;
        CSharpCompilation app = GeneratorHarness.CreateCompilation(pipeline).AddReferences(reference);
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(app, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);
        Assert.Empty(diagnostics);
        Assert.Empty(output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning));
        string generated = string.Join("\n", output.SyntaxTrees.Where(t => t.FilePath.Contains("App.UsesLibrary.", StringComparison.Ordinal)).Select(t => t.ToString()));
        Assert.Contains("double Double_Doubled = in_Amount * 2;", generated, StringComparison.Ordinal);
        Assert.Contains("[\"Transaction\"] = global::Lib.Transaction.BatchSchema", generated, StringComparison.Ordinal);
    }
}
