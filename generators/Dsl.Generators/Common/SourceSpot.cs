using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Text;

namespace Dsl.Generators.Common;

/// <summary>
/// A place in the source as plain data, for a spec that must report a diagnostic after it left the syntax behind
/// (a score stage's model is read in a later step than the stage).
/// </summary>
internal sealed record SourceSpot(string FilePath, TextSpan Span, LinePositionSpan LineSpan)
{
    public static SourceSpot Of(Location? location)
    {
        FileLinePositionSpan lineSpan = location?.GetLineSpan() ?? default;
        return new SourceSpot(location?.SourceTree?.FilePath ?? lineSpan.Path ?? string.Empty, location?.SourceSpan ?? default, lineSpan.Span);
    }

    /// <summary>A diagnostic of <paramref name="descriptor"/> at this place.</summary>
    public DiagnosticInfo At(DiagnosticDescriptor descriptor, params string[] arguments) =>
        new(descriptor.Id, FilePath, Span, LineSpan, new EquatableArray<string>(arguments));
}
