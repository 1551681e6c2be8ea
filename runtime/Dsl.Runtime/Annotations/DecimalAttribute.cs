namespace Dsl;

/// <summary>
/// The precision and scale of a <see cref="decimal"/> schema member's column (Parquet <c>DECIMAL(precision, scale)</c>).
/// Apply it as <c>[property: Decimal(18, 4)]</c> on a positional parameter of a <see cref="SchemaAttribute"/> record.
/// </summary>
/// <remarks>
/// Without it a <see cref="decimal"/> member is <c>DECIMAL(38, 18)</c>, as Spark's default decimal. An input column
/// reads into the member when no value can change: its scale at most the member's and its integer digits
/// (precision minus scale) at most the member's; otherwise the job stops naming the column and both types. Written
/// values are rounded to the scale, half away from zero (as DuckDB's cast to DECIMAL); a value with more integer
/// digits than the type holds stops the job. The generator reports DSL1008 for a precision outside 1 to 38, a scale
/// outside 0 to 28 or above the precision, or the attribute on a member that is not a <see cref="decimal"/>.
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, Inherited = false)]
public sealed class DecimalAttribute : Attribute
{
    /// <summary>Declares the column's type.</summary>
    /// <param name="precision">Total significant digits, 1 to 38.</param>
    /// <param name="scale">Digits after the decimal point, 0 to 28 and at most <paramref name="precision"/>.</param>
    public DecimalAttribute(int precision, int scale)
    {
        Precision = precision;
        Scale = scale;
    }

    /// <summary>Total significant digits.</summary>
    public int Precision { get; }

    /// <summary>Digits after the decimal point.</summary>
    public int Scale { get; }
}
