using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace Dsl.Generators.Scoring;

/// <summary>The kinds of <see cref="ModelJson"/> values.</summary>
internal enum JsonKind
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>
/// A JSON value read by <see cref="ModelJson.Parse"/>. Numbers keep their text as written, so a model's float32
/// thresholds reach the generated code as the literals the library wrote (the C# compiler rounds them correctly,
/// whichever runtime the build runs on).
/// </summary>
internal sealed class JsonValue
{
    public JsonValue(JsonKind kind, string text, List<JsonValue>? items = null, Dictionary<string, JsonValue>? members = null)
    {
        Kind = kind;
        Text = text;
        Items = items ?? Empty;
        Members = members ?? NoMembers;
    }

    private static readonly List<JsonValue> Empty = new();
    private static readonly Dictionary<string, JsonValue> NoMembers = new();

    public JsonKind Kind { get; }

    /// <summary>A string's value or a number's text.</summary>
    public string Text { get; }

    public List<JsonValue> Items { get; }

    public Dictionary<string, JsonValue> Members { get; }

    /// <summary>The member <paramref name="name"/> of an object, or null.</summary>
    public JsonValue? this[string name] => Members.TryGetValue(name, out JsonValue? value) ? value : null;

    /// <summary>A number's value as an <c>int</c>, or <paramref name="fallback"/> when it is not an integer.</summary>
    public int AsInt(int fallback = -1) =>
        Kind is JsonKind.Number or JsonKind.String && int.TryParse(Text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : fallback;
}

/// <summary>
/// A small JSON reader for model files (the generator targets netstandard2.0 and carries no JSON library). It reads
/// what RFC 8259 allows, and the <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> that XGBoost writes, and refuses
/// anything else with the position, which the build error then names.
/// </summary>
internal sealed class ModelJson
{
    private readonly string _text;
    private int _at;

    private ModelJson(string text)
    {
        _text = text;
    }

    /// <summary>
    /// Whether <paramref name="text"/> is one JSON number (digits, not NaN or an infinity), with nothing around it (a
    /// document may have spaces around its value; a literal may not): a valid C# literal with a suffix.
    /// </summary>
    public static bool IsFiniteNumber(string text) =>
        Parse(text, out _) is { Kind: JsonKind.Number } number && number.Text == text && number.Text is not ("NaN" or "Infinity" or "-Infinity");

    /// <summary>The document, or null with <paramref name="error"/> saying what is wrong where.</summary>
    public static JsonValue? Parse(string text, out string? error)
    {
        var reader = new ModelJson(text);
        try
        {
            JsonValue value = reader.Value(0);
            reader.SkipSpace();
            if (reader._at != text.Length)
            {
                throw reader.Error("text after the end of the document");
            }
            error = null;
            return value;
        }
        catch (JsonError e)
        {
            error = e.Message;
            return null;
        }
    }

    private sealed class JsonError : System.Exception
    {
        public JsonError(string message)
            : base(message)
        {
        }
    }

    private JsonError Error(string what)
    {
        int line = 1;
        int column = 1;
        for (int i = 0; i < _at && i < _text.Length; i++)
        {
            if (_text[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return new JsonError("invalid JSON at line " + line + ", column " + column + ": " + what);
    }

    private void SkipSpace()
    {
        while (_at < _text.Length && _text[_at] is ' ' or '\t' or '\r' or '\n')
        {
            _at++;
        }
    }

    private JsonValue Value(int depth)
    {
        // Models nest a few levels deep; a bound keeps a hostile file from exhausting the compiler's stack.
        if (depth > 64)
        {
            throw Error("nesting deeper than 64 levels");
        }
        SkipSpace();
        if (_at >= _text.Length)
        {
            throw Error("the document ends where a value was expected");
        }
        char c = _text[_at];
        switch (c)
        {
            case '{':
                return Object(depth);
            case '[':
                return Array(depth);
            case '"':
                return new JsonValue(JsonKind.String, String());
            case 't':
                return Word("true", JsonKind.True);
            case 'f':
                return Word("false", JsonKind.False);
            case 'n':
                return Word("null", JsonKind.Null);
            // XGBoost writes these outside JSON's grammar (categorical nodes, infinite values); they are numbers here.
            case 'N':
                return Word("NaN", JsonKind.Number);
            case 'I':
                return Word("Infinity", JsonKind.Number);
            default:
                if (c == '-' && string.CompareOrdinal(_text, _at, "-Infinity", 0, 9) == 0)
                {
                    return Word("-Infinity", JsonKind.Number);
                }
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return Number();
                }
                throw Error("unexpected character '" + c + "'");
        }
    }

    private JsonValue Object(int depth)
    {
        _at++;
        var members = new Dictionary<string, JsonValue>(System.StringComparer.Ordinal);
        SkipSpace();
        if (_at < _text.Length && _text[_at] == '}')
        {
            _at++;
            return new JsonValue(JsonKind.Object, string.Empty, members: members);
        }
        while (true)
        {
            SkipSpace();
            if (_at >= _text.Length || _text[_at] != '"')
            {
                throw Error("a member name was expected");
            }
            string name = String();
            SkipSpace();
            Expect(':');
            members[name] = Value(depth + 1);
            SkipSpace();
            if (_at < _text.Length && _text[_at] == ',')
            {
                _at++;
                continue;
            }
            Expect('}');
            return new JsonValue(JsonKind.Object, string.Empty, members: members);
        }
    }

    private JsonValue Array(int depth)
    {
        _at++;
        var items = new List<JsonValue>();
        SkipSpace();
        if (_at < _text.Length && _text[_at] == ']')
        {
            _at++;
            return new JsonValue(JsonKind.Array, string.Empty, items);
        }
        while (true)
        {
            items.Add(Value(depth + 1));
            SkipSpace();
            if (_at < _text.Length && _text[_at] == ',')
            {
                _at++;
                continue;
            }
            Expect(']');
            return new JsonValue(JsonKind.Array, string.Empty, items);
        }
    }

    private void Expect(char c)
    {
        if (_at >= _text.Length || _text[_at] != c)
        {
            throw Error("'" + c + "' was expected");
        }
        _at++;
    }

    private JsonValue Word(string word, JsonKind kind)
    {
        if (string.CompareOrdinal(_text, _at, word, 0, word.Length) != 0)
        {
            throw Error("'" + word + "' was expected");
        }
        _at += word.Length;
        return new JsonValue(kind, word);
    }

    private JsonValue Number()
    {
        int start = _at;
        if (_text[_at] == '-')
        {
            _at++;
        }
        int digits = Digits();
        if (digits == 0 || (digits > 1 && _text[_at - digits] == '0'))
        {
            throw Error("a number was expected");
        }
        if (_at < _text.Length && _text[_at] == '.')
        {
            _at++;
            if (Digits() == 0)
            {
                throw Error("digits were expected after '.'");
            }
        }
        if (_at < _text.Length && _text[_at] is 'e' or 'E')
        {
            _at++;
            if (_at < _text.Length && _text[_at] is '+' or '-')
            {
                _at++;
            }
            if (Digits() == 0)
            {
                throw Error("digits were expected in the exponent");
            }
        }
        return new JsonValue(JsonKind.Number, _text.Substring(start, _at - start));
    }

    private int Digits()
    {
        int start = _at;
        while (_at < _text.Length && _text[_at] >= '0' && _text[_at] <= '9')
        {
            _at++;
        }
        return _at - start;
    }

    private string String()
    {
        _at++;
        var text = new StringBuilder();
        while (true)
        {
            if (_at >= _text.Length)
            {
                throw Error("the document ends inside a string");
            }
            char c = _text[_at++];
            if (c == '"')
            {
                return text.ToString();
            }
            if (c < ' ')
            {
                throw Error("a control character inside a string");
            }
            if (c != '\\')
            {
                text.Append(c);
                continue;
            }
            if (_at >= _text.Length)
            {
                throw Error("the document ends inside a string");
            }
            char e = _text[_at++];
            switch (e)
            {
                case '"': text.Append('"'); break;
                case '\\': text.Append('\\'); break;
                case '/': text.Append('/'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'u' when _at + 4 <= _text.Length
                    && int.TryParse(_text.Substring(_at, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int code):
                    text.Append((char)code);
                    _at += 4;
                    break;
                default:
                    throw Error("an unknown escape '\\" + e + "'");
            }
        }
    }
}
