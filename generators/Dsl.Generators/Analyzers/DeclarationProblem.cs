using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Analyzers;

/// <summary>
/// A declaration-shape rule broken by user code: the rule, where, and its message arguments. The shared checks
/// (<see cref="Schemas.SchemaRules"/>, <see cref="Pipelines.StageRules"/>) return these; the analyzers report them,
/// and the generators only skip a declaration that has any, so each problem is reported once, live in the IDE.
/// </summary>
internal sealed class DeclarationProblem
{
    public DeclarationProblem(DiagnosticDescriptor rule, Location? location, params string[] arguments)
    {
        Rule = rule;
        Location = location ?? Location.None;
        Arguments = arguments;
    }

    public DiagnosticDescriptor Rule { get; }

    public Location Location { get; }

    public string[] Arguments { get; }

    public Diagnostic ToDiagnostic() => Diagnostic.Create(Rule, Location, Arguments);
}
