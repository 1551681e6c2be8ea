using Dsl.Generators.Common;

namespace Dsl.Generators.Common;

/// <summary>Opens and closes the partial declarations that enclose generated members.</summary>
internal static class TypeDeclarationWriter
{
    /// <summary>Writes the enclosing declarations and opens the type; returns how many braces to close.</summary>
    public static int Open(SourceWriter writer, EquatableArray<string> containingTypes, string declaration)
    {
        foreach (string outer in containingTypes)
        {
            writer.WriteLine(outer);
            writer.OpenBrace();
        }
        writer.WriteLine(declaration);
        writer.OpenBrace();
        return containingTypes.Count + 1;
    }

    public static void Close(SourceWriter writer, int depth)
    {
        for (int i = 0; i < depth; i++)
        {
            writer.CloseBrace();
        }
    }
}
