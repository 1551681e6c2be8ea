using System.Collections.Generic;
using System.Collections.Immutable;
using System.Threading;
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

    /// <summary>
    /// The diagnostic, located in <paramref name="tree"/> when it is the tree it was found in (so that
    /// <c>#pragma warning</c> and <c>.editorconfig</c> severities apply to it), else at its file path.
    /// </summary>
    public Diagnostic ToDiagnostic(SyntaxTree? tree = null)
    {
        DiagnosticDescriptor descriptor = Diagnostics.DiagnosticDescriptors.ById(Id);
        Location location = tree is not null ? Location.Create(tree, Span)
            : FilePath.Length == 0 ? Location.None
            : Location.Create(FilePath, Span, LineSpan);
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

/// <summary>
/// A diagnostic ready to report: its data and the syntax tree of the current compilation it lies in (null when it
/// lies in none). Equal when the data are equal and the tree is the same object, so an edit in another file leaves
/// it unchanged and the diagnostics output cached.
/// </summary>
internal sealed record LocatedDiagnostic(DiagnosticInfo Info, SyntaxTree? Tree)
{
    public Diagnostic ToDiagnostic() => Info.ToDiagnostic(Tree);
}

/// <summary>
/// Reports generator diagnostics at locations in the compilation's own syntax trees. A location made from a file
/// path alone is an external location: the compiler applies neither <c>#pragma warning disable</c> nor an
/// <c>.editorconfig</c> <c>dotnet_diagnostic.ID.severity</c> to it. Specs and models keep their diagnostics as plain
/// data (<see cref="DiagnosticInfo"/>); only the diagnostics output combines them with the compilation, so the
/// source outputs stay cached on specs without locations.
/// </summary>
internal static class DiagnosticReporting
{
    /// <summary>
    /// Registers an output that reports the diagnostics <paramref name="locate"/> makes of each value of
    /// <paramref name="values"/> with the current compilation; <paramref name="trackingName"/> names that step.
    /// </summary>
    public static void RegisterOutput<T>(
        IncrementalGeneratorInitializationContext context,
        IncrementalValuesProvider<T> values,
        System.Func<T, Compilation, CancellationToken, EquatableArray<LocatedDiagnostic>> locate,
        string trackingName)
    {
        IncrementalValuesProvider<EquatableArray<LocatedDiagnostic>> located = values
            .Combine(context.CompilationProvider)
            .Select((pair, ct) => locate(pair.Left, pair.Right, ct))
            .Where(static list => !list.IsEmpty)
            .WithTrackingName(trackingName);

        context.RegisterSourceOutput(located, static (spc, list) =>
        {
            foreach (LocatedDiagnostic diagnostic in list)
            {
                spc.ReportDiagnostic(diagnostic.ToDiagnostic());
            }
        });
    }

    /// <summary>Registers an output reporting every list of <paramref name="diagnostics"/> in the compilation's trees.</summary>
    public static void RegisterOutput(
        IncrementalGeneratorInitializationContext context,
        IncrementalValuesProvider<EquatableArray<DiagnosticInfo>> diagnostics,
        string trackingName) =>
        RegisterOutput(context, diagnostics.Where(static d => !d.IsEmpty), static (list, compilation, _) => Locate(list, compilation), trackingName);

    /// <summary>Each of <paramref name="infos"/> with the tree of <paramref name="compilation"/> it was found in.</summary>
    public static EquatableArray<LocatedDiagnostic> Locate(EquatableArray<DiagnosticInfo> infos, Compilation compilation)
    {
        var located = new List<LocatedDiagnostic>(infos.Count);
        foreach (DiagnosticInfo info in infos)
        {
            located.Add(new LocatedDiagnostic(info, TreeOf(info, compilation)));
        }
        return located.ToEquatableArray();
    }

    /// <summary>The tree at <paramref name="info"/>'s path that holds its span, or null.</summary>
    public static SyntaxTree? TreeOf(DiagnosticInfo info, Compilation compilation)
    {
        if (info.FilePath.Length == 0)
        {
            return null;
        }
        foreach (SyntaxTree tree in compilation.SyntaxTrees)
        {
            if (string.Equals(tree.FilePath, info.FilePath, System.StringComparison.Ordinal) && info.Span.End <= tree.Length)
            {
                return tree;
            }
        }
        return null;
    }
}
