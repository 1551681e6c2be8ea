using Dsl.Generators.Common;
using Dsl.Generators.Kernels;
using Dsl.Generators.Model;

namespace Dsl.Generators.Pipelines;

public sealed partial class PipelineGenerator
{
    /// <summary>Writes the source completing a pipeline class, from its spec only.</summary>
    internal static class Emitter
    {
        /// <summary>The hint name prefix shared by a pipeline's files: namespace, enclosing types and class.</summary>
        private static string HintPrefix(PipelineSpec spec)
        {
            var sb = new System.Text.StringBuilder();
            if (spec.Namespace.Length > 0)
            {
                sb.Append(spec.Namespace).Append('.');
            }
            foreach (string outer in spec.ContainingTypes)
            {
                sb.Append(outer.Substring(outer.LastIndexOf(' ') + 1)).Append('.');
            }
            return sb.Append(spec.ClassName).ToString();
        }

        /// <summary>A score stage's compiled model: <c>Sample.FraudFeatures.PredictModel.g.cs</c>.</summary>
        public static string ModelHintName(PipelineSpec spec, StageSpec stage) => HintPrefix(spec) + "." + Scoring.ModelEmitter.ClassName(stage) + ".g.cs";

        /// <summary>The plan's file: <c>Sample.FraudFeatures.Plan.g.cs</c>.</summary>
        public static string PlanHintName(PipelineSpec spec) => HintPrefix(spec) + ".Plan.g.cs";

        /// <summary>
        /// A kernel's file, named like the kernel method (<c>Sample.FraudFeatures.Kernel_Valid_Featurize.g.cs</c>);
        /// a segment of so many stages that the name would pass <see cref="MaxKernelHintLength"/> characters is
        /// named by its index (<c>Sample.FraudFeatures.Kernel3.g.cs</c>) instead.
        /// </summary>
        public static string KernelHintName(PipelineSpec spec, SegmentSpec segment)
        {
            string named = HintPrefix(spec) + "." + segment.KernelName + ".g.cs";
            return named.Length <= MaxKernelHintLength
                ? named
                : HintPrefix(spec) + ".Kernel" + segment.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".g.cs";
        }

        /// <summary>The longest kernel file name written after the stages it runs.</summary>
        public const int MaxKernelHintLength = 120;

        /// <summary>The compiled plan (and the binder of stage parameters, when the stages take any).</summary>
        /// <param name="spec">The pipeline.</param>
        /// <param name="loaders">The model loaders the referenced assemblies name (<see cref="Scoring.ModelLoaders"/>), for run-time models.</param>
        public static string EmitPlan(PipelineSpec spec, EquatableArray<string> loaders = default)
        {
            var w = new SourceWriter();
            w.WriteHeader(spec.Namespace);
            int depth = TypeDeclarationWriter.Open(w, spec.ContainingTypes, "partial class " + spec.ClassName);
            WriteCompiled(w, spec, loaders);
            TypeDeclarationWriter.Close(w, depth);
            return w.ToString();
        }

        /// <summary>The kernel of <paramref name="segment"/>, as a private method of the pipeline class.</summary>
        public static string EmitKernel(PipelineSpec spec, SegmentSpec segment)
        {
            var w = new SourceWriter();
            w.WriteHeader(spec.Namespace);
            int depth = TypeDeclarationWriter.Open(w, spec.ContainingTypes, "partial class " + spec.ClassName);

            w.WriteLine("// The stage expressions below were checked for nullability in the stage methods themselves, where");
            w.WriteLine("// null-forgiving operators (invisible to the kernel compiler) may have silenced warnings.");
            w.WriteLine("#nullable disable warnings");
            w.WriteLine("// A constant stage (e.g. a filter returning true) makes the skip unreachable; comparisons the user's");
            w.WriteLine("// compiler already warned about (or that they suppressed) are not reported a second time here.");
            w.WriteLine("#pragma warning disable CS0162, CS0464, CS0472, CS0652, CS1718, CS8509, CS8510");
            w.WriteLine();
            KernelEmitter.Emit(spec, segment, w);
            w.WriteLine("#pragma warning restore CS0162, CS0464, CS0472, CS0652, CS1718, CS8509, CS8510");
            w.WriteLine("#nullable restore warnings");

            TypeDeclarationWriter.Close(w, depth);
            return w.ToString();
        }

        /// <summary>The distinct parameter types the stages of <paramref name="stages"/> take, in stage order.</summary>
        public static System.Collections.Generic.List<StageParametersSpec> ParameterTypes(PipelineSpec spec, System.Collections.Generic.IEnumerable<string> stages)
        {
            var types = new System.Collections.Generic.List<StageParametersSpec>();
            foreach (string name in stages)
            {
                if (spec.Stage(name).Parameters is { } parameters && !types.Exists(t => t.FullTypeName == parameters.FullTypeName))
                {
                    types.Add(parameters);
                }
            }
            return types;
        }

        /// <summary>
        /// The binder of a pipeline whose stages take parameters: each parameter object is built once from the values
        /// the runtime checked, then bound into the kernels of the segments whose stages take it.
        /// </summary>
        private static void WriteBinder(SourceWriter w, PipelineSpec spec)
        {
            var names = new System.Collections.Generic.List<string>();
            foreach (StageSpec stage in spec.Stages)
            {
                names.Add(stage.Name);
            }
            w.WriteLine(RunTimeScored(spec, names).Count == 0
                ? "/// <summary>Builds each stage parameter object once from <paramref name=\"parameters\"/> and binds it into the kernels whose stages take it.</summary>"
                : "/// <summary>Builds each stage parameter object once from <paramref name=\"parameters\"/> and binds it, and each model the run gives, into the kernels whose stages take them.</summary>");
            w.WriteLine(SourceWriter.GeneratedCodeAttribute);
            w.WriteLine("private static global::System.Collections.Generic.IReadOnlyList<global::Dsl.Execution.SegmentKernel> BindKernels(global::Dsl.Execution.StageParameterValues parameters)");
            w.OpenBrace();
            foreach (StageParametersSpec type in ParameterTypes(spec, names))
            {
                w.WriteLine("var " + type.Local + " = new " + type.FullTypeName + "(");
                w.Indent();
                for (int m = 0; m < type.Members.Count; m++)
                {
                    ParameterMemberSpec member = type.Members[m];
                    w.WriteLine("parameters.Get<" + member.ClrType + ">(" + SourceWriter.Literal(type.Name) + ", " + SourceWriter.Literal(member.Name) + ")"
                        + (m == type.Members.Count - 1 ? ");" : ","));
                }
                w.Unindent();
            }
            foreach (StageSpec stage in RunTimeScored(spec, names))
            {
                w.WriteLine("global::Dsl.Models.IBatchScorer " + Kernels.KernelEmitter.ScorerLocal(stage) + " = parameters.Model(" + SourceWriter.Literal(stage.Score!.RunTimeName!) + ");");
            }
            w.WriteLine("return new global::Dsl.Execution.SegmentKernel[]");
            w.OpenBrace();
            foreach (SegmentSpec segment in spec.Segments)
            {
                var types = ParameterTypes(spec, segment.Stages);
                var scored = RunTimeScored(spec, segment.Stages);
                if (types.Count == 0 && scored.Count == 0)
                {
                    w.WriteLine(segment.KernelName + ",");
                    continue;
                }
                var arguments = new System.Collections.Generic.List<string> { "input", "violations" };
                foreach (StageParametersSpec type in types)
                {
                    arguments.Add(type.Local);
                }
                foreach (StageSpec stage in scored)
                {
                    arguments.Add(Kernels.KernelEmitter.ScorerLocal(stage));
                }
                w.WriteLine("(input, violations) => " + segment.KernelName + "(" + string.Join(", ", arguments) + "),");
            }
            w.CloseBrace(";");
            w.CloseBrace();
        }

        /// <summary>Whether the kernels need values bound at run time: stage parameter objects or run-time models.</summary>
        private static bool HasParameters(PipelineSpec spec)
        {
            foreach (StageSpec stage in spec.Stages)
            {
                if (stage.Parameters is not null || stage.Score is { Model: null })
                {
                    return true;
                }
            }
            return false;
        }

        /// <summary>The score stages among <paramref name="stages"/> whose model is given at run time, in stage order.</summary>
        public static System.Collections.Generic.List<StageSpec> RunTimeScored(PipelineSpec spec, System.Collections.Generic.IEnumerable<string> stages)
        {
            var scored = new System.Collections.Generic.List<StageSpec>();
            foreach (string name in stages)
            {
                if (spec.Stage(name) is { Score: { Model: null, RunTimeName: not null } } stage)
                {
                    scored.Add(stage);
                }
            }
            return scored;
        }

        /// <summary>One <c>StagePlan</c>, one named argument a line.</summary>
        private static void WriteStage(SourceWriter w, PipelineSpec spec, StageSpec stage)
        {
            bool predicates = !stage.ScanPredicates.IsEmpty;
            bool model = stage.Score is { IsBound: true };
            bool parameters = stage.Parameters is not null;
            w.WriteLine("new global::Dsl.Execution.StagePlan(");
            w.Indent();
            w.WriteLine("Name: " + SourceWriter.Literal(stage.Name) + ",");
            w.WriteLine("Kind: global::Dsl.Execution.StageKind." + stage.Kind + ",");
            w.WriteLine("InputSchema: " + SourceWriter.Literal(spec.Schema(stage.InputSchema).Name) + ",");
            w.WriteLine("OutputSchema: " + SourceWriter.Literal(spec.Schema(stage.OutputSchema).Name) + ",");
            w.WriteLine("From: " + (stage.From is null ? "null" : SourceWriter.Literal(stage.From)) + ",");
            w.WriteLine("Vectorized: " + (stage.Kernel.Vectorized ? "true" : "false") + ",");
            w.WriteLine("FallbackReason: "
                + (stage.Kernel.FallbackReason is null ? "null" : SourceWriter.SplitLiteral(stage.Kernel.FallbackReason))
                + (predicates || parameters || model ? "," : "),"));
            if (predicates)
            {
                // Conditions the scan may check against row-group statistics to skip whole groups.
                w.WriteLine("ScanPredicates: new global::Dsl.Execution.ScanPredicate[]");
                w.OpenBrace();
                foreach (ScanPredicateSpec predicate in stage.ScanPredicates)
                {
                    w.WriteLine(predicate.Source() + ",");
                }
                w.CloseBrace(parameters || model ? "," : "),");
            }
            if (stage.Parameters is { } type)
            {
                w.WriteLine("Parameters: new global::Dsl.Execution.StageParametersPlan(");
                w.Indent();
                w.WriteLine("TypeName: " + SourceWriter.Literal(type.Name) + ",");
                w.WriteLine("Members: new global::Dsl.Execution.StageParameterMember[]");
                w.OpenBrace();
                foreach (ParameterMemberSpec member in type.Members)
                {
                    w.WriteLine("new global::Dsl.Execution.StageParameterMember(" + SourceWriter.Literal(member.Name)
                        + ", global::Dsl.Execution.ParameterType." + member.Kind + "),");
                }
                w.CloseBrace(")),");
                w.Unindent();
            }
            if (stage.Score is { Model: { } compiled } score)
            {
                // The model compiled into the kernel, for explain and the run manifest.
                w.WriteLine("Model: new global::Dsl.Execution.ModelPlan(");
                w.Indent();
                w.WriteLine("File: " + SourceWriter.Literal(compiled.Path) + ",");
                w.WriteLine("Sha256: " + SourceWriter.Literal(compiled.Sha256) + ",");
                w.WriteLine("Description: " + SourceWriter.Literal(compiled.Describe()) + ",");
                w.WriteLine("Features: new string[] { " + string.Join(", ", System.Linq.Enumerable.Select(score.FeatureMembers, SourceWriter.Literal)) + " },");
                w.WriteLine("Output: " + SourceWriter.Literal(score.Margin ? "margin" : "prediction") + ")),");
                w.Unindent();
            }
            else if (stage.Score is { RunTimeName: { } name } runTime)
            {
                // A model the run gives (--model NAME=PATH): its file and hash are the run's, in its manifest.
                w.WriteLine("Model: new global::Dsl.Execution.ModelPlan(");
                w.Indent();
                w.WriteLine("File: \"\",");
                w.WriteLine("Sha256: \"\",");
                w.WriteLine("Description: \"given at run time\",");
                w.WriteLine("Features: new string[] { " + string.Join(", ", System.Linq.Enumerable.Select(runTime.FeatureMembers, SourceWriter.Literal)) + " },");
                w.WriteLine("Output: " + SourceWriter.Literal(runTime.Margin ? "margin" : "prediction") + ")");
                w.WriteLine("{");
                w.Indent();
                w.WriteLine("RunTimeName = " + SourceWriter.Literal(name) + ",");
                w.WriteLine("Outputs = " + runTime.Outputs.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",");
                w.Unindent();
                w.WriteLine("}),");
                w.Unindent();
            }
            w.Unindent();
        }

        /// <summary>
        /// The <c>StagePlan</c> of a fit: its rows' schema in and out (it produces no rows, only its record, which
        /// <c>FitPlan.ParametersType</c> names); no kernel of its own (the first pass gathers its statistics).
        /// </summary>
        private static void WriteFitStage(SourceWriter w, PipelineSpec spec, FitSpec fit)
        {
            string schema = SourceWriter.Literal(spec.Schema(fit.InputSchema).Name);
            w.WriteLine("new global::Dsl.Execution.StagePlan(");
            w.Indent();
            w.WriteLine("Name: " + SourceWriter.Literal(fit.Name) + ",");
            w.WriteLine("Kind: global::Dsl.Execution.StageKind.Fit,");
            w.WriteLine("InputSchema: " + schema + ",");
            w.WriteLine("OutputSchema: " + schema + ",");
            w.WriteLine("From: " + (fit.From is null ? "null" : SourceWriter.Literal(fit.From)) + ",");
            w.WriteLine("Vectorized: true,");
            w.WriteLine("FallbackReason: null),");
            w.Unindent();
        }

        /// <summary>One <c>SegmentPlan</c>, one named argument a line.</summary>
        private static void WriteSegment(SourceWriter w, PipelineSpec spec, SegmentSpec segment)
        {
            w.WriteLine("new global::Dsl.Execution.SegmentPlan(");
            w.Indent();
            w.WriteLine("Index: " + segment.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",");
            w.WriteLine("Stages: " + StringArray(segment.Stages) + ",");
            w.WriteLine("InputSegment: "
                + (segment.InputSegment is { } input ? input.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null") + ",");
            w.WriteLine("InputSchema: " + SourceWriter.Literal(spec.Schema(segment.InputSchema).Name) + ",");
            w.WriteLine("OutputSchema: " + SourceWriter.Literal(spec.Schema(segment.OutputSchema).Name) + ",");
            w.WriteLine("IsSink: " + (segment.IsSink ? "true" : "false") + ",");
            w.WriteLine("ReadColumns: " + StringArray(segment.ReadColumns) + ",");
            System.Collections.Generic.IReadOnlyList<string> execution = ExecutionArguments(spec, segment);
            var initializers = new System.Collections.Generic.List<string>();
            if (segment.FitOnly)
            {
                initializers.Add("FitOnly = true,");
                if (segment.OutputColumns is { } written)
                {
                    initializers.Add("OutputColumns = " + StringArray(written) + ",");
                }
            }
            if (segment.InputBarrier is { } barrier)
            {
                initializers.Add("InputBarrier = " + SourceWriter.Literal(barrier) + ",");
            }
            for (int i = 0; i < execution.Count; i++)
            {
                w.WriteLine(execution[i] + (i < execution.Count - 1 ? "," : initializers.Count > 0 ? ")" : "),"));
            }
            w.Unindent();
            if (initializers.Count > 0)
            {
                // FitOnly: first pass only, the rows the fits observe, fused again so that the second pass's segments
                // stay as they are. InputBarrier: it runs on the output batches of that aggregate or join.
                w.OpenBrace();
                foreach (string line in initializers)
                {
                    w.WriteLine(line);
                }
                w.CloseBrace(",");
            }
        }

        private static string StringArray(EquatableArray<string> values)
        {
            if (values.IsEmpty)
            {
                return "global::System.Array.Empty<string>()";
            }
            var literals = new System.Collections.Generic.List<string>();
            foreach (string value in values)
            {
                literals.Add(SourceWriter.Literal(value));
            }
            return "new string[] { " + string.Join(", ", literals) + " }";
        }

        /// <summary>The plan's rules, gates and fits, as the initializer of its <c>PipelinePlan</c>.</summary>
        private static void WriteValidation(SourceWriter w, PipelineSpec spec)
        {
            const string Execution = "global::Dsl.Execution.";
            w.OpenBrace();
            if (!spec.Rules.IsEmpty)
            {
                // The row rules, by the index kernels report broken rows under.
                w.WriteLine("Rules = new " + Execution + "RulePlan[]");
                w.OpenBrace();
                foreach (RulePlacementSpec rule in spec.Rules)
                {
                    WriteRule(w, rule);
                }
                w.CloseBrace(",");
            }
            if (!spec.Gates.IsEmpty)
            {
                // The dataset gates, checked on the whole run's statistics before anything is committed.
                w.WriteLine("Gates = new " + Execution + "GatePlan[]");
                w.OpenBrace();
                foreach (GateSpec gate in spec.Gates)
                {
                    w.WriteLine("new " + Execution + "GatePlan(");
                    w.Indent();
                    w.WriteLine("Id: " + SourceWriter.Literal(gate.Id) + ",");
                    w.WriteLine("Metric: global::Dsl.GateMetric." + gate.Metric + ",");
                    w.WriteLine("Schema: " + SourceWriter.Literal(gate.Schema) + ",");
                    w.WriteLine("Columns: " + StringArray(gate.Columns) + ",");
                    w.WriteLine("Min: " + Number(gate.Min) + ",");
                    w.WriteLine("Max: " + Number(gate.Max) + ",");
                    w.WriteLine("Severity: global::Dsl.GateSeverity." + gate.Severity + ",");
                    w.WriteLine("Declared: " + SourceWriter.Literal(gate.Declared) + (gate.Rule is null ? ")," : ")"));
                    w.Unindent();
                    if (gate.Rule is not null)
                    {
                        w.OpenBrace();
                        w.WriteLine("Rule = " + SourceWriter.Literal(gate.Rule) + ",");
                        w.CloseBrace(",");
                    }
                }
                w.CloseBrace(",");
            }
            if (!spec.Fits.IsEmpty)
            {
                // The fit stages, in the order their records can be computed: the first pass gathers what they ask for.
                w.WriteLine("Fits = new " + Execution + "FitPlan[]");
                w.OpenBrace();
                foreach (FitSpec fit in spec.Fits)
                {
                    WriteFit(w, spec, fit);
                }
                w.CloseBrace(",");
            }
            WriteBarriers(w, spec);
            w.CloseBrace(",");
        }

        /// <summary>The plan's aggregates, joins and splits, as members of its initializer.</summary>
        private static void WriteBarriers(SourceWriter w, PipelineSpec spec)
        {
            const string Execution = "global::Dsl.Execution.";
            string Nullable(string? text) => text is null ? "null" : SourceWriter.Literal(text);
            string Index(int? index) => index is { } i ? i.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null";
            void Tail(string? inputBarrier, bool isSink)
            {
                var extra = new System.Collections.Generic.List<string>();
                if (inputBarrier is not null)
                {
                    extra.Add("InputBarrier = " + SourceWriter.Literal(inputBarrier) + ",");
                }
                if (isSink)
                {
                    extra.Add("IsSink = true,");
                }
                if (extra.Count == 0)
                {
                    w.WriteLine("}),");
                    return;
                }
                w.WriteLine("})");
                w.Unindent();
                w.OpenBrace();
                foreach (string line in extra)
                {
                    w.WriteLine(line);
                }
                w.CloseBrace(",");
                w.Indent();
            }

            if (!spec.Aggregates.IsEmpty)
            {
                // The aggregate stages: partial aggregation per partition, then a merge by key hash.
                w.WriteLine("Aggregates = new " + Execution + "AggregatePlan[]");
                w.OpenBrace();
                foreach (AggregateSpec aggregate in spec.Aggregates)
                {
                    w.WriteLine("new " + Execution + "AggregatePlan(");
                    w.Indent();
                    w.WriteLine("Stage: " + SourceWriter.Literal(aggregate.Name) + ",");
                    w.WriteLine("InputSchema: " + SourceWriter.Literal(spec.Schema(aggregate.InputSchema).Name) + ",");
                    w.WriteLine("From: " + Nullable(aggregate.From) + ",");
                    w.WriteLine("InputSegment: " + Index(aggregate.InputSegment) + ",");
                    w.WriteLine("OutputSchema: " + SourceWriter.Literal(spec.Schema(aggregate.OutputSchema).Name) + ",");
                    w.WriteLine("Keys: " + StringArray(aggregate.Keys) + ",");
                    w.WriteLine("Outputs: new " + Execution + "AggregateOutput[]");
                    w.OpenBrace();
                    foreach (AggregateOutputSpec output in aggregate.Outputs)
                    {
                        w.WriteLine("new " + Execution + "AggregateOutput(" + SourceWriter.Literal(output.Member) + ", " + Execution + "AggregateFunction." + output.Function
                            + ", " + Nullable(output.Column) + (output.OrderColumn is null ? string.Empty : ", " + SourceWriter.Literal(output.OrderColumn)) + "),");
                    }
                    w.Unindent();
                    Tail(aggregate.InputBarrier, aggregate.IsSink);
                    w.Unindent();
                }
                w.CloseBrace(",");
            }
            if (!spec.Joins.IsEmpty)
            {
                // The join stages: broadcast or shuffled hash joins, chosen at run time from the table's size.
                w.WriteLine("Joins = new " + Execution + "JoinPlan[]");
                w.OpenBrace();
                foreach (JoinSpec join in spec.Joins)
                {
                    w.WriteLine("new " + Execution + "JoinPlan(");
                    w.Indent();
                    w.WriteLine("Stage: " + SourceWriter.Literal(join.Name) + ",");
                    w.WriteLine("LeftSchema: " + SourceWriter.Literal(spec.Schema(join.LeftSchema).Name) + ",");
                    w.WriteLine("RightSchema: " + SourceWriter.Literal(spec.Schema(join.RightSchema).Name) + ",");
                    w.WriteLine("Table: " + SourceWriter.Literal(join.Table) + ",");
                    w.WriteLine("From: " + Nullable(join.From) + ",");
                    w.WriteLine("InputSegment: " + Index(join.InputSegment) + ",");
                    w.WriteLine("OutputSchema: " + SourceWriter.Literal(spec.Schema(join.OutputSchema).Name) + ",");
                    w.WriteLine("Kind: global::Dsl.JoinKind." + join.Kind + ",");
                    w.WriteLine("LeftKeys: " + StringArray(join.LeftKeys) + ",");
                    w.WriteLine("RightKeys: " + StringArray(join.RightKeys) + ",");
                    w.WriteLine("Outputs: new " + Execution + "JoinOutput[]");
                    w.OpenBrace();
                    foreach (JoinOutputSpec output in join.Outputs)
                    {
                        w.WriteLine("new " + Execution + "JoinOutput(" + SourceWriter.Literal(output.Member) + ", " + Execution + "JoinSide." + output.Side + ", " + SourceWriter.Literal(output.Column) + "),");
                    }
                    w.Unindent();
                    Tail(join.InputBarrier, join.IsSink);
                    w.Unindent();
                }
                w.CloseBrace(",");
            }
            if (!spec.Splits.IsEmpty)
            {
                // The splits of sink outputs into split=NAME/ folders.
                w.WriteLine("Splits = new " + Execution + "SplitPlan[]");
                w.OpenBrace();
                foreach (SplitSpec split in spec.Splits)
                {
                    w.WriteLine("new " + Execution + "SplitPlan(");
                    w.Indent();
                    w.WriteLine("Sink: " + SourceWriter.Literal(split.Sink) + ",");
                    w.WriteLine("Key: " + StringArray(split.Key) + ",");
                    w.WriteLine("Names: " + StringArray(split.Names) + ",");
                    w.WriteLine("Fractions: " + Numbers(split.Fractions) + ",");
                    w.WriteLine("Seed: " + split.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture) + "L,");
                    w.WriteLine("StratifyBy: " + Nullable(split.StratifyBy) + "),");
                    w.Unindent();
                }
                w.CloseBrace(",");
            }
        }

        /// <summary>One <c>FitPlan</c>, one named argument a line, its requests one a line.</summary>
        private static void WriteFit(SourceWriter w, PipelineSpec spec, FitSpec fit)
        {
            const string Execution = "global::Dsl.Execution.";
            w.WriteLine("new " + Execution + "FitPlan(");
            w.Indent();
            w.WriteLine("Stage: " + SourceWriter.Literal(fit.Name) + ",");
            w.WriteLine("InputSchema: " + SourceWriter.Literal(spec.Schema(fit.InputSchema).Name) + ",");
            w.WriteLine("From: " + (fit.From is null ? "null" : SourceWriter.Literal(fit.From)) + ",");
            w.WriteLine("Segment: " + (fit.Segment is { } segment ? segment.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null") + ",");
            w.WriteLine("ParametersType: " + SourceWriter.Literal(fit.Parameters.Name) + ",");
            if (fit.Requests.IsEmpty)
            {
                w.WriteLine("Requests: global::System.Array.Empty<" + Execution + "FitRequest>()),");
                w.Unindent();
                return;
            }
            w.WriteLine("Requests: new " + Execution + "FitRequest[]");
            w.OpenBrace();
            foreach (FitRequestSpec request in fit.Requests)
            {
                w.WriteLine("new " + Execution + "FitRequest(" + Execution + "FitStatistic." + request.Statistic + ", "
                    + SourceWriter.Literal(request.Column) + ", " + SourceWriter.Literal(request.Expression) + ", " + Numbers(request.Arguments) + "),");
            }
            w.CloseBrace("),");
            w.Unindent();
        }

        private static string Numbers(EquatableArray<double> values)
        {
            if (values.IsEmpty)
            {
                return "global::System.Array.Empty<double>()";
            }
            var numbers = new System.Collections.Generic.List<string>();
            foreach (double value in values)
            {
                numbers.Add(double.IsNaN(value) || double.IsInfinity(value)
                    ? KernelLowering.ConstantText(value)
                    : value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            }
            return "new double[] { " + string.Join(", ", numbers) + " }";
        }

        /// <summary>
        /// <c>FitParameters</c>: each fit method called once on its statistics from the first pass, in plan order, and
        /// each member of the record it returns set into the stage parameter values the second pass binds.
        /// </summary>
        private static void WriteFitter(SourceWriter w, PipelineSpec spec)
        {
            w.WriteLine("/// <summary>");
            w.WriteLine("/// Runs the fit stages on the merged statistics of the first pass (<paramref name=\"results\"/>) and sets each member of");
            w.WriteLine("/// the records they return into <paramref name=\"into\"/>, where the stages taking those records find them.");
            w.WriteLine("/// </summary>");
            w.WriteLine(SourceWriter.GeneratedCodeAttribute);
            w.WriteLine("private static void FitParameters(global::Dsl.Fitting.FitResults results, global::Dsl.Execution.StageParameterValues into)");
            w.OpenBrace();
            for (int f = 0; f < spec.Fits.Count; f++)
            {
                FitSpec fit = spec.Fits[f];
                StageParametersSpec record = fit.Parameters;
                if (f > 0)
                {
                    w.WriteLine();
                }
                string rows = fit.Segment is { } segment
                    ? "the rows segment " + segment.ToString(System.Globalization.CultureInfo.InvariantCulture) + " passes from " + fit.From
                    : "the pipeline input as read";
                w.WriteLine("// " + fit.Name + ": statistics of " + rows);
                w.OpenBrace();
                string call = spec.FullTypeName + "." + fit.Name + "(new global::Dsl.FitData<" + fit.InputSchema + ">(results, " + SourceWriter.Literal(fit.Name) + "))";
                if (record.IsValueType)
                {
                    w.WriteLine(record.FullTypeName + " fitted = " + call + ";");
                }
                else
                {
                    w.WriteLine(record.FullTypeName + " fitted = " + call);
                    w.Indent();
                    w.WriteLine("?? throw new global::System.InvalidOperationException(" + SourceWriter.Literal("Fit stage '" + fit.Name + "' returned null instead of its " + record.Name + " record.") + ");");
                    w.Unindent();
                }
                foreach (ParameterMemberSpec member in record.Members)
                {
                    string value = "fitted." + member.Name;
                    if (member.Kind is "String" or "DoubleArray" or "StringArray")
                    {
                        // A fitted value is never null: the second pass's kernels read it as it is.
                        value += " ?? throw new global::System.InvalidOperationException("
                            + SourceWriter.Literal("Fit stage '" + fit.Name + "' returned a " + record.Name + " whose " + member.Name + " is null; fitted values are never null.") + ")";
                    }
                    w.WriteLine("into.Set(" + SourceWriter.Literal(record.Name) + ", " + SourceWriter.Literal(member.Name) + ", " + value + ");");
                }
                w.CloseBrace();
            }
            w.CloseBrace();
        }

        private static void WriteRule(SourceWriter w, RulePlacementSpec placement)
        {
            RuleSpec rule = placement.Rule;
            w.WriteLine("new global::Dsl.Execution.RulePlan(");
            w.Indent();
            w.WriteLine("Index: " + placement.Index.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",");
            w.WriteLine("Id: " + SourceWriter.Literal(rule.Id) + ",");
            w.WriteLine("Kind: global::Dsl.Execution.RuleKind." + rule.Kind + ",");
            w.WriteLine("Action: global::Dsl.RuleAction." + rule.Action + ",");
            w.WriteLine("Stage: " + SourceWriter.Literal(placement.Stage) + ",");
            w.WriteLine("Schema: " + SourceWriter.Literal(placement.Schema) + ",");
            w.WriteLine("Columns: " + StringArray(placement.Columns) + ",");
            w.WriteLine("Segment: " + placement.Segment.ToString(System.Globalization.CultureInfo.InvariantCulture) + ",");
            var extra = new System.Collections.Generic.List<string>();
            if (rule.Kind == "Range")
            {
                extra.Add("Min = " + Number(rule.Min));
                extra.Add("Max = " + Number(rule.Max));
                if (rule.MinExclusive)
                {
                    extra.Add("MinExclusive = true");
                }
                if (rule.MaxExclusive)
                {
                    extra.Add("MaxExclusive = true");
                }
            }
            if (rule.Kind == "OneOf")
            {
                var values = new System.Collections.Generic.List<string>();
                foreach (string text in rule.Strings)
                {
                    values.Add(text);
                }
                foreach (long number in rule.Integers)
                {
                    values.Add(number.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                extra.Add("Values = " + StringArray(values.ToEquatableArray()));
            }
            if (rule.Kind is "MinLength" or "MaxLength")
            {
                extra.Add("Length = " + rule.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            if (rule.Kind == "Regex")
            {
                extra.Add("Pattern = " + SourceWriter.Literal(rule.Pattern ?? string.Empty));
            }
            if (placement.Message is not null)
            {
                extra.Add("Message = " + SourceWriter.SplitLiteral(placement.Message));
            }
            if (rule.Kind == "Unique")
            {
                extra.Add("AcrossDataset = " + (rule.AcrossDataset ? "true" : "false"));
            }
            w.WriteLine("Description: " + SourceWriter.SplitLiteral(placement.Description) + (extra.Count == 0 ? ")," : ")"));
            w.Unindent();
            if (extra.Count > 0)
            {
                w.OpenBrace();
                foreach (string line in extra)
                {
                    w.WriteLine(line + ",");
                }
                w.CloseBrace(",");
            }
        }

        private static string Number(double? value) => value is { } v ? KernelLowering.ConstantText(v) : "null";

        private static void WriteCompiled(SourceWriter w, PipelineSpec spec, EquatableArray<string> loaders)
        {
            w.WriteLine("/// <summary>The compiled plan of pipeline " + SourceWriter.Literal(spec.PipelineName) + " and one kernel per fused segment.</summary>");
            w.WriteLine(SourceWriter.GeneratedCodeAttribute);
            w.WriteLine("public static global::Dsl.Execution.CompiledPipeline Compiled { get; } = new global::Dsl.Execution.CompiledPipeline(");
            w.Indent();
            w.WriteLine("new global::Dsl.Execution.PipelinePlan(");
            w.Indent();
            w.WriteLine("Name: " + SourceWriter.Literal(spec.PipelineName) + ",");
            w.WriteLine("InputSchema: " + SourceWriter.Literal(spec.Schema(spec.InputSchema).Name) + ",");
            w.WriteLine("Schemas: new global::System.Collections.Generic.Dictionary<string, global::Dsl.BatchSchema>(global::System.StringComparer.Ordinal)");
            w.OpenBrace();
            foreach (SchemaSpec schema in spec.Schemas)
            {
                w.WriteLine("[" + SourceWriter.Literal(schema.Name) + "] = " + schema.FullTypeName + ".BatchSchema,");
            }
            w.CloseBrace(",");
            w.WriteLine("Stages: new global::Dsl.Execution.StagePlan[]");
            w.OpenBrace();
            foreach (StageSpec stage in spec.Stages)
            {
                WriteStage(w, spec, stage);
            }
            foreach (FitSpec fit in spec.Fits)
            {
                WriteFitStage(w, spec, fit);
            }
            w.CloseBrace(",");
            w.WriteLine("Segments: new global::Dsl.Execution.SegmentPlan[]");
            w.OpenBrace();
            foreach (SegmentSpec segment in spec.Segments)
            {
                WriteSegment(w, spec, segment);
            }
            if (spec.Rules.IsEmpty && spec.Gates.IsEmpty && spec.Fits.IsEmpty && spec.Aggregates.IsEmpty && spec.Joins.IsEmpty && spec.Splits.IsEmpty)
            {
                w.CloseBrace("),");
            }
            else
            {
                w.CloseBrace(")");
                w.Unindent();
                WriteValidation(w, spec);
                w.Indent();
            }
            w.Unindent();
            // The fit stages' records become parameter values of the second pass: FitParameters computes them. Run-time
            // models are opened by the loaders of Dsl.Runtime and of the referenced packages that name one.
            var initializers = new System.Collections.Generic.List<string>();
            if (!spec.Fits.IsEmpty)
            {
                initializers.Add("Fitter = FitParameters");
            }
            if (RunTimeScored(spec, System.Linq.Enumerable.Select(spec.Stages, s => s.Name)).Count > 0 && !loaders.IsEmpty)
            {
                initializers.Add("ModelLoaders = new global::Dsl.Models.IModelLoader[] { "
                    + string.Join(", ", System.Linq.Enumerable.Select(loaders, l => "new global::" + l + "()")) + " }");
            }
            string fitter = initializers.Count == 0 ? ";" : " { " + string.Join(", ", initializers) + " };";
            if (HasParameters(spec))
            {
                // The kernels need the stages' parameter objects: the runtime binds them (WithParameters) before a run.
                w.WriteLine("BindKernels)" + fitter);
                w.Unindent();
                w.WriteLine();
                WriteBinder(w, spec);
            }
            else
            {
                w.WriteLine("new global::Dsl.Execution.SegmentKernel[]");
                w.OpenBrace();
                foreach (SegmentSpec segment in spec.Segments)
                {
                    w.WriteLine(segment.KernelName + ",");
                }
                w.CloseBrace(")" + fitter);
                w.Unindent();
            }
            if (!spec.Fits.IsEmpty)
            {
                w.WriteLine();
                WriteFitter(w, spec);
            }
        }
    }
}
