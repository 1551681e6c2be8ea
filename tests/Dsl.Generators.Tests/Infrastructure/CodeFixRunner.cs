using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Dsl.Generators.Tests.Infrastructure;

/// <summary>
/// Applies a code fix through an <see cref="AdhocWorkspace"/>: the snippet becomes a one-document project, the
/// generators and analyzers report their diagnostics, and the chosen code action's changes are applied.
/// </summary>
internal static class CodeFixRunner
{
    /// <summary>The titles of the actions <paramref name="fix"/> offers for the first <paramref name="id"/> diagnostic.</summary>
    public static IReadOnlyList<string> Titles(CodeFixProvider fix, string source, string id) =>
        Actions(fix, source, id, out _, out _).Select(a => a.Title).ToList();

    /// <summary>The document text after applying the action titled <paramref name="title"/> (or the only one).</summary>
    public static string Apply(CodeFixProvider fix, string source, string id, string? title = null)
    {
        List<CodeAction> actions = Actions(fix, source, id, out Document document, out _);
        CodeAction action = title is null ? Assert.Single(actions) : Assert.Single(actions, a => a.Title == title);
        ImmutableArray<CodeActionOperation> operations = action.GetOperationsAsync(CancellationToken.None).GetAwaiter().GetResult();
        Solution changed = Assert.Single(operations.OfType<ApplyChangesOperation>()).ChangedSolution;
        return changed.GetDocument(document.Id)!.GetTextAsync().GetAwaiter().GetResult().ToString();
    }

    private static List<CodeAction> Actions(CodeFixProvider fix, string source, string id, out Document document, out Diagnostic diagnostic)
    {
        Assert.Contains(id, fix.FixableDiagnosticIds);
        var workspace = new AdhocWorkspace();
        ProjectId projectId = ProjectId.CreateNewId();
        Solution solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
            projectId,
            VersionStamp.Default,
            "Snippet",
            "Snippet",
            LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: GeneratorHarness.ParseOptions,
            metadataReferences: GeneratorHarness.References));
        DocumentId documentId = DocumentId.CreateNewId(projectId);
        solution = solution.AddDocument(documentId, "Snippet.cs", SourceText.From(source), filePath: "Snippet.cs");
        document = solution.GetDocument(documentId)!;

        Compilation compilation = document.Project.GetCompilationAsync().GetAwaiter().GetResult()!;
        GeneratorHarness.CreateDriver().RunGeneratorsAndUpdateCompilation(compilation, out Compilation output, out ImmutableArray<Diagnostic> generated);
        ImmutableArray<Diagnostic> all = generated.AddRange(AnalyzerRunner.Analyze(output));
        diagnostic = Assert.Single(all, d => d.Id == id);
        Assert.Equal("Snippet.cs", diagnostic.Location.GetLineSpan().Path);

        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic.Location.SourceSpan, [diagnostic], (action, _) => actions.Add(action), CancellationToken.None);
        fix.RegisterCodeFixesAsync(context).GetAwaiter().GetResult();
        return actions;
    }
}
