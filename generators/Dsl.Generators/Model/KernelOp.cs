namespace Dsl.Generators.Model;

/// <summary>The operator of a <see cref="KernelExprKind.Binary"/>, <see cref="KernelExprKind.Unary"/> or <see cref="KernelExprKind.PatternRelational"/> node.</summary>
internal enum KernelOp
{
    /// <summary>Not an operator node.</summary>
    None,
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
    LeftShift,
    RightShift,
    UnsignedRightShift,
    /// <summary><c>&amp;</c>: bitwise, or logical without short-circuit on bools.</summary>
    And,
    Or,
    ExclusiveOr,
    ConditionalAnd,
    ConditionalOr,
    Equals,
    NotEquals,
    LessThan,
    LessThanOrEqual,
    GreaterThan,
    GreaterThanOrEqual,
    /// <summary>Unary <c>+</c>.</summary>
    Plus,
    /// <summary>Unary <c>-</c>.</summary>
    Negate,
    /// <summary><c>!</c>.</summary>
    Not,
    /// <summary><c>~</c>.</summary>
    BitwiseNot,
}

/// <summary>Facts about <see cref="KernelOp"/>s.</summary>
internal static class KernelOps
{
    /// <summary>The C# token of <paramref name="op"/>.</summary>
    public static string Token(KernelOp op) => op switch
    {
        KernelOp.Add or KernelOp.Plus => "+",
        KernelOp.Subtract or KernelOp.Negate => "-",
        KernelOp.Multiply => "*",
        KernelOp.Divide => "/",
        KernelOp.Remainder => "%",
        KernelOp.LeftShift => "<<",
        KernelOp.RightShift => ">>",
        KernelOp.UnsignedRightShift => ">>>",
        KernelOp.And => "&",
        KernelOp.Or => "|",
        KernelOp.ExclusiveOr => "^",
        KernelOp.ConditionalAnd => "&&",
        KernelOp.ConditionalOr => "||",
        KernelOp.Equals => "==",
        KernelOp.NotEquals => "!=",
        KernelOp.LessThan => "<",
        KernelOp.LessThanOrEqual => "<=",
        KernelOp.GreaterThan => ">",
        KernelOp.GreaterThanOrEqual => ">=",
        KernelOp.Not => "!",
        KernelOp.BitwiseNot => "~",
        _ => throw new System.ArgumentOutOfRangeException(nameof(op), op, "Not an operator."),
    };

    /// <summary>Whether <paramref name="op"/> compares its operands (<c>==</c>, <c>!=</c>, <c>&lt;</c>, ...).</summary>
    public static bool IsComparison(KernelOp op) =>
        op is KernelOp.Equals or KernelOp.NotEquals or KernelOp.LessThan or KernelOp.LessThanOrEqual or KernelOp.GreaterThan or KernelOp.GreaterThanOrEqual;

    /// <summary>The comparison with its operands swapped: <c>a &lt; b</c> is <c>b &gt; a</c>.</summary>
    public static KernelOp Flip(KernelOp op) => op switch
    {
        KernelOp.LessThan => KernelOp.GreaterThan,
        KernelOp.LessThanOrEqual => KernelOp.GreaterThanOrEqual,
        KernelOp.GreaterThan => KernelOp.LessThan,
        KernelOp.GreaterThanOrEqual => KernelOp.LessThanOrEqual,
        _ => op,
    };
}
