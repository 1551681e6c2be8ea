using Dsl.Barriers.Keys;
using Dsl.Execution;

namespace Dsl.Barriers.Joins;

/// <summary>
/// A <see cref="JoinPlan"/> checked against the schemas of its two sides and its output: where each key and output
/// column is, and the key encoders of both sides. Built once per stage and shared (it holds no mutable state).
/// </summary>
internal sealed class JoinLayout
{
    private JoinLayout(JoinPlan plan, BatchSchema left, BatchSchema right, BatchSchema output, int[] sources, JoinSide[] sides)
    {
        Plan = plan;
        Left = left;
        Right = right;
        Output = output;
        OutputSources = sources;
        OutputSides = sides;
        LeftKeys = new KeyEncoder(left, plan.LeftKeys, "join key");
        RightKeys = new KeyEncoder(right, plan.RightKeys, "join key");
    }

    /// <summary>The plan.</summary>
    public JoinPlan Plan { get; }

    /// <summary>Which rows are kept.</summary>
    public JoinKind Kind => Plan.Kind;

    /// <summary>The stage's rows.</summary>
    public BatchSchema Left { get; }

    /// <summary>The table's rows (as <see cref="TableReader"/> reads them).</summary>
    public BatchSchema Right { get; }

    /// <summary>The rows the join produces.</summary>
    public BatchSchema Output { get; }

    /// <summary>Per output column: the index of its source column in <see cref="Left"/> or <see cref="Right"/> (see <see cref="OutputSides"/>).</summary>
    public IReadOnlyList<int> OutputSources { get; }

    /// <summary>Per output column: the side it is copied from.</summary>
    public IReadOnlyList<JoinSide> OutputSides { get; }

    /// <summary>The encoder of the left key columns.</summary>
    public KeyEncoder LeftKeys { get; }

    /// <summary>The encoder of the right key columns.</summary>
    public KeyEncoder RightKeys { get; }

    /// <summary>Whether left rows with no match (null keys included) are part of the output: left and anti joins.</summary>
    public bool KeepsUnmatchedLeft => Kind is JoinKind.Left or JoinKind.Anti;

    /// <summary>
    /// Checks <paramref name="plan"/> against the schemas: key columns exist on their side and have types whose values
    /// can be equal (integers of any width with each other; the same scale for decimals; ...), every output member is
    /// filled once from an existing column of exactly its type, and is nullable where its source is or where a left
    /// join may find no match; semi and anti joins output left columns only.
    /// </summary>
    /// <exception cref="ArgumentException">A check fails; the message names the stage, the table, the column and what was expected.</exception>
    public static JoinLayout For(JoinPlan plan, BatchSchema left, BatchSchema right, BatchSchema output)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        ArgumentNullException.ThrowIfNull(output);
        var problems = new List<string>();
        string stage = $"Join stage '{plan.Stage}' (table '{plan.Table}')";
        KeyProblems(plan, left, right, stage, problems);
        var sources = new int[output.Count];
        var sides = new JoinSide[output.Count];
        OutputProblems(plan, left, right, output, stage, sources, sides, problems);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }
        return new JoinLayout(plan, left, right, output, sources, sides);
    }

    private static void KeyProblems(JoinPlan plan, BatchSchema left, BatchSchema right, string stage, List<string> problems)
    {
        if (plan.LeftKeys.Count == 0)
        {
            problems.Add($"{stage} has no key columns; name them with On = [nameof(Row.Member)].");
            return;
        }
        if (plan.LeftKeys.Count != plan.RightKeys.Count)
        {
            problems.Add($"{stage} has {plan.LeftKeys.Count} left key columns but {plan.RightKeys.Count} right key columns; RightOn must name one table column per On column.");
            return;
        }
        for (int k = 0; k < plan.LeftKeys.Count; k++)
        {
            ColumnField? l = KeyField(plan.LeftKeys[k], left, $"{stage}: left key column", $"of schema '{plan.LeftSchema}'", problems);
            ColumnField? r = KeyField(plan.RightKeys[k], right, $"{stage}: right key column", $"of the table's schema '{plan.RightSchema}'", problems);
            if (l is not null && r is not null && WhyNotJoinable(l, r) is { } why)
            {
                problems.Add($"{stage}: left key column '{l.Name}' ({l.TypeName}) cannot be matched with right key column '{r.Name}' ({r.TypeName}): {why}.");
            }
        }
    }

    private static ColumnField? KeyField(string name, BatchSchema schema, string what, string of, List<string> problems)
    {
        int index = schema.IndexOf(name);
        if (index < 0)
        {
            problems.Add($"{what} '{name}' is not a column {of}; its columns are {schema}.");
            return null;
        }
        if (KeyEncoder.WhyNotKey(schema[index]) is { } why)
        {
            problems.Add($"{what} '{name}' ({schema[index].TypeName}) cannot be a key: {why}.");
            return null;
        }
        return schema[index];
    }

    /// <summary>
    /// Why keys of <paramref name="left"/> and <paramref name="right"/> could never be equal (their canonical bytes
    /// differ for every pair of values), or null when they can be matched.
    /// </summary>
    internal static string? WhyNotJoinable(ColumnField left, ColumnField right)
    {
        KeyFamily a = FamilyOf(left.Type);
        KeyFamily b = FamilyOf(right.Type);
        if (a != b)
        {
            return $"a {Describe(a)} never equals a {Describe(b)}; convert one side in a Map stage so both have the same kind of value";
        }
        if (a == KeyFamily.Decimal && left.Scale != right.Scale)
        {
            return $"decimals match only with the same scale ({left.Scale} and {right.Scale} digits after the point); declare both with the same scale";
        }
        if (a is KeyFamily.Timestamp or KeyFamily.Time && left.IsAdjustedToUtc != right.IsAdjustedToUtc)
        {
            return "one is a UTC instant and the other a local wall-clock value; mark both [Utc] or neither";
        }
        return null;
    }

    private enum KeyFamily
    {
        Integer,
        FloatingPoint,
        Boolean,
        String,
        Binary,
        Timestamp,
        Date,
        Time,
        Decimal,
        Uuid,
    }

    private static KeyFamily FamilyOf(ColumnType type) => type switch
    {
        ColumnType.Int8 or ColumnType.Int16 or ColumnType.Int32 or ColumnType.Int64
            or ColumnType.UInt8 or ColumnType.UInt16 or ColumnType.UInt32 or ColumnType.UInt64 => KeyFamily.Integer,
        ColumnType.Float16 or ColumnType.Float or ColumnType.Double => KeyFamily.FloatingPoint,
        ColumnType.Boolean => KeyFamily.Boolean,
        ColumnType.String => KeyFamily.String,
        ColumnType.Binary => KeyFamily.Binary,
        ColumnType.Timestamp or ColumnType.TimestampNanos => KeyFamily.Timestamp,
        ColumnType.Date => KeyFamily.Date,
        ColumnType.Time => KeyFamily.Time,
        ColumnType.Decimal => KeyFamily.Decimal,
        ColumnType.Uuid => KeyFamily.Uuid,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Not a key type."),
    };

    private static string Describe(KeyFamily family) => family switch
    {
        KeyFamily.Integer => "whole number",
        KeyFamily.FloatingPoint => "floating-point number",
        KeyFamily.Boolean => "bool",
        KeyFamily.String => "string",
        KeyFamily.Binary => "byte array",
        KeyFamily.Timestamp => "timestamp",
        KeyFamily.Date => "date",
        KeyFamily.Time => "time of day",
        KeyFamily.Decimal => "decimal",
        _ => "UUID",
    };

    private static void OutputProblems(JoinPlan plan, BatchSchema left, BatchSchema right, BatchSchema output, string stage, int[] sources, JoinSide[] sides, List<string> problems)
    {
        var filled = new bool[output.Count];
        foreach (JoinOutput o in plan.Outputs)
        {
            int target = output.IndexOf(o.Member);
            if (target < 0)
            {
                problems.Add($"{stage} fills member '{o.Member}', which is not a column of its output schema '{plan.OutputSchema}' {output}.");
                continue;
            }
            if (filled[target])
            {
                problems.Add($"{stage} fills output member '{o.Member}' twice.");
                continue;
            }
            filled[target] = true;
            if (plan.Kind is JoinKind.Semi or JoinKind.Anti && o.Side == JoinSide.Right)
            {
                problems.Add($"{stage} is a {plan.Kind} join, whose output is the left row unchanged, but member '{o.Member}' is taken from table column '{o.Column}'. Return the left row.");
                continue;
            }
            BatchSchema side = o.Side == JoinSide.Left ? left : right;
            string sideName = o.Side == JoinSide.Left ? $"left schema '{plan.LeftSchema}'" : $"the table's schema '{plan.RightSchema}'";
            int index = side.IndexOf(o.Column);
            if (index < 0)
            {
                problems.Add($"{stage}: output member '{o.Member}' is taken from column '{o.Column}', which is not a column of {sideName}; its columns are {side}.");
                continue;
            }
            ColumnField stored = side[index];
            ColumnField to = output[target];
            if (!SameType(stored, to))
            {
                problems.Add($"{stage}: output member '{o.Member}' is declared {to.TypeName} but column '{o.Column}' of {sideName} is {stored.TypeName}; declare the member with the column's type (convert it in a Map stage after the join).");
                continue;
            }
            if (stored.Type is ColumnType.Struct or ColumnType.Map || (o.Side == JoinSide.Right && stored.Type.IsNested()))
            {
                problems.Add($"{stage}: output member '{o.Member}' copies the nested column '{o.Column}' ({stored.TypeName}) from {sideName}, which joins do not support yet; copy its members into flat columns in a Map stage{(o.Side == JoinSide.Left ? "" : " before writing the table")}.");
                continue;
            }
            bool mayMiss = o.Side == JoinSide.Right && plan.Kind == JoinKind.Left;
            if (!to.Nullable && (stored.Nullable || mayMiss))
            {
                string why = stored.Nullable
                    ? $"column '{o.Column}' of {sideName} is nullable"
                    : $"a left join leaves it null on rows without a match in table '{plan.Table}'";
                problems.Add($"{stage}: output member '{o.Member}' is not nullable but {why}; declare it nullable (e.g. {to.TypeName}?).");
                continue;
            }
            sources[target] = index;
            sides[target] = o.Side;
        }
        for (int i = 0; i < filled.Length; i++)
        {
            if (!filled[i])
            {
                problems.Add($"{stage} does not fill output member '{output[i].Name}'; every member of output schema '{plan.OutputSchema}' must come from a column of one side.");
            }
        }
    }

    // The same type and parameters; nullability and names are checked apart.
    private static bool SameType(ColumnField stored, ColumnField to) =>
        stored with { Name = to.Name, Nullable = to.Nullable, Sample = null, TruncatesNanoseconds = to.TruncatesNanoseconds } == to with { Sample = null };
}
