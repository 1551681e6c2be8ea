using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generators.CodeFixes;

/// <summary>DSL2001: marks the type a stage reads or returns with <c>[Schema]</c> and makes it <c>partial</c>, wherever it is declared.</summary>
[ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(AddSchemaAttributeCodeFix)), Shared]
public sealed class AddSchemaAttributeCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.StageTypeNotSchema);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null
            || root.FindNode(context.Span, getInnermostNodeForTie: true) is not { } node
            || model.GetTypeInfo(node, context.CancellationToken).Type is not INamedTypeSymbol type
            || type.DeclaringSyntaxReferences.IsEmpty)
        {
            return;
        }
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Mark '" + type.Name + "' with [Schema]",
                    ct => AddSchemaAsync(context.Document.Project.Solution, type, ct),
                    equivalenceKey: nameof(AddSchemaAttributeCodeFix)),
                diagnostic);
        }
    }

    private static async Task<bool> ImportsDslAsync(Document document, CancellationToken cancellationToken)
    {
        SyntaxNode? root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        return root is CompilationUnitSyntax unit
            && unit.DescendantNodes(n => n is CompilationUnitSyntax or BaseNamespaceDeclarationSyntax)
                .OfType<UsingDirectiveSyntax>()
                .Any(u => u.Alias is null && u.StaticKeyword.IsKind(SyntaxKind.None) && u.Name?.ToString() == "Dsl");
    }

    private static async Task<Solution> AddSchemaAsync(Solution solution, INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        SyntaxReference reference = type.DeclaringSyntaxReferences[0];
        if (solution.GetDocument(reference.SyntaxTree) is not { } document
            || await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is not TypeDeclarationSyntax declaration)
        {
            return solution;
        }
        TypeDeclarationSyntax updated = CodeFixHelpers.AddPartial(declaration);
        if (!declaration.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() is "Schema" or "SchemaAttribute" or "Dsl.Schema" or "global::Dsl.Schema"))
        {
            SyntaxTriviaList leading = updated.GetLeadingTrivia();
            AttributeListSyntax schema = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
                    SyntaxFactory.Attribute(SyntaxFactory.ParseName(await ImportsDslAsync(document, cancellationToken).ConfigureAwait(false) ? "Schema" : "global::Dsl.Schema"))))
                .WithLeadingTrivia(leading)
                .WithTrailingTrivia(SyntaxFactory.Space);
            updated = updated.WithoutLeadingTrivia().WithAttributeLists(updated.AttributeLists.Insert(0, schema));
        }
        Document changed = await CodeFixHelpers.ReplaceAsync(document, declaration, updated, cancellationToken).ConfigureAwait(false);
        return changed.Project.Solution;
    }
}
