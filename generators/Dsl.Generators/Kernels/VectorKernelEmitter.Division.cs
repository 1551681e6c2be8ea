using System.Globalization;
using Dsl.Generators.Model;

namespace Dsl.Generators.Kernels;

// Integer division and remainder in vector lanes.
internal sealed partial class VectorKernelEmitter
{
    /// <summary>
    /// <c>x / y</c> and <c>x % y</c> on <c>int</c> or <c>long</c> lanes (lifted when either side is nullable).
    /// C# throws DivideByZeroException where y is 0 and OverflowException where x is MinValue and y is -1, checked
    /// or not: the block hands back to the per-row code when a reached, kept, non-null lane is one of those, so the
    /// per-row code throws exactly where the stage method does. The other lanes are computed exactly:
    /// <list type="bullet">
    /// <item><c>int</c>: through <c>double</c>. Both operands are exact doubles, and truncating the rounded
    /// quotient gives the truncated integer quotient, because a quotient that is not an integer lies at least 1/|y|
    /// from the next integer while rounding moves it by at most |x/y|·2⁻⁵³ &lt; 2⁻²², which is less. The remainder
    /// is x - q·y in wrapping <c>int</c> arithmetic, as C# defines it. Lanes that would throw give unused values
    /// and no exception (vector division and conversion never throw).</item>
    /// <item><c>long</c>: there is no SIMD 64-bit division and a double holds only 53 bits, so each lane divides
    /// with the scalar operator; the divisor of a lane that would throw is replaced by 1 first, so no lane the
    /// block evaluates can throw (those lanes' results are never used).</item>
    /// </list>
    /// </summary>
    private VValue? IntegerDivision(KernelOp op, KernelExpr rightExpr, VValue left, VValue right, VKind kind, string? valid)
    {
        VValue? convertedLeft = Convert(left with { Valid = null }, kind, false);
        VValue? convertedRight = Convert(right with { Valid = null }, kind, false);
        if (convertedLeft is null || convertedRight is null)
        {
            return null;
        }
        // A constant divisor (3, -3, a const field): C# folded it, so its value says which checks can be left out.
        bool constant = long.TryParse(rightExpr.Constant, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long divisorValue);
        bool knownNonZero = constant && divisorValue != 0;
        bool knownNotMinusOne = knownNonZero && divisorValue != -1;
        string token = KernelOps.Token(op);
        VValue x = Materialize("dividend", convertedLeft);
        VValue y = Materialize("divisor", convertedRight);
        string cls = VectorClass(kind);
        string element = ElementType(kind);
        string? failing = null;
        if (!knownNonZero || !knownNotMinusOne)
        {
            string zero = ToMask(kind, cls + ".Equals(" + y.Code + ", " + ZeroOf(kind) + ")");
            string overflow = ToMask(kind, cls + ".Equals(" + x.Code + ", " + cls + ".Create(" + element + ".MinValue)) & " + cls + ".Equals(" + y.Code + ", " + cls + ".Create(-1" + (kind == VKind.Long ? "L" : string.Empty) + "))");
            string throws = knownNonZero ? overflow : zero + " | (" + overflow + ")";
            failing = Materialize(op == KernelOp.Divide ? "divisionThrows" : "remainderThrows", new VValue(VKind.Bool, throws, null)).Code;
            string why = "a kept row divides by zero or divides MinValue by -1: the per-row code throws DivideByZeroException or OverflowException like the stage method";
            HandBackIf(valid is null ? failing : valid + " & " + failing, why);
        }

        if (kind == VKind.Int)
        {
            Line("// int " + token + " in double lanes: exact for every int operand (see the generator's IntegerDivision)");
            string wide = Materialize("wideQuotient", new VValue(VKind.Long,
                V256 + ".ConvertToInt64(" + V256 + ".Truncate(" + VM + ".ToDouble(" + x.Code + ") / " + VM + ".ToDouble(" + y.Code + ")))", null)).Code;
            string quotient = Materialize("quotient", new VValue(VKind.Int, Narrow(wide), null)).Code;
            return new VValue(VKind.Int, op == KernelOp.Divide ? quotient : x.Code + " - " + quotient + " * " + y.Code, valid);
        }

        // long: the scalar operator per lane, on a divisor that cannot throw.
        string divisor = y.Code;
        if (failing is not null)
        {
            Line("// long " + token + " per lane (no SIMD 64-bit division); lanes that would throw divide by 1 and their results are unused");
            divisor = Materialize("safeDivisor", new VValue(VKind.Long, V256 + ".ConditionalSelect(" + failing + ", " + V256 + ".Create(1L), " + y.Code + ")", null)).Code;
        }
        else
        {
            Line("// long " + token + " per lane (no SIMD 64-bit division); the constant divisor cannot make it throw");
        }
        return new VValue(VKind.Long, PerLane(VKind.Long, k => x.Code + "[" + k + "] " + token + " " + divisor + "[" + k + "]"), valid);
    }

    /// <summary>Whether <paramref name="e"/> is an integer <c>/</c> or <c>%</c> (which may hand the block back).</summary>
    private static bool IsIntegerDivision(KernelExpr e) =>
        e.Kind == KernelExprKind.Binary && e.Op is KernelOp.Divide or KernelOp.Remainder && e.Type.Kind is KernelTypeKind.Int32 or KernelTypeKind.Int64;
}
