using Dsl.Generators.Common;

namespace Dsl.Generators.Model;

/// <summary>The node kinds of the kernel expression IR.</summary>
internal enum KernelExprKind
{
    /// <summary>A literal; <see cref="KernelExpr.Text"/> is its C# text, <see cref="KernelExpr.Constant"/> its value.</summary>
    Literal,
    /// <summary>A member of the stage's row; <see cref="KernelExpr.Text"/> is the member name.</summary>
    Column,
    /// <summary>A static field, constant or property; <see cref="KernelExpr.Text"/> is its qualified name.</summary>
    StaticMember,
    /// <summary>
    /// A member of the stage's parameter object, the same for every row of a run; <see cref="KernelExpr.Text"/> is
    /// <c>TypeName.Member</c> (the parameter type's simple name, as keyed in <c>pipeline.yaml</c>).
    /// </summary>
    Parameter,
    /// <summary><c>default(T)</c>.</summary>
    Default,
    /// <summary>A binary operator, <see cref="KernelExpr.Op"/>.</summary>
    Binary,
    /// <summary>A unary operator, <see cref="KernelExpr.Op"/>.</summary>
    Unary,
    /// <summary>A conversion to <see cref="KernelExpr.Type"/>.</summary>
    Conversion,
    /// <summary><c>c ? a : b</c>.</summary>
    Conditional,
    /// <summary><c>a ?? b</c>.</summary>
    Coalesce,
    /// <summary><c>value is pattern</c>: operands are the value and the pattern.</summary>
    IsPattern,
    /// <summary>
    /// An instance property of a value; operand 0 is the receiver, <see cref="KernelExpr.Text"/> the property name and
    /// <see cref="KernelExpr.Member"/> the known member it is, if any.
    /// </summary>
    Property,
    /// <summary>
    /// A method call; with <see cref="KernelExpr.IsInstance"/> operand 0 is the receiver. <see cref="KernelExpr.Text"/>
    /// is the name to call it by (qualified for static methods), <see cref="KernelExpr.Member"/> the known member, if any.
    /// </summary>
    Call,
    /// <summary><c>new T(args)</c> of a framework value type.</summary>
    New,
    /// <summary>A constant pattern; operand 0 is the constant.</summary>
    PatternConstant,
    /// <summary>A relational pattern with the comparison <see cref="KernelExpr.Op"/>; operand 0 is the constant.</summary>
    PatternRelational,
    /// <summary><c>not p</c>.</summary>
    PatternNot,
    /// <summary><c>p and q</c>.</summary>
    PatternAnd,
    /// <summary><c>p or q</c>.</summary>
    PatternOr,
    /// <summary>The discard pattern <c>_</c>.</summary>
    PatternDiscard,
    /// <summary><c>value switch { arms }</c>: operand 0 is the value, the rest are <see cref="SwitchArm"/>s.</summary>
    Switch,
    /// <summary>One arm: operands are the pattern, the result and, optionally, the <c>when</c> guard.</summary>
    SwitchArm,
    /// <summary><c>receiver?.rest</c>: operand 0 is the receiver, operand 1 the access applied to it.</summary>
    ConditionalAccess,
    /// <summary>The receiver inside the access of a <see cref="ConditionalAccess"/>.</summary>
    ConditionalAccessReceiver,
    /// <summary>
    /// An output of a score stage's model for the row (a parameter after the row of a <c>[Score]</c> method);
    /// <see cref="KernelExpr.Text"/> is the parameter name. Kernels score the whole batch before their row loop and read
    /// the row's outputs here.
    /// </summary>
    ModelOutput,
}

/// <summary>The overflow context of an integral operation or conversion, as it was in the user's code.</summary>
internal enum OverflowMode
{
    /// <summary>The node cannot overflow (not integral arithmetic).</summary>
    Default,
    Checked,
    Unchecked,
}

/// <summary>
/// One node of a stage expression lowered from its <c>IOperation</c> tree: the backend-neutral kernel IR.
/// Emitters (per-row C# and SIMD today; GPU later) switch on its typed fields — <see cref="Type"/>'s kind,
/// <see cref="Op"/>, <see cref="Member"/> — and use <see cref="Text"/> only to write C# back.
/// </summary>
/// <remarks>Specs hold only strings, enums and other specs: never symbols, syntax or locations.</remarks>
/// <param name="Kind">The node kind.</param>
/// <param name="Type">The result type (<see cref="KernelType.None"/> for patterns).</param>
/// <param name="Text">Kind-specific C# text: member or method name, literal (empty for operators).</param>
/// <param name="Operands">Child nodes.</param>
/// <param name="Overflow">Overflow context for arithmetic and conversions.</param>
/// <param name="IsInstance">For calls: whether operand 0 is the receiver.</param>
/// <param name="ArgumentNames">For calls and <c>new</c>: parameter names when arguments must be passed by name, else empty.</param>
/// <param name="Op">For binary and unary operators and relational patterns: the operator.</param>
/// <param name="Member">For calls and properties: the known member (<see cref="KernelMembers"/>), or <see cref="KernelMember.None"/>.</param>
/// <param name="Constant">
/// For a node C# folds to a constant (literals, constant fields, <c>-1</c>, <c>(long)5</c>): its value in the
/// invariant culture ("R" for floating point, the characters for strings and chars); null otherwise and for <c>null</c>.
/// </param>
/// <param name="IsUserMethod">
/// For calls: whether the method is the user's own (declared in the compilation being generated), a helper the
/// lowering could not inline, which only the per-row code calls.
/// </param>
internal sealed record KernelExpr(
    KernelExprKind Kind,
    KernelType Type,
    string Text,
    EquatableArray<KernelExpr> Operands,
    OverflowMode Overflow = OverflowMode.Default,
    bool IsInstance = false,
    EquatableArray<string> ArgumentNames = default,
    KernelOp Op = KernelOp.None,
    KernelMember Member = KernelMember.None,
    string? Constant = null,
    bool IsUserMethod = false)
{
    public static KernelExpr Leaf(KernelExprKind kind, KernelType type, string text) =>
        new(kind, type, text, EquatableArray<KernelExpr>.Empty);

    public static KernelExpr Node(KernelExprKind kind, KernelType type, string text, params KernelExpr[] operands) =>
        new(kind, type, text, new EquatableArray<KernelExpr>(operands));

    /// <summary>Whether this is the <c>null</c> literal.</summary>
    public bool IsNullLiteral => Kind == KernelExprKind.Literal && Type.Kind == KernelTypeKind.Null;
}
