using Dsl.Barriers.Keys;
using Dsl.Execution;

namespace Dsl.Barriers.Aggregation;

/// <summary>
/// An <see cref="AggregatePlan"/> checked against its input and output schemas: the key encoder, and for each output
/// member the columns it reads and the type it produces. Immutable, so the partial aggregators of many tasks and the
/// bucket mergers share one.
/// </summary>
internal sealed class AggregateLayout
{
    private readonly KeyEncoder?[] _distinctEncoders;

    private AggregateLayout(AggregatePlan plan, BatchSchema input, BatchSchema output, KeyEncoder keys, AggregateColumn[] columns)
    {
        Plan = plan;
        Input = input;
        Output = output;
        Keys = keys;
        Columns = columns;
        _distinctEncoders = columns
            .Select(c => c.Output.Function is AggregateFunction.CountDistinct or AggregateFunction.ApproxCountDistinct
                ? new KeyEncoder(input, [c.InputField!.Name], "count distinct column")
                : null)
            .ToArray();
        Fingerprint = SpillFile.Fingerprint(this);
    }

    public AggregatePlan Plan { get; }

    public string Stage => Plan.Stage;

    public BatchSchema Input { get; }

    public BatchSchema Output { get; }

    /// <summary>The encoder of the group key (the plan's <see cref="AggregatePlan.Keys"/>).</summary>
    public KeyEncoder Keys { get; }

    /// <summary>One per output field, in the output schema's order.</summary>
    public IReadOnlyList<AggregateColumn> Columns { get; }

    /// <summary>What spill files of this layout carry in their header, so a file of another layout is refused.</summary>
    public ulong Fingerprint { get; }

    /// <summary>The encoder of output <paramref name="column"/>'s values, for the distinct counts.</summary>
    public KeyEncoder DistinctEncoder(int column) => _distinctEncoders[column] ?? throw new InvalidOperationException($"Output {column} is not a distinct count.");

    /// <summary>Checks <paramref name="plan"/> against the schemas and resolves its columns.</summary>
    /// <exception cref="ArgumentException">
    /// A key or input column is missing or of an unsupported type, an output member is missing, repeated or not in the
    /// output schema, or its declared type is not the one its function produces. The message names the stage, the
    /// member, the column and the type expected.
    /// </exception>
    public static AggregateLayout For(AggregatePlan plan, BatchSchema input, BatchSchema output)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(output);
        string stage = plan.Stage;
        KeyEncoder keys;
        try
        {
            keys = new KeyEncoder(input, plan.Keys, "group key");
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The aggregate stage '{stage}': {ex.Message}", nameof(plan), ex);
        }
        var columns = new AggregateColumn?[output.Count];
        foreach (AggregateOutput member in plan.Outputs)
        {
            int outputIndex = output.IndexOf(member.Member);
            if (outputIndex < 0)
            {
                throw new ArgumentException($"The aggregate stage '{stage}': output member '{member.Member}' is not a column of the output schema {output}.", nameof(plan));
            }
            if (columns[outputIndex] is not null)
            {
                throw new ArgumentException($"The aggregate stage '{stage}': output member '{member.Member}' is computed twice.", nameof(plan));
            }
            columns[outputIndex] = Resolve(stage, plan, member, outputIndex, output[outputIndex], input);
        }
        for (int i = 0; i < columns.Length; i++)
        {
            if (columns[i] is null)
            {
                throw new ArgumentException($"The aggregate stage '{stage}': output member '{output[i].Name}' ({output[i].TypeName}) is not computed by any call on the group.", nameof(plan));
            }
        }
        return new AggregateLayout(plan, input, output, keys, columns!);
    }

    private static AggregateColumn Resolve(string stage, AggregatePlan plan, AggregateOutput member, int outputIndex, ColumnField outputField, BatchSchema input)
    {
        string Where() => $"The aggregate stage '{stage}': output member '{member.Member}' ({member.Function}";
        AggregateFunction function = member.Function;
        if (!Enum.IsDefined(function))
        {
            throw new ArgumentException($"{Where()}) has an unknown function.", nameof(plan));
        }
        int inputIndex = -1;
        ColumnField? inputField = null;
        if (function != AggregateFunction.Count)
        {
            if (member.Column is null)
            {
                throw new ArgumentException($"{Where()}) names no input column.", nameof(plan));
            }
            inputIndex = input.IndexOf(member.Column);
            if (inputIndex < 0)
            {
                throw new ArgumentException($"{Where()} of '{member.Column}'): '{member.Column}' is not a column of the input schema {input}.", nameof(plan));
            }
            inputField = input[inputIndex];
        }
        string Of() => $"{Where()} of '{member.Column}' ({inputField!.TypeName})";
        int orderIndex = -1;
        ColumnField? orderField = null;
        int keyIndex = -1;
        ColumnField expected;
        switch (function)
        {
            case AggregateFunction.Key:
                keyIndex = IndexOfKey(plan.Keys, member.Column!);
                if (keyIndex < 0)
                {
                    throw new ArgumentException($"{Of()}): '{member.Column}' is not a grouping column; the keys are {string.Join(", ", plan.Keys)}.", nameof(plan));
                }
                expected = inputField!;
                break;
            case AggregateFunction.Count:
                expected = new ColumnField(member.Member, ColumnType.Int64, false);
                break;
            case AggregateFunction.CountValues or AggregateFunction.Min or AggregateFunction.Max:
                if (ValueKinds.Of(inputField!.Type) is null)
                {
                    throw new ArgumentException($"{Of()}): {member.Function} needs a boolean, number, string, binary, date, time or timestamp column.", nameof(plan));
                }
                expected = function == AggregateFunction.CountValues ? new ColumnField(member.Member, ColumnType.Int64, false) : inputField;
                break;
            case AggregateFunction.Sum:
                RequireNumber(Of(), inputField!, plan);
                expected = new ColumnField(member.Member, ValueKinds.IsInteger(inputField!.Type) ? ColumnType.Int64 : ColumnType.Double, false);
                break;
            case AggregateFunction.Mean or AggregateFunction.Variance or AggregateFunction.StdDev
                or AggregateFunction.SampleVariance or AggregateFunction.SampleStdDev:
                RequireNumber(Of(), inputField!, plan);
                expected = new ColumnField(member.Member, ColumnType.Double, false);
                break;
            case AggregateFunction.CountDistinct or AggregateFunction.ApproxCountDistinct:
                if (KeyEncoder.WhyNotKey(inputField!) is { } why)
                {
                    throw new ArgumentException($"{Of()}): its values cannot be told apart: {why}.", nameof(plan));
                }
                expected = new ColumnField(member.Member, ColumnType.Int64, false);
                break;
            default:
                if (ValueKinds.Of(inputField!.Type) is null)
                {
                    throw new ArgumentException($"{Of()}): {member.Function} needs a boolean, number, string, binary, date, time or timestamp value column.", nameof(plan));
                }
                if (member.OrderColumn is null)
                {
                    throw new ArgumentException($"{Of()}) names no order column.", nameof(plan));
                }
                orderIndex = input.IndexOf(member.OrderColumn);
                if (orderIndex < 0)
                {
                    throw new ArgumentException($"{Of()} by '{member.OrderColumn}'): '{member.OrderColumn}' is not a column of the input schema {input}.", nameof(plan));
                }
                orderField = input[orderIndex];
                if (ValueKinds.Of(orderField.Type) is null)
                {
                    throw new ArgumentException($"{Of()} by '{member.OrderColumn}' ({orderField.TypeName})): the order column must be a boolean, number, string, binary, date, time or timestamp.", nameof(plan));
                }
                expected = inputField;
                break;
        }
        bool sameType = outputField.Type == expected.Type
            && (expected.Type != ColumnType.Decimal || outputField.Scale == expected.Scale);
        if (!sameType)
        {
            string source = inputField is null ? "" : $" of '{member.Column}' ({inputField.TypeName})";
            throw new ArgumentException($"The aggregate stage '{stage}': output member '{member.Member}' ({member.Function}{source}) is {expected.TypeName} but the output schema declares {outputField.TypeName}.", nameof(plan));
        }
        return new AggregateColumn(member, outputIndex, outputField, inputIndex, inputField, orderIndex, orderField, keyIndex);
    }

    private static void RequireNumber(string where, ColumnField field, AggregatePlan plan)
    {
        if (!ValueKinds.IsNumeric(field.Type))
        {
            throw new ArgumentException($"{where}): it needs a number column (an integer, unsigned, float, double or decimal type).", nameof(plan));
        }
    }

    private static int IndexOfKey(IReadOnlyList<string> keys, string column)
    {
        for (int i = 0; i < keys.Count; i++)
        {
            if (keys[i] == column)
            {
                return i;
            }
        }
        return -1;
    }
}
