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

/// <summary>DSL3010: makes the consumer schema's member nullable (<c>double</c> to <c>double?</c>), wherever the schema is declared.</summary>
[ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(MakeMemberNullableCodeFix)), Shared]
public sealed class MakeMemberNullableCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.FromColumnNullability);

    /// <inheritdoc />
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root?.FindToken(context.Span.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method
            || model?.GetDeclaredSymbol(method, context.CancellationToken) is not IMethodSymbol { Parameters.Length: > 0 } stage
            || stage.Parameters[0].Type is not INamedTypeSymbol schema)
        {
            return;
        }
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.Member, out string? member) || member is null)
            {
                continue;
            }
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Make '" + schema.Name + "." + member + "' nullable",
                    ct => MakeNullableAsync(context.Document.Project.Solution, schema, member, ct),
                    equivalenceKey: nameof(MakeMemberNullableCodeFix) + "." + member),
                diagnostic);
        }
    }

    private static async Task<Solution> MakeNullableAsync(Solution solution, INamedTypeSymbol schema, string member, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in schema.DeclaringSyntaxReferences)
        {
            if (await reference.GetSyntaxAsync(cancellationToken).ConfigureAwait(false) is not RecordDeclarationSyntax { ParameterList: { } parameters }
                || parameters.Parameters.FirstOrDefault(p => p.Identifier.ValueText == member) is not { Type: { } type }
                || type is NullableTypeSyntax
                || solution.GetDocument(reference.SyntaxTree) is not { } document)
            {
                continue;
            }
            TypeSyntax nullable = SyntaxFactory.NullableType(type.WithoutTrivia()).WithTriviaFrom(type);
            Document changed = await CodeFixHelpers.ReplaceAsync(document, type, nullable, cancellationToken).ConfigureAwait(false);
            return changed.Project.Solution;
        }
        return solution;
    }
}
