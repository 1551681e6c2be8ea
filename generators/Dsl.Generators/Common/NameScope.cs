using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Common;

/// <summary>
/// What the user's compilation declares that a simple name in generated code could bind to instead of the type the
/// generator means; <see cref="GeneratedCode.Finish"/> keeps <c>global::</c> on exactly those names.
/// </summary>
/// <remarks>
/// Computed once per compilation (<see cref="Compute"/>) from the declaration table and the namespaces of
/// <see cref="GeneratedCode.Namespaces"/>, then combined with the specs only at the source outputs: an edit that
/// declares no new name leaves this value equal, so the outputs stay cached. Holds only strings.
/// </remarks>
/// <param name="Reserved">
/// Simple names that keep <c>global::</c> when they would come from <see cref="GeneratedCode.Namespaces"/>: the
/// names of those namespaces' types that the user's source also declares as a namespace, type or member (a type or
/// namespace of that name can win the lookup, a member of an enclosing type always does), type names that two of
/// those namespaces share, and the first names of those namespaces (<c>System</c>, <c>Dsl</c>) when declared.
/// </param>
/// <param name="Shadowing">
/// Simple names that keep <c>global::</c> on the user's own types in the generated file's namespace: type names the
/// source declares more than once, or also as a namespace or member, and namespace names also declared as members.
/// </param>
/// <param name="ChildNamespaces">
/// The full names of the namespaces directly inside those of <see cref="GeneratedCode.Namespaces"/>
/// (<c>System.Text</c>), so that <c>global::System.Text.Json.JsonSerializer</c> is not mistaken for a type
/// <c>Text</c> in <c>System</c>.
/// </param>
internal sealed record NameScope(
    EquatableArray<string> Reserved,
    EquatableArray<string> Shadowing,
    EquatableArray<string> ChildNamespaces)
{
    /// <summary>A scope in which nothing may be simplified (every name keeps <c>global::</c>).</summary>
    public static NameScope None { get; } = new(EquatableArray<string>.Empty, EquatableArray<string>.Empty, EquatableArray<string>.Empty);

    public static NameScope Compute(Compilation compilation, CancellationToken cancellationToken)
    {
        var typeCounts = new Dictionary<string, int>(System.StringComparer.Ordinal);
        var otherNames = new HashSet<string>(System.StringComparer.Ordinal);

        // The declaration table calls the predicate once per declared name (a partial type once, two types of one
        // name twice) without binding anything; returning false makes it visit every declaration.
        compilation.ContainsSymbolsWithName(
            name =>
            {
                typeCounts[name] = typeCounts.TryGetValue(name, out int n) ? n + 1 : 1;
                return false;
            },
            SymbolFilter.Type,
            cancellationToken);
        var namespaceNames = new HashSet<string>(System.StringComparer.Ordinal);
        var memberNames = new HashSet<string>(System.StringComparer.Ordinal);
        compilation.ContainsSymbolsWithName(
            name =>
            {
                namespaceNames.Add(name);
                return false;
            },
            SymbolFilter.Namespace,
            cancellationToken);
        compilation.ContainsSymbolsWithName(
            name =>
            {
                memberNames.Add(name);
                return false;
            },
            SymbolFilter.Member,
            cancellationToken);
        otherNames.UnionWith(namespaceNames);
        otherNames.UnionWith(memberNames);

        // Only names the rewriting could write matter, so that declaring an unrelated name leaves this value equal.
        var reserved = new HashSet<string>(System.StringComparer.Ordinal);
        var children = new List<string>();
        var owners = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (string name in GeneratedCode.Namespaces)
        {
            cancellationToken.ThrowIfCancellationRequested();
            INamespaceSymbol? ns = Find(compilation.GlobalNamespace, name);
            if (ns is null)
            {
                continue;
            }
            foreach (INamespaceSymbol child in ns.GetNamespaceMembers())
            {
                children.Add(name + "." + child.Name);
            }
            foreach (INamedTypeSymbol type in ns.GetTypeMembers())
            {
                // Internal types of referenced assemblies (System.Numerics.VectorMath) are invisible to the lookup.
                if (!compilation.IsSymbolAccessibleWithin(type, compilation.Assembly))
                {
                    continue;
                }
                if (owners.TryGetValue(type.Name, out string? owner) && owner != name)
                {
                    // Imported from two namespaces, the simple name would be ambiguous (CS0104).
                    reserved.Add(type.Name);
                }
                owners[type.Name] = name;
            }
        }
        foreach (string name in owners.Keys)
        {
            if (typeCounts.ContainsKey(name) || otherNames.Contains(name))
            {
                reserved.Add(name);
            }
        }
        // The first names of the table's namespaces, for the using directives themselves.
        foreach (string name in GeneratedCode.Namespaces)
        {
            string first = name.Split('.')[0];
            if (typeCounts.ContainsKey(first) || otherNames.Contains(first))
            {
                reserved.Add(first);
            }
        }

        // A user type's name is taken by a member or namespace of that name, or by a second type of that name.
        // A namespace of the user's (Sample.Models in Models.Row) is taken by a member of that name.
        var shadowing = new List<string>();
        foreach (KeyValuePair<string, int> type in typeCounts)
        {
            if (type.Value > 1 || otherNames.Contains(type.Key))
            {
                shadowing.Add(type.Key);
            }
        }
        foreach (string name in namespaceNames)
        {
            if (memberNames.Contains(name) && !typeCounts.ContainsKey(name))
            {
                shadowing.Add(name);
            }
        }

        return new NameScope(Sorted(reserved), Sorted(shadowing), Sorted(children));
    }

    private static INamespaceSymbol? Find(INamespaceSymbol global, string name)
    {
        INamespaceSymbol? current = global;
        foreach (string part in name.Split('.'))
        {
            INamespaceSymbol? next = null;
            foreach (ISymbol member in current.GetMembers(part))
            {
                if (member is INamespaceSymbol ns)
                {
                    next = ns;
                    break;
                }
            }
            if (next is null)
            {
                return null;
            }
            current = next;
        }
        return current;
    }

    private static EquatableArray<string> Sorted(IEnumerable<string> names)
    {
        var list = new List<string>(names);
        list.Sort(System.StringComparer.Ordinal);
        return new EquatableArray<string>(list.ToArray());
    }

    public bool IsReserved(string name) => BinarySearch(Reserved, name);

    public bool IsShadowed(string name) => BinarySearch(Shadowing, name);

    public bool IsChildNamespace(string fullName) => BinarySearch(ChildNamespaces, fullName);

    private static bool BinarySearch(EquatableArray<string> sorted, string value)
    {
        int low = 0, high = sorted.Count - 1;
        while (low <= high)
        {
            int mid = low + ((high - low) / 2);
            int order = string.CompareOrdinal(sorted[mid], value);
            if (order == 0)
            {
                return true;
            }
            if (order < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return false;
    }
}
