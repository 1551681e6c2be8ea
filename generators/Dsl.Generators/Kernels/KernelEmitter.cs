using System.Collections.Generic;
using System.Text;
using Dsl.Generators.Common;
using Dsl.Generators.Model;
using Dsl.Generators.Scoring;

namespace Dsl.Generators.Kernels;

/// <summary>
/// Writes the scalar C# kernel of a segment from the kernel model alone: one pass over the input batch's
/// column spans, each stage's expression evaluated per row on locals, outputs written straight into column
/// builders. A SIMD or GPU emitter would read the same <see cref="StageKernelSpec"/>s.
/// </summary>
internal sealed class KernelEmitter
{
    private readonly PipelineSpec _pipeline;
    private readonly SegmentSpec _segment;
    private readonly SourceWriter _w;
    private readonly SchemaSpec _input;

    // Per-row values visible to the next stage: member -> C# expression (a local, or a member of a fallback's result).
    private Dictionary<string, string> _values = new(System.StringComparer.Ordinal);
    private readonly HashSet<string> _loaded = new(System.StringComparer.Ordinal);
    private bool _valuesAreInput = true;

    // A score stage's outputs for the current row: parameter name -> local.
    private readonly Dictionary<string, string> _scoreLocals = new(System.StringComparer.Ordinal);
    private bool _describe;
    private VectorDecline? _decline;

    // The rules this segment's kernel checks, in the order it checks them (RulePlacement).
    private readonly List<RulePlacementSpec> _rules;

    // Whether the per-row code tracks which stage runs (to name the one that threw): with more than one stage.
    private bool _tracksStage;

    private KernelEmitter(PipelineSpec pipeline, SegmentSpec segment, SourceWriter writer)
    {
        _pipeline = pipeline;
        _segment = segment;
        _w = writer;
        _input = pipeline.Schema(segment.InputSchema);
        _rules = pipeline.KernelRules(segment.Index);
    }

    /// <summary>Writes the kernel of <paramref name="segment"/>; returns why it has no vector block, or null when it has one.</summary>
    public static VectorDecline? Emit(PipelineSpec pipeline, SegmentSpec segment, SourceWriter writer)
    {
        var emitter = new KernelEmitter(pipeline, segment, writer);
        emitter.EmitKernel();
        return emitter._decline;
    }

    private void EmitKernel()
    {
        var stages = new List<StageSpec>();
        foreach (string name in _segment.Stages)
        {
            stages.Add(_pipeline.Stage(name));
        }
        bool hasMap = stages.Exists(s => s.Kind == StageKindSpec.Map);
        // The columns the kernel writes: its output schema's, or only those its fits read (a first-pass segment).
        SchemaSpec output = Written(_pipeline.Schema(_segment.OutputSchema));
        SchemaSpec producerSchema = hasMap ? output : Written(_input);

        IReadOnlyList<StageParametersSpec> parameterTypes = WriteSignature(output);
        WriteInputColumns();
        WriteStageParameters(stages, parameterTypes);
        var gathered = new Dictionary<string, string>(System.StringComparer.Ordinal);
        if (hasMap)
        {
            WriteOutputColumns(stages, output, gathered);
        }
        bool needsSelection = !hasMap || gathered.Count > 0;
        _w.WriteLine();
        _w.WriteLine("int count = 0;");
        _w.WriteLine();

        VectorKernelEmitter? vector = WriteVectorPrologue(stages, hasMap ? output : null, gathered, needsSelection);
        List<(string Element, string Name)> rented = WriteRentedBuffers(vector, needsSelection);
        if (rented.Count > 0)
        {
            _w.WriteLine("try");
            _w.OpenBrace();
        }
        WritePreScoring(stages);
        WriteRowLoop(vector, stages, output, hasMap, gathered, needsSelection);
        _w.WriteLine();
        WriteResult(producerSchema, hasMap, gathered);
        if (rented.Count > 0)
        {
            WriteReturnRented(rented);
        }
        _w.CloseBrace();
    }

    /// <summary>
    /// <paramref name="schema"/> with only the columns the segment writes: all of them, except in a first-pass
    /// segment, whose output holds only what its fits read.
    /// </summary>
    private SchemaSpec Written(SchemaSpec schema)
    {
        if (_segment.OutputColumns is not { } written)
        {
            return schema;
        }
        var columns = new List<ColumnSpec>();
        foreach (ColumnSpec column in schema.Columns)
        {
            if (System.Linq.Enumerable.Contains(written, column.ColumnName))
            {
                columns.Add(column);
            }
        }
        return schema with { Columns = columns.ToEquatableArray() };
    }

    /// <summary>The expression of the output batch's schema: the schema's own, or the projection a first-pass segment writes.</summary>
    private string OutputBatchSchema(SchemaSpec producerSchema) =>
        _segment.OutputColumns is null ? producerSchema.FullTypeName + ".BatchSchema" : ProjectionField;

    /// <summary>The static field holding a first-pass segment's output schema (the columns its fits read).</summary>
    private string ProjectionField => _segment.KernelName + "_Output";

    /// <summary>The doc comment, attribute and signature of the kernel method; opens its body.</summary>
    private IReadOnlyList<StageParametersSpec> WriteSignature(SchemaSpec output)
    {
        if (_segment.OutputColumns is { } written)
        {
            // Built once: the schema of every batch this kernel returns.
            string schema = output.FullTypeName + ".BatchSchema";
            var fields = new List<string>();
            foreach (string column in written)
            {
                fields.Add(schema + "[" + schema + ".IndexOf(" + SourceWriter.Literal(column) + ")]");
            }
            _w.WriteLine("/// <summary>The columns of " + output.Name + " that segment " + _segment.Index + " writes: those its fits read.</summary>");
            _w.WriteLine(SourceWriter.GeneratedCodeAttribute);
            _w.WriteLine("private static readonly global::Dsl.BatchSchema " + ProjectionField + " = new global::Dsl.BatchSchema(" + string.Join(", ", fields) + ");");
            _w.WriteLine();
        }
        string summary = _segment.FitOnly
            ? "Segment " + _segment.Index + " (" + string.Join(" -> ", _segment.Stages) + "), first pass only: reads " + _input.Name + " rows, writes "
                + (_segment.OutputColumns is { } columns ? (columns.IsEmpty ? "no column" : string.Join(", ", columns)) + " of " : string.Empty) + output.Name + " rows for the fits."
            : "Segment " + _segment.Index + " (" + string.Join(" -> ", _segment.Stages) + "): reads " + _input.Name + " rows, writes " + output.Name + " rows.";
        _w.WriteLine("/// <summary>" + summary + "</summary>");
        _w.WriteLine(SourceWriter.GeneratedCodeAttribute);
        var parameterTypes = Pipelines.PipelineGenerator.Emitter.ParameterTypes(_pipeline, _segment.Stages);
        var signature = new StringBuilder("private static global::Dsl.RecordBatch " + _segment.KernelName + "(global::Dsl.RecordBatch input, global::Dsl.Validation.RowViolations? violations");
        foreach (StageParametersSpec type in parameterTypes)
        {
            signature.Append(", ").Append(type.FullTypeName).Append(' ').Append(type.Local);
        }
        foreach (StageSpec stage in Pipelines.PipelineGenerator.Emitter.RunTimeScored(_pipeline, _segment.Stages))
        {
            signature.Append(", global::Dsl.Models.IBatchScorer ").Append(ScorerLocal(stage));
        }
        _w.WriteLine(signature.Append(')').ToString());
        _w.OpenBrace();
        if (_rules.Count > 0)
        {
            _w.WriteLine("if (violations is null)");
            _w.OpenBrace();
            _w.WriteLine("throw new global::System.ArgumentNullException(nameof(violations), \"Segment " + _segment.Index + " checks row rules: it reports the rows that break them into violations.\");");
            _w.CloseBrace();
        }
        _w.WriteLine("int rowCount = input.RowCount;");
        return parameterTypes;
    }

    /// <summary>Input columns, resolved once per batch.</summary>
    private void WriteInputColumns()
    {
        _w.WriteLine();
        _w.WriteLine("// Input columns");
        foreach (string columnName in _segment.ReadColumns)
        {
            ColumnSpec column = FindColumn(_input, columnName);
            string local = "in" + column.MemberName;
            string name = SourceWriter.Literal(column.ColumnName);
            if (column.IsList)
            {
                _w.WriteLine("global::Dsl.ListColumn " + local + "Column = input.GetList(" + name + ", " + column.ElementSpec.ColumnTypeExpression + ");");
            }
            else if (column.IsByteArray)
            {
                _w.WriteLine("global::Dsl.StringColumn " + local + "Column = input.GetString(" + name + ", " + column.ColumnTypeExpression + ");");
                if (column.IsString)
                {
                    _w.WriteLine("string[] " + local + "Strings = " + local + "Column.Dictionary.Strings;");
                }
                _w.WriteLine("global::System.ReadOnlySpan<int> " + local + "Indices = " + local + "Column.Indices;");
            }
            else
            {
                _w.WriteLine("global::Dsl.PrimitiveColumn<" + column.StorageType + "> " + local + "Column = input.GetPrimitive<" + column.StorageType + ">(" + name + ", " + column.ColumnTypeExpression + ");");
                _w.WriteLine("global::System.ReadOnlySpan<" + column.StorageType + "> " + local + "Values = " + local + "Column.Values;");
            }
            if (column.Nullable)
            {
                _w.WriteLine("global::Dsl.ValidityBitmap? " + local + "Validity = " + local + "Column.Validity;");
            }
        }
    }

    /// <summary>
    /// The score stages this kernel scores before its row loop: a score stage starts its segment (the graph builder
    /// does not fuse one into its producer's), so its features are the kernel's input columns and every row reaches it.
    /// </summary>
    private IEnumerable<StageSpec> PreScored()
    {
        if (_segment.Stages.Count > 0 && _pipeline.Stage(_segment.Stages[0]) is { Score.IsBound: true } first)
        {
            yield return first;
        }
    }

    /// <summary>
    /// Scores the whole batch at once, before the row loop: the features gathered from the input columns row after row
    /// (null as NaN, a bool as 1 or 0, in the model's type), then the model's batch method, whose trees walk eight rows
    /// at a time; the row loop reads each row's outputs.
    /// </summary>
    private void WritePreScoring(List<StageSpec> stages)
    {
        foreach (StageSpec stage in PreScored())
        {
            ScoreSpec score = stage.Score!;
            string local = SourceWriter.Camel(stage.Name);
            if (score.Model is not { } model)
            {
                WriteRunTimeScoring(stage, score, local);
                continue;
            }
            string t = model.ValueType;
            string scorer = ModelEmitter.QualifiedName(_pipeline, stage);
            _w.WriteLine("// " + stage.Name + ": " + ModelSpec.OneLine(model.Path) + " (" + model.Describe() + ") scores every row of the batch here");
            WriteGather(score, local + "Features", t);
            _w.WriteLine(scorer + "." + (score.Margin ? "MarginBatch" : "PredictBatch") + "(new global::System.ReadOnlySpan<" + t + ">(" + local + "Features, 0, rowCount * " + score.FeatureMembers.Count + "), rowCount, " + local + "Outputs);");
        }
    }

    /// <summary>
    /// Batch scoring through a model given at run time (an <c>IBatchScorer</c> the kernel takes): the features gathered
    /// in the type the model computes in, so nothing is rounded twice, and its outputs kept as doubles, which hold a
    /// float32 or float64 output exactly.
    /// </summary>
    private void WriteRunTimeScoring(StageSpec stage, ScoreSpec score, string local)
    {
        string model = ScorerLocal(stage);
        string size = "rowCount * " + score.FeatureMembers.Count;
        _w.WriteLine("// " + stage.Name + ": the model given at run time as " + SourceWriter.Literal(score.RunTimeName!) + " scores every row of the batch here, in float64 or float32 as it computes;");
        _w.WriteLine("// a batch it refuses is scored row by row, and each row it refuses is a row error of the stage (" + local + "Errors).");
        _w.WriteLine("global::System.Exception?[]? " + local + "Errors;");
        _w.WriteLine("if (" + model + ".ComputesInDouble)");
        _w.OpenBrace();
        WriteRunTimeGather(score, local, model, size, "double");
        _w.CloseBrace();
        _w.WriteLine("else");
        _w.OpenBrace();
        WriteRunTimeGather(score, local, model, size, "float");
        _w.CloseBrace();
    }

    private void WriteRunTimeGather(ScoreSpec score, string local, string model, string size, string t)
    {
        _w.WriteLine(t + "[] " + local + "Features = " + ArrayPool(t) + ".Rent(" + size + ");");
        _w.WriteLine("try");
        _w.OpenBrace();
        WriteGather(score, local + "Features", t);
        _w.WriteLine(local + "Errors = global::Dsl.Models.RunTimeScoring.Score(" + model + ", " + local + "Features, rowCount, " + local + "Outputs);");
        _w.CloseBrace();
        _w.WriteLine("finally");
        _w.OpenBrace();
        _w.WriteLine(ArrayPool(t) + ".Return(" + local + "Features);");
        _w.CloseBrace();
    }

    /// <summary>Every row's features into <paramref name="buffer"/>, row after row, as <paramref name="t"/>: null as NaN, a bool as 1 or 0.</summary>
    private void WriteGather(ScoreSpec score, string buffer, string t)
    {
        int features = score.FeatureMembers.Count;
        for (int f = 0; f < features; f++)
        {
            ColumnSpec column = FindMember(_input, score.FeatureMembers[f]);
            string inLocal = "in" + column.MemberName;
            string value = FeatureValue(column with { Nullable = false }, column.FromStorage(inLocal + "Values[r]"), t);
            if (column.Nullable)
            {
                value = inLocal + "Validity is null || " + inLocal + "Validity.IsValid(r) ? " + value + " : " + t + ".NaN";
            }
            _w.WriteLine("for (int r = 0; r < rowCount; r++)");
            _w.OpenBrace();
            _w.WriteLine(buffer + "[r * " + features + " + " + f + "] = " + value + "; // " + column.MemberName);
            _w.CloseBrace();
        }
    }

    /// <summary>
    /// The kernel parameter holding the run-time model of score stage <paramref name="stage"/> (<c>scorer_Predict</c>):
    /// with an underscore, so no parameter object's local (the camelCase of its type, <c>predictModel</c> for a record
    /// <c>PredictModel</c>) can take the name.
    /// </summary>
    internal static string ScorerLocal(StageSpec stage) => "scorer_" + stage.Name;

    /// <summary>
    /// The outputs of score stage <paramref name="stage"/> for the current row, one local per output, which the stage's
    /// <see cref="KernelExprKind.ModelOutput"/> nodes read: from what the batch scoring left (<see cref="WritePreScoring"/>).
    /// </summary>
    private void EmitScore(StageSpec stage)
    {
        ScoreSpec score = stage.Score!;
        string local = SourceWriter.Camel(stage.Name);
        int outputs = score.Outputs.Count;
        _scoreLocals.Clear();
        if (stage.Name != _segment.Stages[0] && score.Model is null)
        {
            // A run-time model fused after another stage: this row alone through its IBatchScorer.
            SchemaSpec input = _pipeline.Schema(stage.InputSchema);
            _w.WriteLine("// " + stage.Name + ": the model given at run time as " + SourceWriter.Literal(score.RunTimeName!) + ", once per row");
            _w.WriteLine("double[] " + local + "Row = new double[" + score.FeatureMembers.Count + "];");
            _w.WriteLine("double[] " + local + "Scores = new double[" + outputs + "];");
            for (int f = 0; f < score.FeatureMembers.Count; f++)
            {
                ColumnSpec column = FindMember(input, score.FeatureMembers[f]);
                _w.WriteLine(local + "Row[" + f + "] = " + FeatureValue(column, _values[column.MemberName], "double") + ";");
            }
            _w.WriteLine("global::Dsl.Models.RunTimeScoring.ScoreRow(" + ScorerLocal(stage) + ", " + SourceWriter.Literal(score.RunTimeName!) + ", " + local + "Row, " + local + "Scores);");
            for (int k = 0; k < outputs; k++)
            {
                ScoreOutputSpec output = score.Outputs[k];
                string name = stage.Name + "_model_" + output.Name;
                _w.WriteLine(output.ClrType + " " + name + " = " + Cast("double", output.ClrType) + local + "Scores[" + k + "];");
                _scoreLocals[output.Name] = name;
            }
            return;
        }
        if (stage.Name != _segment.Stages[0])
        {
            ModelSpec model = score.Model!;
            // Fused after another stage (a first-pass segment refuses nothing): its features are this row's values,
            // so the model scores the row here, through its one-row methods.
            string t = model.ValueType;
            string scorer = ModelEmitter.QualifiedName(_pipeline, stage);
            SchemaSpec input = _pipeline.Schema(stage.InputSchema);
            _w.WriteLine("// " + stage.Name + ": " + ModelSpec.OneLine(model.Path) + " (" + model.Describe() + "), once per row");
            _w.WriteLine("global::System.Span<" + t + "> " + local + "Row = new " + t + "[" + scorer + ".FeatureCount];");
            _w.WriteLine("global::System.Span<" + t + "> " + local + "Scores = new " + t + "[" + scorer + ".MarginCount];");
            for (int f = 0; f < score.FeatureMembers.Count; f++)
            {
                ColumnSpec column = FindMember(input, score.FeatureMembers[f]);
                _w.WriteLine(local + "Row[" + f + "] = " + FeatureValue(column, _values[column.MemberName], t) + ";");
            }
            _w.WriteLine(score.Margin || model.Link == ModelLink.Softmax
                ? scorer + "." + (score.Margin ? "Margin" : "Predict") + "(" + local + "Row, " + local + "Scores);"
                : local + "Scores[0] = " + scorer + ".Predict(" + local + "Row);");
            for (int k = 0; k < outputs; k++)
            {
                ScoreOutputSpec output = score.Outputs[k];
                string name = stage.Name + "_model_" + output.Name;
                _w.WriteLine(output.ClrType + " " + name + " = " + Cast(t, output.ClrType) + local + "Scores[" + k + "];");
                _scoreLocals[output.Name] = name;
            }
            return;
        }
        if (score.Model is null)
        {
            // A row the run-time model refused: the stage's row error (quarantined or failing, as OnRowError says).
            _w.WriteLine("if (" + local + "Errors?[i] is { } " + local + "Error)");
            _w.OpenBrace();
            _w.WriteLine("throw new global::Dsl.Models.ModelRowException(" + SourceWriter.Literal(score.RunTimeName!) + ", " + local + "Error);");
            _w.CloseBrace();
        }
        for (int k = 0; k < outputs; k++)
        {
            ScoreOutputSpec output = score.Outputs[k];
            // Named apart from the map's output locals (Stage_Member), which a parameter may share a name with.
            string name = stage.Name + "_model_" + output.Name;
            _w.WriteLine(output.ClrType + " " + name + " = " + Cast(score.OutputValueType, output.ClrType) + local + "Outputs[i" + (outputs == 1 ? string.Empty : " * " + outputs + " + " + k) + "];");
            _scoreLocals[output.Name] = name;
        }
    }

    /// <summary>A cast from a model's value type to an output's, or nothing when they are the same.</summary>
    internal static string Cast(string from, string to) => from == to ? string.Empty : "(" + to + ")";

    /// <summary>
    /// The C# that turns a member's per-row value into a feature of type <paramref name="type"/>: null is NaN (the
    /// libraries' missing value), a bool is 1 or 0, a number is converted as NumPy's <c>astype</c> would (rounded to nearest).
    /// </summary>
    internal static string FeatureValue(ColumnSpec column, string value, string type)
    {
        string nan = type + ".NaN";
        string one = type == "float" ? "1f" : "1d";
        string zero = type == "float" ? "0f" : "0d";
        if (column.Kind == ColumnKind.Boolean)
        {
            return column.Nullable
                ? value + ".HasValue ? (" + value + ".GetValueOrDefault() ? " + one + " : " + zero + ") : " + nan
                : value + " ? " + one + " : " + zero;
        }
        return column.Nullable
            ? value + ".HasValue ? (" + type + ")" + value + ".GetValueOrDefault() : " + nan
            : "(" + type + ")" + value;
    }

    /// <summary>Stage parameters: the same for every row, so each member the expressions read is read once per batch.</summary>
    private void WriteStageParameters(List<StageSpec> stages, IReadOnlyList<StageParametersSpec> parameterTypes)
    {
        var parameterReads = new List<KernelExpr>();
        foreach (StageSpec stage in stages)
        {
            if (stage.Kernel.Vectorized)
            {
                CollectParameterReads(stage.Kernel.Predicate, parameterReads);
                foreach (KernelOutput o in stage.Kernel.Outputs)
                {
                    CollectParameterReads(o.Value, parameterReads);
                }
            }
        }
        if (parameterReads.Count == 0)
        {
            return;
        }
        _w.WriteLine();
        _w.WriteLine("// Stage parameters, read once per batch");
        foreach (StageParametersSpec type in parameterTypes)
        {
            foreach (ParameterMemberSpec member in type.Members)
            {
                string text = type.Name + "." + member.Name;
                if (parameterReads.Exists(r => r.Text == text))
                {
                    _w.WriteLine(member.ClrType + " " + StageParametersSpec.MemberLocal(text) + " = " + type.Local + "." + member.Name + ";");
                }
            }
        }
    }

    /// <summary>Outputs: builders for computed columns; gathered columns (recorded in <paramref name="gathered"/>) only need the selection.</summary>
    private void WriteOutputColumns(List<StageSpec> stages, SchemaSpec output, Dictionary<string, string> gathered)
    {
        PlanMapOutputs(stages, output, gathered);
        _w.WriteLine();
        _w.WriteLine(gathered.Count == 0
            ? "// Output columns"
            : "// Output columns (" + string.Join(", ", gathered.Keys) + " copy input strings: gathered by row position, sharing the dictionary)");
        foreach (ColumnSpec column in output.Columns)
        {
            if (gathered.ContainsKey(column.MemberName))
            {
                continue;
            }
            string local = "out" + column.MemberName;
            if (column.IsList)
            {
                _w.WriteLine("var " + local + " = new " + column.ListBuilder + ", rowCount);");
            }
            else if (column.IsByteArray)
            {
                _w.WriteLine("var " + local + " = new " + column.ByteArrayBuilder + "(" + column.ColumnTypeExpression + ", rowCount);");
            }
            else
            {
                _w.WriteLine("var " + local + " = new global::Dsl.ColumnBuilder<" + column.StorageType + ">(" + column.ColumnTypeExpression + ", rowCount, nullable: " + (column.Nullable ? "true" : "false") + ");");
                _w.WriteLine("global::System.Span<" + column.StorageType + "> " + local + "Values = " + local + ".Values;");
            }
        }
    }

    /// <summary>The vector block's setup before the loop, or the comment that says why the segment has none.</summary>
    private VectorKernelEmitter? WriteVectorPrologue(List<StageSpec> stages, SchemaSpec? output, Dictionary<string, string> gathered, bool needsSelection)
    {
        VectorKernelEmitter? vector = VectorKernelEmitter.TryEmit(_pipeline, _input, stages, _rules, output, gathered, needsSelection, RenderBound, out VectorDecline? decline);
        _decline = decline;
        if (decline is not null)
        {
            _w.WriteLine("// No vector block: in " + decline.Stage + ", " + decline.Construct + ": " + decline.Reason + ". Every row runs the per-row code.");
        }
        if (vector is not null)
        {
            _w.WriteLine("// Whole blocks of four rows run as vectors. The rows after the last whole block, and any block the vector");
            _w.WriteLine("// code hands back (it breaks out before writing anything), run the per-row code: both give the same rows.");
            _w.WriteLine("int vectorEnd = global::Dsl.Kernels.KernelDispatch.UseVectors ? rowCount - (rowCount % 4) : 0;");
            _w.WriteLines(vector.Before);
        }
        return vector;
    }

    /// <summary>Buffers the kernel only needs while it runs come from the shared pool and go back in a finally.</summary>
    private List<(string Element, string Name)> WriteRentedBuffers(VectorKernelEmitter? vector, bool needsSelection)
    {
        var rented = new List<(string Element, string Name)>();
        if (needsSelection)
        {
            _w.WriteLine("// Positions of the input rows that reach the output, for gathering: rented, not 4 new bytes a row per batch.");
            _w.WriteLine("int[] selection = " + ArrayPool("int") + ".Rent(rowCount);");
            rented.Add(("int", "selection"));
        }
        if (vector is not null)
        {
            rented.AddRange(vector.Rented);
        }
        foreach (StageSpec stage in PreScored())
        {
            ScoreSpec score = stage.Score!;
            string t = score.OutputValueType;
            string local = SourceWriter.Camel(stage.Name);
            if (score.Model is not null)
            {
                string model = ModelEmitter.QualifiedName(_pipeline, stage);
                _w.WriteLine("// " + stage.Name + ": every row's features, row after row, and its model's outputs for them");
                _w.WriteLine(t + "[] " + local + "Features = " + ArrayPool(t) + ".Rent(rowCount * " + model + ".FeatureCount);");
                rented.Add((t, local + "Features"));
            }
            else
            {
                _w.WriteLine("// " + stage.Name + ": its run-time model's outputs for every row (the features are gathered in the type it computes in)");
            }
            _w.WriteLine(t + "[] " + local + "Outputs = " + ArrayPool(t) + ".Rent(rowCount * " + score.Outputs.Count + ");");
            rented.Add((t, local + "Outputs"));
        }
        return rented;
    }

    /// <summary>The loop over the rows: the per-row code alone, or whole blocks as vectors and the rest per row.</summary>
    private void WriteRowLoop(VectorKernelEmitter? vector, List<StageSpec> stages, SchemaSpec output, bool hasMap, Dictionary<string, string> gathered, bool needsSelection)
    {
        _tracksStage = stages.Count > 1;
        if (_tracksStage)
        {
            _w.WriteLine("int stage = 0; // the stage the per-row code runs, to name the one that throws");
        }
        _w.WriteLine("int i = 0;");
        if (vector is null)
        {
            WriteGuardedRows(stages, output, hasMap, gathered, needsSelection, "rowCount");
            return;
        }
        _w.WriteLine("while (i < rowCount)");
        _w.OpenBrace();
        _w.WriteLine("for (; i < vectorEnd; i += 4)");
        _w.OpenBrace();
        _w.WriteLines(vector.Block);
        _w.CloseBrace();
        _w.WriteLine();
        _w.WriteLine("int scalarEnd = i < vectorEnd ? i + 4 : rowCount;");
        WriteGuardedRows(stages, output, hasMap, gathered, needsSelection, "scalarEnd");
        _w.CloseBrace();
    }

    /// <summary>
    /// The per-row code up to <paramref name="end"/>, inside one try that resumes after a row a stage throws for: the
    /// row becomes a <c>StageRowException</c> naming the stage and row, or, where the stage quarantines its row errors,
    /// a reported row error, and the loop goes on with the next row. One try for the loop, not one per row.
    /// </summary>
    private void WriteGuardedRows(List<StageSpec> stages, SchemaSpec output, bool hasMap, Dictionary<string, string> gathered, bool needsSelection, string end)
    {
        _w.WriteLine("while (i < " + end + ")");
        _w.OpenBrace();
        _w.WriteLine("try");
        _w.OpenBrace();
        _w.WriteLine("for (; i < " + end + "; i++)");
        _w.OpenBrace();
        EmitRow(stages, output, hasMap, gathered, needsSelection);
        _w.CloseBrace();
        _w.CloseBrace();
        _w.WriteLine("catch (global::System.Exception e)");
        _w.OpenBrace();
        if (!_tracksStage)
        {
            WriteRowError(stages[0]);
        }
        else
        {
            _w.WriteLine("switch (stage)");
            _w.OpenBrace();
            for (int s = 0; s < stages.Count; s++)
            {
                _w.WriteLine("case " + s + ":");
                _w.Indent();
                WriteRowError(stages[s]);
                if (stages[s].QuarantinesRowErrors)
                {
                    _w.WriteLine("break;");
                }
                _w.Unindent();
            }
            _w.CloseBrace();
        }
        if (stages.Exists(s => s.QuarantinesRowErrors))
        {
            _w.WriteLine("i++; // go on after the quarantined row");
        }
        _w.CloseBrace();
        _w.CloseBrace();
    }

    private void WriteRowError(StageSpec stage)
    {
        if (!stage.QuarantinesRowErrors)
        {
            _w.WriteLine("throw new global::Dsl.Validation.StageRowException(" + SourceWriter.Literal(stage.Name) + ", i, e);");
            return;
        }
        RulePlacementSpec rule = _rules.Find(r => r.Stage == stage.Name && r.Rule.Kind == "RowError")!;
        _w.WriteLine("violations.AddError(" + rule.Index + ", i, e); // " + rule.Rule.Id);
    }

    /// <summary>The output batch: built columns, and gathered ones by the selection.</summary>
    private void WriteResult(SchemaSpec producerSchema, bool hasMap, Dictionary<string, string> gathered)
    {
        _w.WriteLine("var columns = new global::Dsl.Column[]");
        _w.OpenBrace();
        foreach (ColumnSpec column in producerSchema.Columns)
        {
            if (!hasMap)
            {
                _w.WriteLine("global::Dsl.ColumnGather.Gather(in" + column.MemberName + "Column, new global::System.ReadOnlySpan<int>(selection, 0, count)),");
            }
            else if (gathered.TryGetValue(column.MemberName, out string? source))
            {
                _w.WriteLine("global::Dsl.StringColumnBuilder.GatherFrom(in" + source + "Column, new global::System.ReadOnlySpan<int>(selection, 0, count)),");
            }
            else
            {
                _w.WriteLine("out" + column.MemberName + ".Build(" + (column.IsByteArray || column.IsList ? string.Empty : "count") + "),");
            }
        }
        _w.CloseBrace(";");
        _w.WriteLine("return new global::Dsl.RecordBatch(" + OutputBatchSchema(producerSchema) + ", columns, count);");
    }

    /// <summary>Closes the try around the loop and returns the rented buffers to the pool in its finally.</summary>
    private void WriteReturnRented(List<(string Element, string Name)> rented)
    {
        _w.CloseBrace();
        _w.WriteLine("finally");
        _w.OpenBrace();
        foreach ((string element, string name) in rented)
        {
            _w.WriteLine(ArrayPool(element) + ".Return(" + name + ");");
        }
        _w.CloseBrace();
    }

    /// <summary>Adds to <paramref name="reads"/> each parameter member <paramref name="e"/> reads, once, in the order met.</summary>
    internal static void CollectParameterReads(KernelExpr? e, List<KernelExpr> reads)
    {
        if (e is null)
        {
            return;
        }
        if (e.Kind == KernelExprKind.Parameter && !reads.Exists(r => r.Text == e.Text))
        {
            reads.Add(e);
        }
        foreach (KernelExpr operand in e.Operands)
        {
            CollectParameterReads(operand, reads);
        }
    }

    private static string ArrayPool(string element) => "global::System.Buffers.ArrayPool<" + element + ">.Shared";

    /// <summary>The per-row code: every stage in turn on one row's values, then the output writes.</summary>
    private void EmitRow(List<StageSpec> stages, SchemaSpec output, bool hasMap, Dictionary<string, string> gathered, bool needsSelection)
    {
        EmitMemberRules(null);
        for (int s = 0; s < stages.Count; s++)
        {
            if (_tracksStage)
            {
                _w.WriteLine("stage = " + s + ";");
            }
            EmitStage(stages[s]);
            if (stages[s].Kind == StageKindSpec.Map)
            {
                EmitMemberRules(stages[s].Name);
            }
        }
        if (hasMap)
        {
            // A decimal that does not fit its column throws while it is converted: convert every one before the first
            // write, so a row the catch skips (OnRowError = Quarantine) has written nothing to any output column.
            var stored = new Dictionary<string, string>(System.StringComparer.Ordinal);
            foreach (ColumnSpec column in output.Columns)
            {
                if (column.Kind == ColumnKind.Decimal && !gathered.ContainsKey(column.MemberName))
                {
                    string value = _values[column.MemberName];
                    string local = column.MemberName + "_stored";
                    _w.WriteLine(column.StorageType + " " + local + " = " + (column.Nullable
                        ? value + ".HasValue ? " + Store(column, value + ".GetValueOrDefault()") + " : default"
                        : Store(column, value)) + ";");
                    stored[column.MemberName] = local;
                }
            }
            foreach (ColumnSpec column in output.Columns)
            {
                if (!gathered.ContainsKey(column.MemberName))
                {
                    EmitWrite(column, _values[column.MemberName], stored.TryGetValue(column.MemberName, out string? converted) ? converted : null);
                }
            }
        }
        if (needsSelection)
        {
            _w.WriteLine("selection[count] = i;");
        }
        _w.WriteLine("count++;");
    }

    /// <summary>
    /// Renders <paramref name="e"/> as scalar C# with the string member <paramref name="member"/> bound to
    /// <paramref name="local"/>; with <paramref name="describe"/>, renders it for a comment (members by name).
    /// </summary>
    private string RenderBound(KernelExpr e, string? member, string? local, bool describe)
    {
        Dictionary<string, string> saved = _values;
        _describe = describe;
        _values = new Dictionary<string, string>(System.StringComparer.Ordinal);
        if (member is not null)
        {
            _values[member] = local!;
        }
        try
        {
            return Render(e, _pipeline.CheckOverflow);
        }
        finally
        {
            _values = saved;
            _describe = false;
        }
    }

    /// <summary>Finds string outputs of the last map that copy a segment input column unchanged.</summary>
    private void PlanMapOutputs(List<StageSpec> stages, SchemaSpec output, Dictionary<string, string> gathered)
    {
        // Simulate which values are pass-throughs of input columns, stage by stage.
        var origin = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (ColumnSpec column in _input.Columns)
        {
            origin[column.MemberName] = column.MemberName;
        }
        foreach (StageSpec stage in stages)
        {
            if (stage.Kind != StageKindSpec.Map)
            {
                continue;
            }
            var next = new Dictionary<string, string>(System.StringComparer.Ordinal);
            if (stage.Kernel.Vectorized)
            {
                foreach (KernelOutput o in stage.Kernel.Outputs)
                {
                    if (o.Value.Kind == KernelExprKind.Column && origin.TryGetValue(o.Value.Text, out string? source))
                    {
                        next[o.Member] = source;
                    }
                }
            }
            origin = next;
        }
        foreach (ColumnSpec column in output.Columns)
        {
            if (column.IsByteArray && origin.TryGetValue(column.MemberName, out string? source) && FindMember(_input, source).Nullable == column.Nullable
                && IsRead(source))
            {
                gathered[column.MemberName] = source;
            }
        }
    }

    private bool IsRead(string member)
    {
        string columnName = FindMember(_input, member).ColumnName;
        foreach (string read in _segment.ReadColumns)
        {
            if (read == columnName)
            {
                return true;
            }
        }
        return false;
    }

    private void EmitStage(StageSpec stage)
    {
        SchemaSpec input = _pipeline.Schema(stage.InputSchema);
        string kind = stage.Kind switch { StageKindSpec.Filter => "filter", StageKindSpec.Check => "check", _ => "map" };
        _w.WriteLine("// " + stage.Name + " (" + kind + (stage.Kernel.Vectorized ? string.Empty : ", calls the method per row: " + stage.Kernel.FallbackReason) + ")");
        RulePlacementSpec? check = stage.Kind == StageKindSpec.Check ? _rules.Find(r => r.Stage == stage.Name && r.Rule.Kind == "Check") : null;
        foreach (string member in stage.Kernel.ReadMembers)
        {
            EnsureLoaded(member);
        }
        string method = _pipeline.FullTypeName + "." + stage.Name;
        if (stage.Score is not null)
        {
            EmitScore(stage);
        }
        if (!stage.Kernel.Vectorized)
        {
            var arguments = new List<string>();
            foreach (ColumnSpec column in input.Columns)
            {
                arguments.Add(_values[column.MemberName]);
            }
            string row = "new " + input.FullTypeName + "(" + string.Join(", ", arguments) + ")";
            if (stage.Parameters is { } parameters)
            {
                row += ", " + parameters.Local;
            }
            foreach (ScoreOutputSpec output in stage.Score?.Outputs ?? EquatableArray<ScoreOutputSpec>.Empty)
            {
                row += ", " + _scoreLocals[output.Name];
            }
            if (check is not null)
            {
                EmitRuleCheck(check, method + "(" + row + ")");
            }
            else if (stage.Kind == StageKindSpec.Filter)
            {
                EmitSkipUnless(method + "(" + row + ")");
            }
            else
            {
                SchemaSpec output = _pipeline.Schema(stage.OutputSchema);
                string result = stage.Name + "_result";
                _w.WriteLine(output.FullTypeName + " " + result + " = " + method + "(" + row + ");");
                var values = new Dictionary<string, string>(System.StringComparer.Ordinal);
                foreach (ColumnSpec column in output.Columns)
                {
                    values[column.MemberName] = result + "." + column.MemberName;
                }
                SetValues(values);
            }
            return;
        }

        if (check is not null)
        {
            EmitRuleCheck(check, Render(stage.Kernel.Predicate!, _pipeline.CheckOverflow));
            return;
        }
        if (stage.Kind == StageKindSpec.Filter)
        {
            EmitSkipUnless(Render(stage.Kernel.Predicate!, _pipeline.CheckOverflow));
            return;
        }

        SchemaSpec outputSchema = _pipeline.Schema(stage.OutputSchema);
        var outputs = new Dictionary<string, string>(System.StringComparer.Ordinal);
        foreach (KernelOutput o in stage.Kernel.Outputs)
        {
            string local = stage.Name + "_" + o.Member;
            _w.WriteLine(FindMember(outputSchema, o.Member).ClrType + " " + local + " = " + Render(o.Value, _pipeline.CheckOverflow) + ";");
            outputs[o.Member] = local;
        }
        SetValues(outputs);
    }

    private void SetValues(Dictionary<string, string> values)
    {
        _values = values;
        _valuesAreInput = false;
    }

    /// <summary>The member rules checked before the first stage (<paramref name="after"/> null) or after map <paramref name="after"/>.</summary>
    private void EmitMemberRules(string? after)
    {
        foreach (RulePlacementSpec rule in _rules)
        {
            if (rule.Predicate is null || rule.After != after)
            {
                continue;
            }
            _w.WriteLine("// Rule " + rule.Index + " " + rule.Rule.Id + " (" + rule.Rule.Action + "): " + rule.Description);
            foreach (ColumnSpec column in _pipeline.Schema(SchemaOf(rule)).Columns)
            {
                if (System.Linq.Enumerable.Contains(rule.Columns, column.ColumnName))
                {
                    EnsureLoaded(column.MemberName);
                }
            }
            EmitRuleCheck(rule, Render(rule.Predicate, _pipeline.CheckOverflow), describe: false);
        }
    }

    private string SchemaOf(RulePlacementSpec rule)
    {
        foreach (SchemaSpec schema in _pipeline.Schemas)
        {
            if (schema.Name == rule.Schema)
            {
                return schema.FullTypeName;
            }
        }
        throw new System.InvalidOperationException($"Rule '{rule.Rule.Id}' names no schema of the pipeline.");
    }

    /// <summary>
    /// A row that fails <paramref name="condition"/> is reported under <paramref name="rule"/>; unless the rule only
    /// warns, it then leaves the kernel's output and the later stages and rules do not see it.
    /// </summary>
    private void EmitRuleCheck(RulePlacementSpec rule, string condition, bool describe = true)
    {
        if (describe)
        {
            _w.WriteLine("// Rule " + rule.Index + " " + rule.Rule.Id + " (" + rule.Rule.Action + ")");
        }
        _w.WriteLine("if (!(" + condition + "))");
        _w.OpenBrace();
        _w.WriteLine("violations.Add(" + rule.Index + ", i);");
        if (rule.Rule.Action != "Warn")
        {
            _w.WriteLine("continue;");
        }
        _w.CloseBrace();
    }

    private void EmitSkipUnless(string condition)
    {
        _w.WriteLine("if (!(" + condition + "))");
        _w.OpenBrace();
        _w.WriteLine("continue;");
        _w.CloseBrace();
    }

    private void EnsureLoaded(string member)
    {
        if (!_valuesAreInput || _loaded.Contains(member))
        {
            return;
        }
        _loaded.Add(member);
        ColumnSpec column = FindMember(_input, member);
        string local = "in" + column.MemberName;
        string value = column.IsString ? local + "Strings[" + local + "Indices[i]]"
            // A copy: the stage may change the array it is given.
            : column.IsByteArray ? local + "Column.Dictionary.GetBytes(" + local + "Indices[i]).ToArray()"
            : column.IsList ? column.ListLoad(local + "Column", "i")
            : column.FromStorage(local + "Values[i]");
        if (column.Nullable)
        {
            value = local + "Validity is null || " + local + "Validity.IsValid(i) ? " + value + " : null";
        }
        string name = "in_" + column.MemberName;
        _w.WriteLine(column.ClrType + " " + name + " = " + value + ";");
        _values[column.MemberName] = name;
    }

    // stored: the value already converted to the column's storage (decimals, see above), or null to convert it here.
    private void EmitWrite(ColumnSpec column, string value, string? stored = null)
    {
        string local = "out" + column.MemberName;
        if (column.IsByteArray || column.IsList)
        {
            _w.WriteLine(local + ".Append(" + value + ");");
            return;
        }
        if (!column.Nullable)
        {
            _w.WriteLine(local + "Values[count] = " + (stored ?? Store(column, value)) + ";");
            return;
        }
        _w.WriteLine("if (" + value + ".HasValue)");
        _w.OpenBrace();
        _w.WriteLine(local + "Values[count] = " + (stored ?? Store(column, value + ".GetValueOrDefault()")) + ";");
        _w.CloseBrace();
        _w.WriteLine("else");
        _w.OpenBrace();
        _w.WriteLine(local + ".Validity!.Set(count, false);");
        _w.CloseBrace();
    }

    private static string Store(ColumnSpec column, string value) => column.ToStorage(value);

    /// <summary>Renders an IR node as C#; <paramref name="isChecked"/> is the overflow context around it.</summary>
    private string Render(KernelExpr e, bool isChecked)
    {
        if (e.Overflow != OverflowMode.Default && (e.Overflow == OverflowMode.Checked) != isChecked)
        {
            bool inner = e.Overflow == OverflowMode.Checked;
            return (inner ? "checked(" : "unchecked(") + RenderCore(e, inner) + ")";
        }
        return RenderCore(e, isChecked);
    }

    private string RenderCore(KernelExpr e, bool c)
    {
        switch (e.Kind)
        {
            case KernelExprKind.Literal:
            case KernelExprKind.StaticMember:
                return e.Text;
            case KernelExprKind.Column:
                return _describe ? e.Text : _values[e.Text];
            case KernelExprKind.Parameter:
                return _describe ? e.Text : StageParametersSpec.MemberLocal(e.Text);
            case KernelExprKind.ModelOutput:
                return _describe ? e.Text : _scoreLocals[e.Text];
            case KernelExprKind.Default:
                return "default(" + e.Type.CSharp + ")";
            case KernelExprKind.Binary:
            {
                // Binary operators associate to the left, so a left operand with the same operator needs no parentheses.
                KernelExpr left = e.Operands[0];
                string leftText = left.Kind == KernelExprKind.Binary && left.Op == e.Op && left.Overflow == e.Overflow
                    ? Render(left, c)
                    : Operand(left, c);
                return leftText + " " + KernelOps.Token(e.Op) + " " + Operand(e.Operands[1], c);
            }
            case KernelExprKind.Unary:
                return KernelOps.Token(e.Op) + Operand(e.Operands[0], c);
            case KernelExprKind.Conversion:
                return "(" + e.Type.CSharp + ")" + Operand(e.Operands[0], c);
            case KernelExprKind.Conditional:
                return Operand(e.Operands[0], c) + " ? " + Operand(e.Operands[1], c) + " : " + Operand(e.Operands[2], c);
            case KernelExprKind.Coalesce:
                return Operand(e.Operands[0], c) + " ?? " + Operand(e.Operands[1], c);
            case KernelExprKind.IsPattern:
                return Operand(e.Operands[0], c) + " is " + Render(e.Operands[1], c);
            case KernelExprKind.Property:
                return Operand(e.Operands[0], c) + "." + e.Text;
            case KernelExprKind.Call:
                return e.IsInstance
                    ? Operand(e.Operands[0], c) + "." + e.Text + "(" + Arguments(e, 1, c) + ")"
                    : e.Text + "(" + Arguments(e, 0, c) + ")";
            case KernelExprKind.New:
                return "new " + e.Type.CSharp + "(" + Arguments(e, 0, c) + ")";
            case KernelExprKind.PatternConstant:
                return Render(e.Operands[0], c);
            case KernelExprKind.PatternRelational:
                return KernelOps.Token(e.Op) + " " + Render(e.Operands[0], c);
            case KernelExprKind.PatternNot:
                return "not " + SubPattern(e.Operands[0], c);
            case KernelExprKind.PatternAnd:
            case KernelExprKind.PatternOr:
                return CombinedPattern(e, c);
            case KernelExprKind.PatternDiscard:
                return "_";
            case KernelExprKind.Switch:
            {
                var arms = new List<string>();
                for (int i = 1; i < e.Operands.Count; i++)
                {
                    KernelExpr arm = e.Operands[i];
                    string guard = arm.Operands.Count > 2 ? " when " + Render(arm.Operands[2], c) : string.Empty;
                    arms.Add(Render(arm.Operands[0], c) + guard + " => " + Render(arm.Operands[1], c));
                }
                return Operand(e.Operands[0], c) + " switch { " + string.Join(", ", arms) + " }";
            }
            case KernelExprKind.ConditionalAccess:
                return Operand(e.Operands[0], c) + "?" + Render(e.Operands[1], c);
            case KernelExprKind.ConditionalAccessReceiver:
                return string.Empty;
            default:
                throw new System.InvalidOperationException("Kernel expression kind '" + e.Kind + "' has no C# rendering.");
        }
    }

    // Operands are parenthesized unless they are single tokens, so precedence never changes meaning.
    private string Operand(KernelExpr e, bool c)
    {
        string text = Render(e, c);
        bool simple = e.Kind is KernelExprKind.Column or KernelExprKind.StaticMember or KernelExprKind.Parameter or KernelExprKind.Property or KernelExprKind.Call or KernelExprKind.Default or KernelExprKind.New or KernelExprKind.ConditionalAccessReceiver or KernelExprKind.ConditionalAccess
            || (e.Kind == KernelExprKind.Literal && !text.StartsWith("-", System.StringComparison.Ordinal))
            || text.StartsWith("checked(", System.StringComparison.Ordinal)
            || text.StartsWith("unchecked(", System.StringComparison.Ordinal);
        return simple ? text : "(" + text + ")";
    }

    private string SubPattern(KernelExpr e, bool c)
    {
        string text = Render(e, c);
        return e.Kind is KernelExprKind.PatternAnd or KernelExprKind.PatternOr or KernelExprKind.PatternNot ? "(" + text + ")" : text;
    }

    /// <summary>
    /// <c>a and b</c>, <c>a or b</c> with parentheses only where precedence needs them (not, then and, then or).
    /// A left operand ending in parentheses followed by 'or -1' would parse as a positional pattern designated 'or',
    /// minus 1, so a right operand starting with a sign is parenthesized too: '(a or b) and (-1)'.
    /// </summary>
    private string CombinedPattern(KernelExpr e, bool c)
    {
        string word = e.Kind == KernelExprKind.PatternAnd ? " and " : " or ";
        bool NeedsParentheses(KernelExpr operand, bool right) => operand.Kind == KernelExprKind.PatternOr ? e.Kind == KernelExprKind.PatternAnd || right
            : operand.Kind == KernelExprKind.PatternAnd && e.Kind == KernelExprKind.PatternAnd && right;
        KernelExpr left = e.Operands[0];
        KernelExpr right = e.Operands[1];
        string leftText = NeedsParentheses(left, false) ? "(" + Render(left, c) + ")" : Render(left, c);
        string rightText = NeedsParentheses(right, true) ? "(" + Render(right, c) + ")" : Render(right, c);
        if (leftText.EndsWith(")", System.StringComparison.Ordinal) && rightText.Length > 0 && rightText[0] is '-' or '+')
        {
            rightText = "(" + rightText + ")";
        }
        return leftText + word + rightText;
    }

    private string Arguments(KernelExpr e, int start, bool c)
    {
        var sb = new StringBuilder();
        for (int i = start; i < e.Operands.Count; i++)
        {
            if (i > start)
            {
                sb.Append(", ");
            }
            if (!e.ArgumentNames.IsEmpty)
            {
                sb.Append(e.ArgumentNames[i - start]).Append(": ");
            }
            sb.Append(Render(e.Operands[i], c));
        }
        return sb.ToString();
    }

    private static ColumnSpec FindColumn(SchemaSpec schema, string columnName)
    {
        foreach (ColumnSpec column in schema.Columns)
        {
            if (column.ColumnName == columnName)
            {
                return column;
            }
        }
        throw new System.InvalidOperationException($"Schema '{schema.Name}' has no column '{columnName}'.");
    }

    private static ColumnSpec FindMember(SchemaSpec schema, string member) =>
        schema.FindMember(member) ?? throw new System.InvalidOperationException($"Schema '{schema.Name}' has no member '{member}'.");
}
