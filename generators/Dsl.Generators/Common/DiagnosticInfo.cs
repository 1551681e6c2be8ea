using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Dsl.Generators.Common;

/// <summary>
/// A diagnostic as plain data (descriptor id, location parts, message arguments, properties for code fixes) so that
/// it can live in an equatable model; <see cref="ToDiagnostic"/> turns it back into a <see cref="Diagnostic"/> at
/// report time.
/// </summary>
/// <param name="Properties">Alternating keys and values handed to code fixes through <see cref="Diagnostic.Properties"/>.</param>
internal sealed record DiagnosticInfo(
    string Id,
    string FilePath,
    TextSpan Span,
    LinePositionSpan LineSpan,
    EquatableArray<string> Arguments,
    EquatableArray<string> Properties = default)
{
    public static DiagnosticInfo Create(DiagnosticDescriptor descriptor, Location? location, params string[] arguments)
    {
        FileLinePositionSpan lineSpan = location?.GetLineSpan() ?? default;
        return new DiagnosticInfo(
            descriptor.Id,
            location?.SourceTree?.FilePath ?? lineSpan.Path ?? string.Empty,
            location?.SourceSpan ?? default,
            lineSpan.Span,
            new EquatableArray<string>(arguments));
    }

    /// <summary>This diagnostic with <paramref name="key"/> set to <paramref name="value"/> for code fixes.</summary>
    public DiagnosticInfo WithProperty(string key, string value)
    {
        var properties = new List<string>(Properties) { key, value };
        return this with { Properties = properties.ToEquatableArray() };
    }

    public Diagnostic ToDiagnostic()
    {
        DiagnosticDescriptor descriptor = Diagnostics.DiagnosticDescriptors.ById(Id);
        Location location = FilePath.Length == 0 ? Location.None : Location.Create(FilePath, Span, LineSpan);
        object[] args = new object[Arguments.Count];
        for (int i = 0; i < args.Length; i++)
        {
            args[i] = Arguments[i];
        }
        ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty;
        for (int i = 0; i + 1 < Properties.Count; i += 2)
        {
            properties = properties.SetItem(Properties[i], Properties[i + 1]);
        }
        return Diagnostic.Create(descriptor, location, properties, args);
    }
}
