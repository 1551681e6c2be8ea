using Dsl.Generators.Common;

namespace Dsl.Generators.Model;

/// <summary>One output member of a map stage and the expression computing it.</summary>
/// <param name="Member">The output schema member.</param>
/// <param name="Value">Its value per row.</param>
internal sealed record KernelOutput(string Member, KernelExpr Value);

/// <summary>
/// What the kernel compiler made of one stage: either a vectorizable expression (the filter predicate, or
/// one expression per output member of a map, in evaluation order) or a fallback that calls the user's method
/// per row.
/// </summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Vectorized">Whether the stage compiles to expressions over column values.</param>
/// <param name="FallbackReason">Why not, when it does not.</param>
/// <param name="ReadMembers">Input schema members the stage reads (every member for a fallback).</param>
/// <param name="Predicate">The filter's condition.</param>
/// <param name="Outputs">The map's output members in evaluation order.</param>
/// <param name="RelaxedMath">Whether the stage opted into vector approximations of Log and Exp (<c>RelaxedMath = true</c>).</param>
internal sealed record StageKernelSpec(
    bool Vectorized,
    string? FallbackReason,
    EquatableArray<string> ReadMembers,
    KernelExpr? Predicate,
    EquatableArray<KernelOutput> Outputs,
    bool RelaxedMath = false);
