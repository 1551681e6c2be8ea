using Dsl.Generators.Common;

namespace Dsl.Generators.Model;

/// <summary>A schema record: where it is declared and its columns in declaration order.</summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Namespace">The containing namespace ("" for the global namespace).</param>
/// <param name="ContainingTypes">Declarations of enclosing types, outermost first (e.g. "partial class Outer").</param>
/// <param name="Name">The record's simple name (also the schema name in plans).</param>
/// <param name="FullTypeName">The fully qualified type name with <c>global::</c>.</param>
/// <param name="DeclarationKeyword">"record" or "record struct".</param>
/// <param name="Columns">The columns.</param>
internal sealed record SchemaSpec(
    string Namespace,
    EquatableArray<string> ContainingTypes,
    string Name,
    string FullTypeName,
    string DeclarationKeyword,
    EquatableArray<ColumnSpec> Columns)
{
    public ColumnSpec? FindMember(string memberName)
    {
        foreach (ColumnSpec column in Columns)
        {
            if (column.MemberName == memberName)
            {
                return column;
            }
        }
        return null;
    }
}
