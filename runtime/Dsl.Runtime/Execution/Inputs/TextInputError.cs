using System.Text;

namespace Dsl.Execution.Inputs;

/// <summary>
/// The one-line messages of text input errors. Each names the file and the 1-based line where the record starts, and
/// where it applies the column, the offending text (shortened, control characters escaped) and what was expected.
/// </summary>
internal static class TextInputError
{
    private const int MaxShown = 80;

    public static PipelineExecutionException At(string file, long line, string problem) =>
        new($"Input file '{file}', line {line}: {problem}");

    public static PipelineExecutionException Value(string file, long line, TextColumnBuilder column, ReadOnlySpan<char> text) =>
        At(file, line, $"column '{column.Field.Name}' ({column.Field.TypeName}): cannot read {Show(text)}; expected {column.Expected}.");

    public static PipelineExecutionException Empty(string file, long line, ColumnField field, string what) =>
        At(file, line, $"column '{field.Name}' ({field.TypeName}) is {what}, but the schema declares it non-nullable. Fill in a value, or declare the member nullable.");

    /// <summary>The text in single quotes, at most <see cref="MaxShown"/> characters of it, with control characters written as escapes so the message stays one line.</summary>
    public static string Show(ReadOnlySpan<char> text)
    {
        var shown = new StringBuilder("'");
        foreach (char c in text.Length > MaxShown ? text[..MaxShown] : text)
        {
            shown.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }
        shown.Append('\'');
        if (text.Length > MaxShown)
        {
            shown.Append($" (first {MaxShown} of {text.Length} characters)");
        }
        return shown.ToString();
    }
}
