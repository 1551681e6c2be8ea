using System.Collections.Generic;
using System.Globalization;
using Dsl.Generators.Common;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

// The lane kinds of vector values and the vector types, masks and lanes that carry them.
internal sealed partial class VectorKernelEmitter
{
    private static VKind? KindOfColumn(ColumnSpec column) => column.Kind switch
    {
        ColumnKind.Int32 => VKind.Int,
        ColumnKind.Int64 => VKind.Long,
        ColumnKind.Float => VKind.Float,
        ColumnKind.Double => VKind.Double,
        ColumnKind.Boolean => VKind.Bool,
        ColumnKind.Timestamp => VKind.DateTime,
        ColumnKind.Date => VKind.Date,
        _ => null,
    };

    private static bool IsWide(VKind kind) => kind is VKind.Double or VKind.Long or VKind.DateTime or VKind.Bool;

    private static string VectorClass(VKind kind) => IsWide(kind) ? V256 : V128;

    private static string ElementType(VKind kind) => kind switch
    {
        VKind.Double => "double",
        VKind.Float => "float",
        VKind.Long or VKind.DateTime or VKind.Bool => "long",
        _ => "int",
    };

    private static string VectorType(VKind kind) => VectorClass(kind) + "<" + ElementType(kind) + ">";

    private static string ZeroOf(VKind kind) => VectorType(kind) + ".Zero";

    /// <summary>The block mask of a comparison result of <paramref name="kind"/> lanes.</summary>
    private static string ToMask(VKind kind, string compare) => kind switch
    {
        VKind.Double => V256 + ".AsInt64(" + compare + ")",
        VKind.Long or VKind.DateTime => compare,
        VKind.Float => VM + ".Widen(" + V128 + ".AsInt32(" + compare + "))",
        _ => VM + ".Widen(" + compare + ")",
    };

    /// <summary>A block mask shaped for selecting between values of <paramref name="kind"/>.</summary>
    private static string MaskFor(VKind kind, string mask) => kind switch
    {
        VKind.Double => V256 + ".AsDouble(" + mask + ")",
        VKind.Long or VKind.DateTime or VKind.Bool => mask,
        VKind.Float => V128 + ".AsSingle(" + VM + ".Narrow(" + mask + "))",
        _ => VM + ".Narrow(" + mask + ")",
    };

    private static string PerLane(VKind kind, System.Func<int, string> lane) =>
        VectorClass(kind) + ".Create(" + Lanes(lane) + ")";

    private static string Lanes(System.Func<int, string> lane) => lane(0) + ", " + lane(1) + ", " + lane(2) + ", " + lane(3);

    private enum VKind
    {
        Double,
        Float,
        Long,
        Int,
        Bool,
        DateTime,
        /// <summary>A <c>DateOnly</c>: its stored days since 1970-01-01 in 32-bit lanes.</summary>
        Date,
        DayOfWeek,
        String,
    }

    /// <summary>
    /// A vector value: <see cref="Code"/> is its C# expression (for strings, the input column member whose dictionary
    /// it indexes); <see cref="Valid"/>, for nullable values, the expression of its validity mask.
    /// </summary>
    /// <param name="Literal">For a literal, its C# text, so a conversion can write the constant in the target type.</param>
    private sealed record VValue(VKind Kind, string Code, string? Valid, string? Literal = null);

    private readonly struct TypeInfo
    {
        private TypeInfo(VKind kind, bool nullable)
        {
            Kind = kind;
            Nullable = nullable;
        }

        public VKind Kind { get; }

        public bool Nullable { get; }

        /// <summary>The lanes of a value of <paramref name="type"/>, or null where vector code has none (decimal, small integers, ...).</summary>
        public static TypeInfo? Of(KernelType type)
        {
            VKind? kind = type.Kind switch
            {
                KernelTypeKind.Double => VKind.Double,
                KernelTypeKind.Single => VKind.Float,
                KernelTypeKind.Int64 => VKind.Long,
                KernelTypeKind.Int32 => VKind.Int,
                KernelTypeKind.Bool => VKind.Bool,
                KernelTypeKind.DateTime => VKind.DateTime,
                KernelTypeKind.DateOnly => VKind.Date,
                KernelTypeKind.DayOfWeek => VKind.DayOfWeek,
                KernelTypeKind.String => VKind.String,
                _ => null,
            };
            // A string value is a dictionary index: its nullability is the column's, checked where it is loaded.
            return kind is null ? null : new TypeInfo(kind.Value, type.Nullable && kind != VKind.String);
        }
    }
}
