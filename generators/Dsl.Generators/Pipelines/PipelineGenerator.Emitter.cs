using Dsl.Generators.Common;
using Dsl.Generators.Kernels;
using Dsl.Generators.Model;

namespace Dsl.Generators.Pipelines;

public sealed partial class PipelineGenerator
{
    /// <summary>Writes the source completing a pipeline class, from its spec only.</summary>
    internal static class Emitter
    {
        public static string HintName(PipelineSpec spec)
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
            return sb.Append(spec.ClassName).Append(".Pipeline.g.cs").ToString();
        }

        public static string Emit(PipelineSpec spec)
        {
            var w = new SourceWriter();
            w.WriteHeader(spec.Namespace);
            int depth = TypeDeclarationWriter.Open(w, spec.ContainingTypes, "partial class " + spec.ClassName);

            WriteCompiled(w, spec);
            w.WriteLine();
            w.WriteLine("// The stage expressions below were checked for nullability in the stage methods themselves, where");
            w.WriteLine("// null-forgiving operators (invisible to the kernel compiler) may have silenced warnings.");
            w.WriteLine("#nullable disable warnings");
            w.WriteLine("// A constant stage (e.g. a filter returning true) makes the skip unreachable; comparisons the user's");
            w.WriteLine("// compiler already warned about (or that they suppressed) are not reported a second time here.");
            w.WriteLine("#pragma warning disable CS0162, CS0464, CS0472, CS0652, CS1718, CS8509, CS8510");
            foreach (SegmentSpec segment in spec.Segments)
            {
                w.WriteLine();
                KernelEmitter.Emit(spec, segment, w);
            }
            w.WriteLine("#pragma warning restore CS0162, CS0464, CS0472, CS0652, CS1718, CS8509, CS8510");
            w.WriteLine("#nullable restore warnings");

            TypeDeclarationWriter.Close(w, depth);
            return w.ToString();
        }

        /// <summary>", ScanPredicates: new ScanPredicate[] { ... }" for a source filter with some; else nothing.</summary>
        private static string ScanPredicates(StageSpec stage)
        {
            if (stage.ScanPredicates.IsEmpty)
            {
                return string.Empty;
            }
            var items = new System.Collections.Generic.List<string>();
            foreach (ScanPredicateSpec predicate in stage.ScanPredicates)
            {
                items.Add(predicate.Source());
            }
            return ", ScanPredicates: new global::Dsl.Execution.ScanPredicate[] { " + string.Join(", ", items) + " }";
        }

        /// <summary>", Parameters: new StageParametersPlan(...)" for a stage that takes a parameter object; else nothing.</summary>
        private static string Parameters(StageSpec stage)
        {
            if (stage.Parameters is not { } parameters)
            {
                return string.Empty;
            }
            var members = new System.Collections.Generic.List<string>();
            foreach (ParameterMemberSpec member in parameters.Members)
            {
                members.Add("new global::Dsl.Execution.StageParameterMember(" + SourceWriter.Literal(member.Name) + ", global::Dsl.Execution.ParameterType." + member.Kind + ")");
            }
            return ", Parameters: new global::Dsl.Execution.StageParametersPlan(" + SourceWriter.Literal(parameters.Name)
                + ", new global::Dsl.Execution.StageParameterMember[] { " + string.Join(", ", members) + " })";
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
            w.WriteLine("/// <summary>Builds each stage parameter object once from <paramref name=\"parameters\"/> and binds it into the kernels whose stages take it.</summary>");
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
            w.WriteLine("return new global::Dsl.Execution.SegmentKernel[]");
            w.OpenBrace();
            foreach (SegmentSpec segment in spec.Segments)
            {
                var types = ParameterTypes(spec, segment.Stages);
                if (types.Count == 0)
                {
                    w.WriteLine(segment.KernelName + ",");
                    continue;
                }
                var arguments = new System.Collections.Generic.List<string> { "input" };
                foreach (StageParametersSpec type in types)
                {
                    arguments.Add(type.Local);
                }
                w.WriteLine("input => " + segment.KernelName + "(" + string.Join(", ", arguments) + "),");
            }
            w.CloseBrace(";");
            w.CloseBrace();
        }

        private static bool HasParameters(PipelineSpec spec)
        {
            foreach (StageSpec stage in spec.Stages)
            {
                if (stage.Parameters is not null)
                {
                    return true;
                }
            }
            return false;
        }

        private static void WriteCompiled(SourceWriter w, PipelineSpec spec)
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
                w.WriteLine("new global::Dsl.Execution.StagePlan("
                    + SourceWriter.Literal(stage.Name) + ", "
                    + "global::Dsl.Execution.StageKind." + stage.Kind + ", "
                    + SourceWriter.Literal(spec.Schema(stage.InputSchema).Name) + ", "
                    + SourceWriter.Literal(spec.Schema(stage.OutputSchema).Name) + ", "
                    + (stage.From is null ? "null" : SourceWriter.Literal(stage.From)) + ", "
                    + (stage.Kernel.Vectorized ? "true" : "false") + ", "
                    + (stage.Kernel.FallbackReason is null ? "null" : SourceWriter.Literal(stage.Kernel.FallbackReason))
                    + ScanPredicates(stage) + Parameters(stage) + "),");
            }
            w.CloseBrace(",");
            w.WriteLine("Segments: new global::Dsl.Execution.SegmentPlan[]");
            w.OpenBrace();
            foreach (SegmentSpec segment in spec.Segments)
            {
                var stages = new System.Collections.Generic.List<string>();
                foreach (string name in segment.Stages)
                {
                    stages.Add(SourceWriter.Literal(name));
                }
                var columns = new System.Collections.Generic.List<string>();
                foreach (string name in segment.ReadColumns)
                {
                    columns.Add(SourceWriter.Literal(name));
                }
                w.WriteLine("new global::Dsl.Execution.SegmentPlan("
                    + segment.Index + ", "
                    + "new string[] { " + string.Join(", ", stages) + " }, "
                    + (segment.InputSegment is { } input ? input.ToString(System.Globalization.CultureInfo.InvariantCulture) : "null") + ", "
                    + SourceWriter.Literal(spec.Schema(segment.InputSchema).Name) + ", "
                    + SourceWriter.Literal(spec.Schema(segment.OutputSchema).Name) + ", "
                    + (segment.IsSink ? "true" : "false") + ", "
                    + (columns.Count == 0 ? "global::System.Array.Empty<string>()" : "new string[] { " + string.Join(", ", columns) + " }")
                    + ExecutionArguments(spec, segment) + "),");
            }
            w.CloseBrace("),");
            w.Unindent();
            if (HasParameters(spec))
            {
                // The kernels need the stages' parameter objects: the runtime binds them (WithParameters) before a run.
                w.WriteLine("BindKernels);");
                w.Unindent();
                w.WriteLine();
                WriteBinder(w, spec);
                return;
            }
            w.WriteLine("new global::Dsl.Execution.SegmentKernel[]");
            w.OpenBrace();
            foreach (SegmentSpec segment in spec.Segments)
            {
                w.WriteLine(segment.KernelName + ",");
            }
            w.CloseBrace(");");
            w.Unindent();
        }
    }
}
