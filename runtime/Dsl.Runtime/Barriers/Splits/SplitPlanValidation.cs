using Dsl.Execution;

namespace Dsl.Barriers.Splits;

/// <summary>
/// The checks of a <see cref="SplitPlan"/> against the schema of the sink it splits, each problem a full sentence
/// naming the sink and the column, name or fraction at fault: key and stratify columns exist and have supported types,
/// names are distinct folder names, fractions are positive and sum to 1 within <see cref="FractionSumTolerance"/>.
/// </summary>
internal static class SplitPlanValidation
{
    /// <summary>How far the fractions' sum may be from 1.</summary>
    public const double FractionSumTolerance = 1e-9;

    /// <summary>The longest subset name, in characters.</summary>
    public const int MaxNameLength = 100;

    /// <summary>The most subsets a split may have.</summary>
    public const int MaxSubsets = 64;

    /// <summary>The column name the <c>split=NAME/</c> folders stand for when readers turn folders into columns.</summary>
    public const string FolderColumn = "split";

    /// <summary>Every problem with <paramref name="plan"/> for a sink whose rows have <paramref name="schema"/>; empty when there is none.</summary>
    public static IReadOnlyList<string> Problems(SplitPlan plan, BatchSchema schema)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(schema);
        var problems = new List<string>();
        string sink = plan.Sink;
        KeyProblems(plan, schema, problems);
        NameProblems(plan, problems);
        FractionProblems(plan, problems);
        if (plan.StratifyBy is { } stratify)
        {
            int index = schema.IndexOf(stratify);
            if (index < 0)
            {
                problems.Add($"The split of sink '{sink}' is stratified by '{stratify}', which is not a column of its output. Its columns are {ColumnList(schema)}.");
            }
            else if (!StratumValue.IsSupported(schema[index].Type))
            {
                problems.Add($"The split of sink '{sink}' cannot be stratified by column '{stratify}' ({schema[index].TypeName}): strata are the values of a bool, int, long or string column. Stratify by such a column, e.g. a label or a bucket a Map stage computes.");
            }
        }
        if (schema.IndexOf(FolderColumn) >= 0)
        {
            problems.Add($"Sink '{sink}' has a column '{FolderColumn}', which clashes with the '{FolderColumn}=NAME/' folders its split writes (readers of partitioned folders turn them into a column of that name). Rename the member.");
        }
        return problems;
    }

    /// <summary>Throws when <see cref="Problems"/> finds any.</summary>
    /// <exception cref="ArgumentException">The plan does not fit the schema; the message lists every problem.</exception>
    public static void Check(SplitPlan plan, BatchSchema schema)
    {
        IReadOnlyList<string> problems = Problems(plan, schema);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }
    }

    private static void KeyProblems(SplitPlan plan, BatchSchema schema, List<string> problems)
    {
        if (plan.Key.Count == 0)
        {
            problems.Add($"The split of sink '{plan.Sink}' has no key columns. Name the columns whose hash decides a row's subset (an id, such as the user's, keeps that id's rows together), e.g. Key = [nameof(Row.UserId)].");
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string column in plan.Key)
        {
            int index = schema.IndexOf(column);
            if (index < 0)
            {
                problems.Add($"The split of sink '{plan.Sink}' has key column '{column}', which is not a column of its output. Its columns are {ColumnList(schema)}.");
            }
            else if (!seen.Add(column))
            {
                problems.Add($"The split of sink '{plan.Sink}' lists key column '{column}' twice. Name each column once.");
            }
            else if (SplitKeyHasher.WhyNotHashable(schema[index]) is { } why)
            {
                problems.Add($"The split of sink '{plan.Sink}' cannot hash key column '{column}' ({schema[index].TypeName}): {why}.");
            }
        }
    }

    private static void NameProblems(SplitPlan plan, List<string> problems)
    {
        if (plan.Names.Count < 2)
        {
            problems.Add($"The split of sink '{plan.Sink}' has {plan.Names.Count} subset name(s); a split needs at least two (e.g. train and test).");
        }
        if (plan.Names.Count > MaxSubsets)
        {
            problems.Add($"The split of sink '{plan.Sink}' has {plan.Names.Count} subsets; at most {MaxSubsets} are allowed.");
        }
        // Case-insensitive: macOS and Windows file systems would put 'Train' and 'train' in one folder.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < plan.Names.Count; i++)
        {
            string name = plan.Names[i] ?? "";
            if (WhyNotFolderName(name) is { } why)
            {
                problems.Add($"The split of sink '{plan.Sink}' has subset name '{name}' (number {i + 1}), which {why}. Use 1 to {MaxNameLength} letters, digits, '-', '_' or '.', starting with a letter or digit.");
            }
            else if (!seen.Add(name))
            {
                problems.Add($"The split of sink '{plan.Sink}' has subset name '{name}' twice (names are compared ignoring case, as some file systems compare folder names). Give every subset its own name.");
            }
        }
    }

    private static void FractionProblems(SplitPlan plan, List<string> problems)
    {
        if (plan.Fractions.Count != plan.Names.Count)
        {
            problems.Add($"The split of sink '{plan.Sink}' has {plan.Names.Count} subset names but {plan.Fractions.Count} fractions. Give one fraction per name, in the same order.");
        }
        double sum = 0;
        bool allValid = true;
        for (int i = 0; i < plan.Fractions.Count; i++)
        {
            double fraction = plan.Fractions[i];
            string name = i < plan.Names.Count ? $"'{plan.Names[i]}'" : $"number {i + 1}";
            if (!double.IsFinite(fraction) || fraction <= 0 || fraction > 1)
            {
                problems.Add($"The split of sink '{plan.Sink}' gives subset {name} the fraction {fraction.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}; each fraction must be above 0 and at most 1.");
                allValid = false;
            }
            sum += fraction;
        }
        if (allValid && plan.Fractions.Count > 0 && Math.Abs(sum - 1) > FractionSumTolerance)
        {
            problems.Add($"The split of sink '{plan.Sink}' has fractions summing to {sum.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}; they must sum to 1 (within {FractionSumTolerance:G1}).");
        }
    }

    private static string? WhyNotFolderName(string name)
    {
        if (name.Length == 0)
        {
            return "is empty";
        }
        if (name.Length > MaxNameLength)
        {
            return $"is {name.Length} characters long";
        }
        if (!char.IsAsciiLetterOrDigit(name[0]))
        {
            return "does not start with a letter or digit";
        }
        foreach (char c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.'))
            {
                return $"holds '{c}'";
            }
        }
        // DuckDB reads a folder value NULL (any case) as a null.
        return name.Equals("null", StringComparison.OrdinalIgnoreCase) ? "reads back as null from a 'split=null' folder" : null;
    }

    private static string ColumnList(BatchSchema schema) => string.Join(", ", schema.Fields.Select(f => $"{f.Name} ({f.TypeName})"));
}
