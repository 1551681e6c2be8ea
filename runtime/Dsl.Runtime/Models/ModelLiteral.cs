using System.Globalization;
using Dsl.Generators.Scoring;

namespace Dsl.Models;

/// <summary>
/// The values of the C# text the model readers keep a model's numbers as (<c>ModelSpec</c>): what the C# compiler makes
/// of the same text in a compiled model, computed here at run time. A closed set of forms, exactly those the readers and
/// the complete-tree layout write; any other text is refused, so a new form in a reader fails a test rather than
/// scoring wrong.
/// </summary>
/// <remarks>
/// The forms: a JSON number with <c>f</c> or <c>d</c> (<c>5E-1f</c>, <c>-1.0000000180025095e-35d</c>), rounded to
/// the nearest float32 or float64 as the compiler rounds a literal (refused where it overflows, which would not compile);
/// <c>float.NaN</c>, <c>float.PositiveInfinity</c>, <c>float.NegativeInfinity</c>, <c>double.PositiveInfinity</c>,
/// <c>double.NegativeInfinity</c>; and XGBoost's base margins <c>-global::System.MathF.Log(1f / B - 1f)</c> and
/// <c>global::System.MathF.Log(B)</c> for a float literal <c>B</c>, evaluated in float32 as the compiled field
/// initializer evaluates them (the compiler folds <c>1f / B - 1f</c> in float32, then <c>MathF.Log</c> runs).
/// </remarks>
internal static class ModelLiteral
{
    private const string LogitStart = "-global::System.MathF.Log(1f / ";
    private const string LogitEnd = " - 1f)";
    private const string LogStart = "global::System.MathF.Log(";
    private const string LogEnd = ")";

    /// <summary>The float32 value of <paramref name="text"/>, a float form the readers write.</summary>
    /// <exception cref="FormatException">The text is no float form the readers write.</exception>
    public static float Float(string text)
    {
        switch (text)
        {
            case "float.NaN":
                return float.NaN;
            case "float.PositiveInfinity":
                return float.PositiveInfinity;
            case "float.NegativeInfinity":
                return float.NegativeInfinity;
        }
        if (Inside(text, LogitStart, LogitEnd) is { } logit)
        {
            float b = FloatNumber(logit, text);
            // Each operation rounded to float32, as the compiler folds the constant subexpression.
            float odds = 1f / b;
            odds -= 1f;
            return -MathF.Log(odds);
        }
        if (Inside(text, LogStart, LogEnd) is { } log)
        {
            return MathF.Log(FloatNumber(log, text));
        }
        return FloatNumber(text, text);
    }

    /// <summary>The float64 value of <paramref name="text"/>, a double form the readers write.</summary>
    /// <exception cref="FormatException">The text is no double form the readers write.</exception>
    public static double Double(string text)
    {
        switch (text)
        {
            case "double.PositiveInfinity":
                return double.PositiveInfinity;
            case "double.NegativeInfinity":
                return double.NegativeInfinity;
        }
        string digits = Number(text, 'd', text);
        double value = double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture);
        return double.IsInfinity(value) ? throw Refused(text, "is beyond float64's range") : value;
    }

    private static float FloatNumber(string literal, string text)
    {
        string digits = Number(literal, 'f', text);
        float value = float.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture);
        return float.IsInfinity(value) ? throw Refused(text, "is beyond float32's range") : value;
    }

    // The digits of `literal`, a JSON number and the suffix: the compiler's literal is the number's digits (a leading
    // '-' is its unary minus, which is exact).
    private static string Number(string literal, char suffix, string text)
    {
        if (literal.Length < 2 || literal[^1] != suffix || !ModelJson.IsFiniteNumber(literal[..^1]))
        {
            throw Refused(text, "is no form the model readers write");
        }
        return literal[..^1];
    }

    private static string? Inside(string text, string start, string end) =>
        text.Length > start.Length + end.Length && text.StartsWith(start, StringComparison.Ordinal) && text.EndsWith(end, StringComparison.Ordinal)
            ? text[start.Length..^end.Length]
            : null;

    private static FormatException Refused(string text, string why) => new("The model value '" + text + "' " + why + ".");
}
