using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generators.Common;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Scoring;

/// <summary>
/// The run-time model loaders a compilation's references bring: each <c>[assembly: Dsl.Models.ModelLoader(typeof(X))]</c>
/// of a referenced package (<c>Dsl.Onnx</c>, <c>Dsl.Torch</c>) or of the project itself. A pipeline with run-time models lists them in its plan,
/// so referencing the package is all it takes to read its format, with no reflection at run time.
/// </summary>
internal static class ModelLoaders
{
    private const string AttributeName = "Dsl.Models.ModelLoaderAttribute";

    /// <summary>The loader types' full names (without <c>global::</c>), ordinal order.</summary>
    public static EquatableArray<string> Find(Compilation compilation, CancellationToken cancellationToken)
    {
        var loaders = new SortedSet<string>(System.StringComparer.Ordinal);
        // The references' loaders, and the pipeline project's own.
        foreach (IAssemblySymbol assembly in compilation.SourceModule.ReferencedAssemblySymbols.Append(compilation.Assembly))
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (AttributeData attribute in assembly.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == AttributeName
                    && attribute.ConstructorArguments.Length == 1
                    && attribute.ConstructorArguments[0].Value is INamedTypeSymbol loader
                    && CanCreate(loader))
                {
                    loaders.Add(loader.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat).Replace("global::", string.Empty));
                }
            }
        }
        return new EquatableArray<string>(loaders);
    }

    // What the plan's 'new X()' needs: a public, non-abstract, non-generic IModelLoader in public types, with a public
    // parameterless constructor. Another type is left out rather than breaking the build's generated code.
    private static bool CanCreate(INamedTypeSymbol loader)
    {
        for (INamedTypeSymbol? type = loader; type is not null; type = type.ContainingType)
        {
            if (type.DeclaredAccessibility != Accessibility.Public)
            {
                return false;
            }
        }
        return !loader.IsAbstract && !loader.IsGenericType
            && loader.AllInterfaces.Any(i => i.ToDisplayString() == "Dsl.Models.IModelLoader")
            && loader.InstanceConstructors.Any(c => c.Parameters.Length == 0 && c.DeclaredAccessibility == Accessibility.Public);
    }
}
