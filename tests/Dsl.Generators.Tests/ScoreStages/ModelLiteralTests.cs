using System.Reflection;
using System.Runtime.Loader;
using Dsl.Generators.Tests.Infrastructure;
using Dsl.Models;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Tests.ScoreStages;

/// <summary>
/// <see cref="ModelLiteral"/> gives every form of C# text the model readers write the value the C# compiler and the
/// running code give it in a compiled model (each text compiled here as a static field initializer, as the model class
/// writes its base margins, and read back), bit for bit; and refuses any other text.
/// </summary>
public sealed class ModelLiteralTests
{
    // Every form the readers write (XGBoostModelReader.Literal and BaseMargin, LightGbmModelReader.Number and the
    // sigmoid scale, the base margin 0d) and the layout's padding (0f, 0d), over numbers that probe the rounding.
    private static readonly string[] Numbers =
    [
        "0", "-0", "1", "100", "5E-1", "-1.5", "0.1", "1e-3", "-2.5E+2", "3.4028234663852886e38", "3.4028235e38", "1.17549435E-38",
        "1.4E-45", "7E-46", "1e-50", "16777217", "16777219", "0.30000001192092896", "-1.0000000180025095e-35", "1.0000000180025095e-35",
        "1e-36", "1.7976931348623157e308", "4.9e-324", "2.2250738585072014E-308", "9007199254740993", "0.7", "123456789.123456789",
    ];

    private static readonly string[] BaseScores = ["5E-1", "0.5", "1E-1", "0.99999994", "1", "0", "2", "1e-40", "3.4028235e38", "0.25", "7.3e-1"];

    private static List<string> FloatForms()
    {
        var data = new List<string> { "float.NaN", "float.PositiveInfinity", "float.NegativeInfinity" };
        foreach (string n in Numbers.Where(n => float.IsFinite(float.Parse(n, System.Globalization.CultureInfo.InvariantCulture))))
        {
            data.Add(n + "f");
        }
        foreach (string b in BaseScores)
        {
            data.Add("-global::System.MathF.Log(1f / " + b + "f - 1f)");
            data.Add("global::System.MathF.Log(" + b + "f)");
        }
        return data;
    }

    private static List<string> DoubleForms()
    {
        var data = new List<string> { "double.PositiveInfinity", "double.NegativeInfinity" };
        foreach (string n in Numbers)
        {
            data.Add(n + "d");
        }
        return data;
    }

    [Fact]
    public void EveryFloatForm_IsWhatTheCompiledCodeComputes()
    {
        string[] forms = [.. FloatForms()];
        float[] compiled = Compiled<float>("float", forms);
        for (int i = 0; i < forms.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(compiled[i]) == BitConverter.SingleToInt32Bits(ModelLiteral.Float(forms[i])),
                $"{forms[i]}: the compiled code gives {compiled[i]:R}, the evaluator {ModelLiteral.Float(forms[i]):R}");
        }
    }

    [Fact]
    public void EveryDoubleForm_IsWhatTheCompiledCodeComputes()
    {
        string[] forms = [.. DoubleForms()];
        double[] compiled = Compiled<double>("double", forms);
        for (int i = 0; i < forms.Length; i++)
        {
            Assert.True(BitConverter.DoubleToInt64Bits(compiled[i]) == BitConverter.DoubleToInt64Bits(ModelLiteral.Double(forms[i])),
                $"{forms[i]}: the compiled code gives {compiled[i]:R}, the evaluator {ModelLiteral.Double(forms[i]):R}");
        }
    }

    [Fact]
    public void TheNumbersProbe_Rounding_Signs_Subnormals_AndUnderflow()
    {
        // The evaluator is no plain cast of a double: 16777217 rounds to even, 1e-50 underflows to 0, -0 keeps its sign.
        Assert.Equal(16777216f, ModelLiteral.Float("16777217f"));
        Assert.Equal(0, BitConverter.SingleToInt32Bits(ModelLiteral.Float("1e-50f")));
        Assert.Equal(int.MinValue, BitConverter.SingleToInt32Bits(ModelLiteral.Float("-0f")));
        Assert.Equal(1, BitConverter.SingleToInt32Bits(ModelLiteral.Float("1.4E-45f")));
        Assert.Equal(0f, ModelLiteral.Float("-global::System.MathF.Log(1f / 5E-1f - 1f)"));
        Assert.Equal(float.PositiveInfinity, ModelLiteral.Float("-global::System.MathF.Log(1f / 1f - 1f)"));
        Assert.True(float.IsNaN(ModelLiteral.Float("-global::System.MathF.Log(1f / 2f - 1f)")));
    }

    public static TheoryData<string> NotFloatForms => new()
    {
        string.Empty, "1", "1.5", "1d", "1F", "1.5m", "0x10f", "01f", ".5f", "5.f", "+1f", "1_000f", "1e39f", "3.5e38f", "-3.5e38f",
        "NaNf", "Infinityf", "-Infinityf", "float.NaN ", " 1f", "-float.NaN", "float.Epsilon", "double.NaN", "(1f)", "-1f - 1f",
        "-global::System.MathF.Log(1f / 5E-1 - 1f)", "-global::System.MathF.Log(1f / 5E-1d - 1f)", "-System.MathF.Log(1f / 5E-1f - 1f)",
        "global::System.MathF.Log(1f / 5E-1f - 1f)", "global::System.MathF.Log()", "global::System.Math.Log(2f)", "global::System.MathF.Exp(2f)",
        "-global::System.MathF.Log(1f / 1e39f - 1f)", "global::System.MathF.Log(float.NaN)",
    };

    [Theory]
    [MemberData(nameof(NotFloatForms))]
    public void OtherText_IsRefusedAsAFloat(string text)
    {
        var e = Assert.Throws<FormatException>(() => ModelLiteral.Float(text));
        Assert.StartsWith("The model value '" + text + "' ", e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string> NotDoubleForms => new()
    {
        string.Empty, "1", "1f", "1D", "1e400d", "-1e400d", "double.NaN", "float.PositiveInfinity", "NaNd", "Infinityd", "inf", "0x1d",
        "1.d", "01d", "+1d", "global::System.MathF.Log(2f)", "global::System.Math.Log(2d)", "-double.PositiveInfinity", "1d ",
    };

    [Theory]
    [MemberData(nameof(NotDoubleForms))]
    public void OtherText_IsRefusedAsADouble(string text)
    {
        var e = Assert.Throws<FormatException>(() => ModelLiteral.Double(text));
        Assert.StartsWith("The model value '" + text + "' ", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NumbersBeyondTheTypesRange_AreRefused_AsTheCompilerRefusesThem()
    {
        foreach ((string type, string text) in new[] { ("float", "1e39f"), ("float", "-3.5e38f"), ("double", "1e400d") })
        {
            CSharpCompilationFor(type, [text]).GetDiagnostics().Single(d => d.Id == "CS0594");
        }
        Assert.Throws<FormatException>(() => ModelLiteral.Float("1e39f"));
        Assert.Throws<FormatException>(() => ModelLiteral.Double("1e400d"));
    }

    /// <summary>The values of <paramref name="forms"/> as a compiled model has them: static readonly fields initialized with the text.</summary>
    private static T[] Compiled<T>(string type, string[] forms)
    {
        Compilation compilation = CSharpCompilationFor(type, forms);
        using var stream = new MemoryStream();
        Microsoft.CodeAnalysis.Emit.EmitResult emitted = compilation.Emit(stream);
        Assert.True(emitted.Success, string.Join(Environment.NewLine, emitted.Diagnostics));
        stream.Position = 0;
        var context = new AssemblyLoadContext("literals-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        try
        {
            Type values = context.LoadFromStream(stream).GetType("Literals", throwOnError: true)!;
            return Enumerable.Range(0, forms.Length).Select(i => (T)values.GetField("V" + i, BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!).ToArray();
        }
        finally
        {
            context.Unload();
        }
    }

    private static Compilation CSharpCompilationFor(string type, string[] forms) =>
        GeneratorHarness.CreateCompilation("public static class Literals\n{\n"
            + string.Concat(forms.Select((text, i) => "    public static readonly " + type + " V" + i + " = " + text + ";\n")) + "}\n", assemblyName: "Literals");
}
