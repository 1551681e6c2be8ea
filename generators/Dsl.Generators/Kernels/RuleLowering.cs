using System.Collections.Generic;
using System.Globalization;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

/// <summary>
/// Turns a member rule (<see cref="RuleSpec"/>) into the kernel IR of the condition a row must meet, so that the
/// per-row and vector emitters check it exactly like a filter condition. Every rule but <c>NotNull</c> lets a null
/// pass, and relational patterns refuse NaN, so NaN breaks <c>Range</c> and <c>Finite</c>:
/// <list type="bullet">
/// <item><c>Range(0, 100)</c> on <c>double? Amount</c>: <c>Amount is null or (&gt;= 0D and &lt;= 100D)</c> (a float
/// member is compared as a double, <c>(double?)Amount</c>, so the bounds mean what they say; integer bounds are
/// rounded inwards);</item>
/// <item><c>NotNull</c>: <c>X is not null</c>; <c>OneOf("FR", "DE")</c>: <c>X is null or "FR" or "DE"</c>;</item>
/// <item><c>MinLength(2)</c>: <c>X.Length &gt;= 2</c>, or <c>X?.Length is null or &gt;= 2</c> on a nullable string;</item>
/// <item><c>Regex(p)</c>: <c>RuleChecks.Matches(X, p)</c>; <c>Finite</c>: <c>X is null or (&gt;= double.MinValue and &lt;= double.MaxValue)</c>.</item>
/// </list>
/// String conditions involve one string column and constants only, so the vector block evaluates them once per
/// dictionary entry.
/// </summary>
internal static class RuleLowering
{
    private static readonly KernelType Bool = new(KernelTypeKind.Bool, false, "bool");

    /// <summary>The condition rows must meet for <paramref name="rule"/> on <paramref name="column"/>; null for uniqueness, which no kernel checks.</summary>
    public static KernelExpr? Predicate(RuleSpec rule, ColumnSpec column)
    {
        KernelExpr value = KernelExpr.Leaf(KernelExprKind.Column, TypeOf(column), column.MemberName);
        switch (rule.Kind)
        {
            case "Range":
                return Range(rule, column, value);
            case "NotNull":
                return Is(value, Not(NullPattern()));
            case "OneOf":
            {
                KernelExpr? alternatives = null;
                if (column.IsString)
                {
                    foreach (string text in rule.Strings)
                    {
                        alternatives = Or(alternatives, Constant(Literal(new KernelType(KernelTypeKind.String, false, "string"), SourceWriter.Literal(text), text)));
                    }
                }
                else
                {
                    foreach (long number in rule.Integers)
                    {
                        alternatives = Or(alternatives, Constant(IntegerLiteral(column.Kind, number)));
                    }
                }
                if (alternatives is null)
                {
                    return NullOnly(value, column); // an empty list admits no value
                }
                return Is(value, column.Nullable ? Or(NullPattern(), alternatives)! : alternatives);
            }
            case "MinLength":
            case "MaxLength":
            {
                KernelOp op = rule.Kind == "MinLength" ? KernelOp.GreaterThanOrEqual : KernelOp.LessThanOrEqual;
                KernelExpr bound = Literal(new KernelType(KernelTypeKind.Int32, false, "int"), rule.Length.ToString(CultureInfo.InvariantCulture), rule.Length.ToString(CultureInfo.InvariantCulture));
                if (!column.Nullable)
                {
                    KernelExpr length = KernelExpr.Node(KernelExprKind.Property, new KernelType(KernelTypeKind.Int32, false, "int"), "Length", value) with { Member = KernelMember.StringLength };
                    return new KernelExpr(KernelExprKind.Binary, Bool, string.Empty, new EquatableArray<KernelExpr>(new[] { length, bound }), Op: op);
                }
                var nullableInt = new KernelType(KernelTypeKind.Int32, true, "int?");
                KernelExpr receiver = KernelExpr.Leaf(KernelExprKind.ConditionalAccessReceiver, TypeOf(column) with { Nullable = false }, string.Empty);
                KernelExpr access = KernelExpr.Node(KernelExprKind.Property, new KernelType(KernelTypeKind.Int32, false, "int"), "Length", receiver) with { Member = KernelMember.StringLength };
                KernelExpr maybeLength = KernelExpr.Node(KernelExprKind.ConditionalAccess, nullableInt, string.Empty, value, access);
                return Is(maybeLength, Or(NullPattern(), Relational(op, bound))!);
            }
            case "Regex":
            {
                KernelExpr pattern = Literal(new KernelType(KernelTypeKind.String, false, "string"), SourceWriter.Literal(rule.Pattern ?? string.Empty), rule.Pattern ?? string.Empty);
                return new KernelExpr(KernelExprKind.Call, Bool, "global::Dsl.Kernels.RuleChecks.Matches", new EquatableArray<KernelExpr>(new[] { value, pattern }),
                    Member: KernelMember.RuleChecksMatches);
            }
            case "Finite":
            {
                string type = column.Kind == ColumnKind.Float ? "float" : "double";
                KernelType constantType = TypeOf(column) with { Nullable = false, CSharp = type };
                KernelExpr min = KernelExpr.Leaf(KernelExprKind.StaticMember, constantType, type + ".MinValue");
                KernelExpr max = KernelExpr.Leaf(KernelExprKind.StaticMember, constantType, type + ".MaxValue");
                return Bounded(value, column.Nullable, Relational(KernelOp.GreaterThanOrEqual, min), Relational(KernelOp.LessThanOrEqual, max));
            }
            default:
                return null;
        }
    }

    /// <summary>The rule in words for reports: <c>Amount in [0, 100]</c>, <c>Country is one of "FR", "DE"</c>.</summary>
    public static string Description(RuleSpec rule, ColumnSpec column)
    {
        string name = column.ColumnName;
        switch (rule.Kind)
        {
            case "Range":
                return name + " in " + (rule.MinExclusive ? "(" : "[") + Number(rule.Min) + ", " + Number(rule.Max) + (rule.MaxExclusive ? ")" : "]");
            case "NotNull":
                return name + " is not null";
            case "OneOf":
            {
                var values = new List<string>();
                foreach (string text in rule.Strings)
                {
                    values.Add(SourceWriter.Literal(text));
                }
                foreach (long number in rule.Integers)
                {
                    values.Add(number.ToString(CultureInfo.InvariantCulture));
                }
                return name + " is one of " + string.Join(", ", values);
            }
            case "MinLength":
                return name + " has at least " + rule.Length.ToString(CultureInfo.InvariantCulture) + " characters";
            case "MaxLength":
                return name + " has at most " + rule.Length.ToString(CultureInfo.InvariantCulture) + " characters";
            case "Regex":
                return name + " matches " + rule.Pattern;
            case "Finite":
                return name + " is finite";
            case "Unique":
                return name + " is unique within a partition";
            default:
                return name;
        }
    }

    private static string Number(double? value) => value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "?";

    private static KernelExpr Range(RuleSpec rule, ColumnSpec column, KernelExpr value)
    {
        double min = rule.Min ?? double.NaN;
        double max = rule.Max ?? double.NaN;
        if (double.IsNaN(min) || double.IsNaN(max))
        {
            return NullOnly(value, column); // DSL1006: no value can pass
        }
        if (RuleAttributesIsInteger(column.Kind))
        {
            (double typeMin, double typeMax) = IntegerRange(column.Kind);
            double lo = rule.MinExclusive ? System.Math.Floor(min) + 1 : System.Math.Ceiling(min);
            double hi = rule.MaxExclusive ? System.Math.Ceiling(max) - 1 : System.Math.Floor(max);
            if (lo > hi || lo > typeMax || hi < typeMin)
            {
                return NullOnly(value, column);
            }
            KernelExpr? lower = lo <= typeMin ? null : Relational(KernelOp.GreaterThanOrEqual, IntegerLiteral(column.Kind, (long)lo));
            KernelExpr? upper = hi >= typeMax ? null : Relational(KernelOp.LessThanOrEqual, IntegerLiteral(column.Kind, (long)hi));
            return Bounded(value, column.Nullable, lower, upper);
        }
        KernelExpr compared = value;
        KernelType constantType = new(KernelTypeKind.Double, false, "double");
        if (column.Kind == ColumnKind.Float)
        {
            // A float compared as a double, so that the bounds are the ones written (0.1F is not 0.1).
            compared = KernelExpr.Node(KernelExprKind.Conversion, new KernelType(KernelTypeKind.Double, column.Nullable, column.Nullable ? "double?" : "double"), string.Empty, value);
        }
        if (column.Kind == ColumnKind.Decimal)
        {
            constantType = new KernelType(KernelTypeKind.Decimal, false, "decimal");
            const double DecimalMax = 7.9228162514264337593543950335e28;
            KernelExpr? low = min <= -DecimalMax ? null : Relational(rule.MinExclusive ? KernelOp.GreaterThan : KernelOp.GreaterThanOrEqual, DecimalLiteral(min));
            KernelExpr? high = max >= DecimalMax ? null : Relational(rule.MaxExclusive ? KernelOp.LessThan : KernelOp.LessThanOrEqual, DecimalLiteral(max));
            return Bounded(value, column.Nullable, low, high);
        }
        KernelExpr lowerBound = Relational(rule.MinExclusive ? KernelOp.GreaterThan : KernelOp.GreaterThanOrEqual, DoubleLiteral(min, constantType));
        KernelExpr upperBound = Relational(rule.MaxExclusive ? KernelOp.LessThan : KernelOp.LessThanOrEqual, DoubleLiteral(max, constantType));
        return Bounded(compared, column.Nullable, lowerBound, upperBound);
    }

    private static bool RuleAttributesIsInteger(ColumnKind kind) => Schemas.RuleAttributes.IsInteger(kind);

    private static (double Min, double Max) IntegerRange(ColumnKind kind) => kind switch
    {
        ColumnKind.Int8 => (sbyte.MinValue, sbyte.MaxValue),
        ColumnKind.Int16 => (short.MinValue, short.MaxValue),
        ColumnKind.Int32 => (int.MinValue, int.MaxValue),
        ColumnKind.UInt8 => (0, byte.MaxValue),
        ColumnKind.UInt16 => (0, ushort.MaxValue),
        ColumnKind.UInt32 => (0, uint.MaxValue),
        // Below 2^63 and 2^64, where every double bound is also a long or ulong.
        ColumnKind.UInt64 => (0, 18446744073709549568.0),
        _ => (-9223372036854774784.0, 9223372036854774784.0),
    };

    // 'X is null or (lower and upper)', 'X is lower and upper', with either side left out when it admits every value.
    private static KernelExpr Bounded(KernelExpr value, bool nullable, KernelExpr? lower, KernelExpr? upper)
    {
        KernelExpr? bounds = lower is null ? upper : upper is null ? lower : KernelExpr.Node(KernelExprKind.PatternAnd, KernelType.None, string.Empty, lower, upper);
        if (bounds is null)
        {
            return Literal(Bool, "true", "true");
        }
        return Is(value, nullable ? Or(NullPattern(), bounds)! : bounds);
    }

    // A rule no value can pass: only a null passes (a non-nullable member: no row).
    private static KernelExpr NullOnly(KernelExpr value, ColumnSpec column) =>
        column.Nullable ? Is(value, NullPattern()) : Literal(Bool, "false", "false");

    private static KernelExpr Is(KernelExpr value, KernelExpr pattern) => KernelExpr.Node(KernelExprKind.IsPattern, Bool, string.Empty, value, pattern);

    private static KernelExpr Not(KernelExpr pattern) => KernelExpr.Node(KernelExprKind.PatternNot, KernelType.None, string.Empty, pattern);

    private static KernelExpr? Or(KernelExpr? left, KernelExpr right) =>
        left is null ? right : KernelExpr.Node(KernelExprKind.PatternOr, KernelType.None, string.Empty, left, right);

    private static KernelExpr NullPattern() => Constant(KernelExpr.Leaf(KernelExprKind.Literal, KernelType.Null, "null"));

    private static KernelExpr Constant(KernelExpr literal) => KernelExpr.Node(KernelExprKind.PatternConstant, KernelType.None, string.Empty, literal);

    private static KernelExpr Relational(KernelOp op, KernelExpr constant) =>
        KernelExpr.Node(KernelExprKind.PatternRelational, KernelType.None, string.Empty, constant) with { Op = op };

    private static KernelExpr Literal(KernelType type, string text, string constant) => KernelExpr.Leaf(KernelExprKind.Literal, type, text) with { Constant = constant };

    private static KernelExpr DoubleLiteral(double value, KernelType type) =>
        Literal(type, KernelLowering.ConstantText(value), value.ToString("R", CultureInfo.InvariantCulture));

    private static KernelExpr DecimalLiteral(double value)
    {
        string text = value.ToString("R", CultureInfo.InvariantCulture);
        decimal exact = decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return Literal(new KernelType(KernelTypeKind.Decimal, false, "decimal"), KernelLowering.ConstantText(exact), exact.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>An integer constant typed like the member (the small integer types take an int constant, as C# converts it).</summary>
    private static KernelExpr IntegerLiteral(ColumnKind kind, long value)
    {
        string constant = value.ToString(CultureInfo.InvariantCulture);
        return kind switch
        {
            ColumnKind.Int64 => Literal(new KernelType(KernelTypeKind.Int64, false, "long"), constant + "L", constant),
            ColumnKind.UInt32 => Literal(new KernelType(KernelTypeKind.UInt32, false, "uint"), constant + "U", constant),
            ColumnKind.UInt64 => Literal(new KernelType(KernelTypeKind.UInt64, false, "ulong"), constant + "UL", constant),
            _ => Literal(new KernelType(KernelTypeKind.Int32, false, "int"), constant, constant),
        };
    }

    /// <summary>The kernel type of a member's values.</summary>
    public static KernelType TypeOf(ColumnSpec column)
    {
        KernelTypeKind kind = column.Kind switch
        {
            ColumnKind.Boolean => KernelTypeKind.Bool,
            ColumnKind.Int8 => KernelTypeKind.SByte,
            ColumnKind.Int16 => KernelTypeKind.Int16,
            ColumnKind.Int32 => KernelTypeKind.Int32,
            ColumnKind.Int64 => KernelTypeKind.Int64,
            ColumnKind.UInt8 => KernelTypeKind.Byte,
            ColumnKind.UInt16 => KernelTypeKind.UInt16,
            ColumnKind.UInt32 => KernelTypeKind.UInt32,
            ColumnKind.UInt64 => KernelTypeKind.UInt64,
            ColumnKind.Float => KernelTypeKind.Single,
            ColumnKind.Double => KernelTypeKind.Double,
            ColumnKind.Decimal => KernelTypeKind.Decimal,
            ColumnKind.String => KernelTypeKind.String,
            ColumnKind.Timestamp => KernelTypeKind.DateTime,
            ColumnKind.Date => KernelTypeKind.DateOnly,
            ColumnKind.Time => KernelTypeKind.TimeOnly,
            _ => KernelTypeKind.Other,
        };
        return new KernelType(kind, column.Nullable, column.ClrType);
    }
}
