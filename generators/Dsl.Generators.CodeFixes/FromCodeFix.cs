using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading.Tasks;
using Dsl.Generators.Diagnostics;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generators.CodeFixes;

/// <summary>
/// DSL3001: replaces a <c>From</c> value that names no stage with <c>nameof(...)</c> of the closest stage name (a typo
/// or a case slip). DSL3003: adds <c>From = nameof(...)</c> to an ambiguous stage (a fit stage too), one fix per
/// candidate producer.
/// </summary>
[ExportCodeFixProvider(Microsoft.CodeAnalysis.LanguageNames.CSharp, Name = nameof(FromCodeFix)), Shared]
public sealed class FromCodeFix : CodeFixProvider
{
    /// <inheritdoc />
    public override ImmutableArray<string> FixableDiagnosticIds { get; } =
        ImmutableArray.Create(DiagnosticIds.FromStageNotFound, DiagnosticIds.StageInputAmbiguous);

    /// <inheritdoc />
    public override FixAllProvider? GetFixAllProvider() => null;

    /// <inheritdoc />
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (diagnostic.Id == DiagnosticIds.FromStageNotFound)
            {
                RegisterClosestName(context, root, diagnostic);
            }
            else
            {
                RegisterCandidates(context, root, diagnostic);
            }
        }
    }

    private static void RegisterClosestName(CodeFixContext context, SyntaxNode root, Diagnostic diagnostic)
    {
        if (root.FindNode(context.Span, getInnermostNodeForTie: true) is not ExpressionSyntax value
            || !diagnostic.Properties.TryGetValue(DiagnosticProperties.Stages, out string? stages) || string.IsNullOrEmpty(stages))
        {
            return;
        }
        string written = value is LiteralExpressionSyntax literal ? literal.Token.ValueText : value.ToString();
        // Close enough to be a typo: at most a third of the name (and at least 2 edits) away.
        string? closest = stages!.Split(',')
            .Select(name => (Name: name, Distance: CodeFixHelpers.Distance(written, name)))
            .Where(c => c.Distance <= System.Math.Max(2, written.Length / 3))
            .OrderBy(c => c.Distance)
            .ThenBy(c => c.Name, System.StringComparer.Ordinal)
            .Select(c => c.Name)
            .FirstOrDefault();
        if (closest is null)
        {
            return;
        }
        context.RegisterCodeFix(
            CodeAction.Create(
                "Use From = nameof(" + closest + ")",
                ct => CodeFixHelpers.ReplaceAsync(context.Document, value, CodeFixHelpers.NameOf(closest).WithTriviaFrom(value), ct),
                equivalenceKey: nameof(FromCodeFix) + ".Closest"),
            diagnostic);
    }

    private static void RegisterCandidates(CodeFixContext context, SyntaxNode root, Diagnostic diagnostic)
    {
        if (root.FindToken(context.Span.Start).Parent?.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } method
            || StageAttribute(method) is not { } attribute
            || !diagnostic.Properties.TryGetValue(DiagnosticProperties.Candidates, out string? candidates) || string.IsNullOrEmpty(candidates))
        {
            return;
        }
        foreach (string candidate in candidates!.Split(','))
        {
            context.RegisterCodeFix(
                CodeAction.Create(
                    "Read from '" + candidate + "' (From = nameof(" + candidate + "))",
                    ct => CodeFixHelpers.ReplaceAsync(context.Document, attribute, WithFrom(attribute, candidate), ct),
                    equivalenceKey: nameof(FromCodeFix) + ".Candidate." + candidate),
                diagnostic);
        }
    }

    private static AttributeSyntax? StageAttribute(MethodDeclarationSyntax method) =>
        method.AttributeLists.SelectMany(l => l.Attributes).FirstOrDefault(a =>
            a.Name.ToString() is "Filter" or "Map" or "FilterAttribute" or "MapAttribute" or "Dsl.Filter" or "Dsl.Map" or "global::Dsl.Filter" or "global::Dsl.Map"
                or "Fit" or "FitAttribute" or "Dsl.Fit" or "global::Dsl.Fit");

    private static AttributeSyntax WithFrom(AttributeSyntax attribute, string stage)
    {
        AttributeArgumentSyntax from = SyntaxFactory.AttributeArgument(
            SyntaxFactory.NameEquals(SyntaxFactory.IdentifierName("From")),
            nameColon: null,
            CodeFixHelpers.NameOf(stage));
        IEnumerable<AttributeArgumentSyntax> others = attribute.ArgumentList?.Arguments.Where(a => a.NameEquals?.Name.Identifier.ValueText != "From")
            ?? Enumerable.Empty<AttributeArgumentSyntax>();
        return attribute.WithArgumentList(SyntaxFactory.AttributeArgumentList(SyntaxFactory.SeparatedList(others.Append(from))))
            .NormalizeWhitespace()
            .WithTriviaFrom(attribute);
    }
}
