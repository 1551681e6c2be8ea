using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generators.Common;

/// <summary>How generated code names symbols: fully qualified with <c>global::</c> and nullable annotations.</summary>
internal static class SymbolNames
{
    public static SymbolDisplayFormat Format { get; } = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static string Qualified(ITypeSymbol type) => type.ToDisplayString(Format);

    public static string Namespace(INamedTypeSymbol type) =>
        type.ContainingNamespace is null || type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString();

    /// <summary>"partial class Outer" for each type enclosing <paramref name="type"/>, outermost first.</summary>
    public static EquatableArray<string> ContainingTypeDeclarations(INamedTypeSymbol type)
    {
        var declarations = new List<string>();
        for (INamedTypeSymbol? outer = type.ContainingType; outer is not null; outer = outer.ContainingType)
        {
            declarations.Insert(0, "partial " + Keyword(outer) + " " + outer.Name);
        }
        return new EquatableArray<string>(declarations);
    }

    public static string Keyword(INamedTypeSymbol type) => type switch
    {
        { IsRecord: true, TypeKind: TypeKind.Struct } => "record struct",
        { IsRecord: true } => "record",
        { TypeKind: TypeKind.Struct } => "struct",
        { TypeKind: TypeKind.Interface } => "interface",
        _ => "class",
    };

    public static bool IsPartial(INamedTypeSymbol type)
    {
        foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
        {
            if (reference.GetSyntax() is TypeDeclarationSyntax declaration)
            {
                foreach (Microsoft.CodeAnalysis.SyntaxToken modifier in declaration.Modifiers)
                {
                    if (modifier.ValueText == "partial")
                    {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /// <summary>
    /// The type named <paramref name="name"/> whose qualified name is <paramref name="qualified"/> in
    /// <paramref name="compilation"/>, or null: how diagnostics computed from a spec find their place again.
    /// </summary>
    public static INamedTypeSymbol? FindType(Compilation compilation, string name, string qualified, System.Threading.CancellationToken cancellationToken)
    {
        foreach (ISymbol symbol in compilation.GetSymbolsWithName(name, SymbolFilter.Type, cancellationToken))
        {
            if (symbol is INamedTypeSymbol named && Qualified(named) == qualified)
            {
                return named;
            }
        }
        return null;
    }

    public static bool HasAttribute(ISymbol symbol, string metadataName)
    {
        foreach (AttributeData attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == metadataName)
            {
                return true;
            }
        }
        return false;
    }
}
