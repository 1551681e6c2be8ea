using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Graph;
using Dsl.Generators.Kernels;
using Dsl.Generators.Model;
using Dsl.Generators.Schemas;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Dsl.Generators.Pipelines;

public sealed partial class PipelineGenerator
{
    /// <summary>Parses a pipeline class: its stages, their schemas and kernels, then the wiring.</summary>
    internal static class Parser
    {
        public static Result<PipelineSpec> Parse(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            var type = (INamedTypeSymbol)context.TargetSymbol;
            var diagnostics = new List<DiagnosticInfo>();
            string pipelineName = context.Attributes.Length > 0 && context.Attributes[0].ConstructorArguments.Length == 1
                && context.Attributes[0].ConstructorArguments[0].Value is string name
                ? name
                : type.Name;

            // Declaration-shape problems (DSL2004, DSL2005, and per stage DSL2001-2003 and DSL2008-2010) are reported by
            // PipelineAnalyzer while the user types; here they only make the parser decline the pipeline.
            if (StageRules.PipelineProblems(type, includeContainers: true).Count > 0
                || StageRules.DuplicateStageNames(type, pipelineName, cancellationToken).Count > 0)
            {
                return new Result<PipelineSpec>(null, diagnostics.ToEquatableArray());
            }

            var drafts = new List<StageDraft>();
            var fits = new List<FitDraft>();
            bool stagesValid = true;
            foreach (ISymbol member in type.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member is not IMethodSymbol method)
                {
                    continue;
                }
                AttributeData? attribute = StageRules.StageAttribute(method, out StageKindSpec kind);
                if (attribute is null || kind == StageKindSpec.Fit)
                {
                    // A split on a method whose rows are never written splits nothing.
                    if (BarrierReader.SplitAttribute(method) is { } split)
                    {
                        string why = attribute is null ? "'" + method.Name + "' is not a stage" : "'" + method.Name + "' is a fit stage, which computes a parameter record and writes no rows";
                        diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.SplitNotOnSink,
                            split.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? method.Locations[0], method.Name, pipelineName, why));
                    }
                    if (attribute is null)
                    {
                        continue;
                    }
                }
                if (kind == StageKindSpec.Fit)
                {
                    FitDraft? fit = ParseFit(context, method, attribute, pipelineName, diagnostics, cancellationToken);
                    stagesValid &= fit is not null;
                    if (fit is not null)
                    {
                        fits.Add(fit);
                    }
                    continue;
                }
                StageDraft? draft = ParseStage(context, method, attribute, kind, pipelineName, diagnostics, cancellationToken);
                if (draft is null)
                {
                    stagesValid = false;
                }
                else
                {
                    drafts.Add(draft);
                }
            }

            if (stagesValid && drafts.Count == 0)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PipelineHasNoStages, type.Locations[0], pipelineName, "no stages"));
            }
            if (!stagesValid || drafts.Count == 0)
            {
                return new Result<PipelineSpec>(null, diagnostics.ToEquatableArray());
            }

            SchemaSpec? declaredInput = DeclaredInput(context, cancellationToken);
            var graph = PipelineGraphBuilder.Build(pipelineName, drafts, declaredInput, type.Locations[0], diagnostics);
            if (graph is not { } g
                || FitPlanner.Plan(pipelineName, fits, g.InputSchema, g.Stages, g.Segments, g.Schemas, g.Rules, drafts, diagnostics) is not { } fitted
                || diagnostics.Any(d => d.Id == DiagnosticIds.SplitNotOnSink))
            {
                return new Result<PipelineSpec>(null, diagnostics.ToEquatableArray());
            }

            var spec = new PipelineSpec(
                SymbolNames.Namespace(type),
                SymbolNames.ContainingTypeDeclarations(type),
                type.Name,
                SymbolNames.Qualified(type),
                pipelineName,
                g.InputSchema,
                g.Schemas.ToEquatableArray(),
                g.Stages.ToEquatableArray(),
                fitted.Segments.ToEquatableArray(),
                context.SemanticModel.Compilation.Options.CheckOverflow)
            {
                Rules = g.Rules.ToEquatableArray(),
                Fits = fitted.Fits.ToEquatableArray(),
                Aggregates = g.Barriers.Aggregates.ToEquatableArray(),
                Joins = g.Barriers.Joins.ToEquatableArray(),
                Splits = g.Barriers.Splits.ToEquatableArray(),
            };
            if (GateReader.Read(type, spec, diagnostics, cancellationToken) is not { } gates)
            {
                return new Result<PipelineSpec>(null, diagnostics.ToEquatableArray());
            }
            spec = spec with { Gates = gates };
            return new Result<PipelineSpec>(spec, diagnostics.ToEquatableArray());
        }

        /// <summary>The schema named by <c>[Pipeline(Input = typeof(T))]</c>, when given and valid.</summary>
        private static SchemaSpec? DeclaredInput(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
        {
            if (context.Attributes.Length == 0)
            {
                return null;
            }
            foreach (KeyValuePair<string, TypedConstant> argument in context.Attributes[0].NamedArguments)
            {
                if (argument.Key == "Input" && argument.Value.Value is INamedTypeSymbol input
                    && SymbolNames.HasAttribute(input, KnownTypeNames.SchemaAttribute))
                {
                    return SchemaGenerator.Parser.Parse(input, cancellationToken).Spec;
                }
            }
            return null;
        }

        /// <summary>A fit stage, or null when its declaration or body has a problem.</summary>
        private static FitDraft? ParseFit(
            GeneratorAttributeSyntaxContext context,
            IMethodSymbol method,
            AttributeData attribute,
            string pipelineName,
            List<DiagnosticInfo> diagnostics,
            CancellationToken cancellationToken)
        {
            if (method.DeclaringSyntaxReferences.Length == 0
                || method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not MethodDeclarationSyntax declaration
                || StageRules.StageProblems(method, declaration, StageKindSpec.Fit, pipelineName, cancellationToken).Count > 0)
            {
                return null; // Declaration problems are PipelineAnalyzer's to report.
            }
            SemanticModel semanticModel = declaration.SyntaxTree == context.SemanticModel.SyntaxTree
                ? context.SemanticModel
                : context.SemanticModel.Compilation.GetSemanticModel(declaration.SyntaxTree);
            return FitReader.Read(method, attribute, declaration, semanticModel, pipelineName, diagnostics, cancellationToken);
        }

        private static StageDraft? ParseStage(
            GeneratorAttributeSyntaxContext context,
            IMethodSymbol method,
            AttributeData attribute,
            StageKindSpec kind,
            string pipelineName,
            List<DiagnosticInfo> diagnostics,
            CancellationToken cancellationToken)
        {
            var declaration = method.DeclaringSyntaxReferences.Length > 0
                ? method.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) as MethodDeclarationSyntax
                : null;
            if (declaration is null)
            {
                return null;
            }
            Location location = declaration.Identifier.GetLocation();
            if (StageRules.StageProblems(method, declaration, kind, pipelineName, cancellationToken).Count > 0)
            {
                return null;
            }
            // The split's problems, like the declaration's, are PipelineAnalyzer's to report.
            var problems = new List<Analyzers.DeclarationProblem>();
            SplitDraft? split = BarrierReader.ReadSplit(method, kind, pipelineName, problems, cancellationToken);
            if (problems.Count > 0)
            {
                return null;
            }
            if (kind is StageKindSpec.Aggregate or StageKindSpec.Join)
            {
                return ParseBarrier(context, method, attribute, declaration, kind, pipelineName, cancellationToken) is { } barrier
                    ? new StageDraft(barrier.Name, barrier.Kind, barrier.Input, barrier.Output, barrier.From, barrier.FromLocation, barrier.Location, barrier.InputTypeLocation, barrier.Kernel)
                    {
                        Aggregate = barrier.Aggregate,
                        Join = barrier.Join,
                        Split = split,
                    }
                    : null;
            }
            ScoreSpec? score = StageRules.IsScore(method) ? ReadScore(method, attribute) : null;
            StageParametersSpec? parameters = score is null && method.Parameters.Length == 2 ? Parameters((INamedTypeSymbol)method.Parameters[1].Type) : null;

            IParameterSymbol row = method.Parameters[0];
            Location inputTypeLocation = declaration.ParameterList.Parameters[0].Type?.GetLocation() ?? location;
            // StageProblems found both schemas marked [Schema]; problems of the schemas themselves are SchemaAnalyzer's.
            SchemaSpec? input = SchemaGenerator.Parser.Parse((INamedTypeSymbol)row.Type, cancellationToken).Spec;
            SchemaSpec? output = kind != StageKindSpec.Map
                ? input
                : SchemaGenerator.Parser.Parse((INamedTypeSymbol)method.ReturnType, cancellationToken).Spec;
            if (input is null || output is null)
            {
                return null;
            }

            SemanticModel semanticModel = declaration.SyntaxTree == context.SemanticModel.SyntaxTree
                ? context.SemanticModel
                : context.SemanticModel.Compilation.GetSemanticModel(declaration.SyntaxTree);
            StageKernelSpec kernel = KernelLowering.Lower(
                method,
                declaration,
                semanticModel,
                input,
                parameters,
                kind == StageKindSpec.Map ? output : null,
                cancellationToken,
                out string? fallbackReason,
                out Location? fallbackLocation,
                score is null ? null : method.Parameters.Skip(1).ToList());
            if (score is not null)
            {
                kernel = kernel with { ReadMembers = ScoreReads(kernel, score, input) };
            }
            if (fallbackReason is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.KernelFallback, fallbackLocation, method.Name, fallbackReason, pipelineName));
            }

            string? from = null;
            Location? fromLocation = null;
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == "From" && argument.Value.Value is string value)
                {
                    from = value;
                    fromLocation = FromLocation(attribute, cancellationToken);
                }
                else if (argument.Key == "RelaxedMath" && argument.Value.Value is true)
                {
                    kernel = kernel with { RelaxedMath = true };
                }
            }

            // A check never gives scan predicates: a row it refuses must still reach it to be reported.
            EquatableArray<ScanPredicateSpec> predicates = kind == StageKindSpec.Filter
                ? ScanPredicateExtractor.Extract(KernelLowering.ScanCondition(method, declaration, semanticModel, input, parameters, kernel, cancellationToken), input)
                : EquatableArray<ScanPredicateSpec>.Empty;

            return new StageDraft(method.Name, kind, input, output, from, fromLocation, location, inputTypeLocation, kernel, predicates, parameters)
            {
                Validation = Validation(attribute, declaration),
                Split = split,
                Score = score,
            };
        }

        /// <summary>What a <c>[Score]</c> attribute says: the model file, the features it lists, margins or predictions.</summary>
        private static ScoreSpec ReadScore(IMethodSymbol method, AttributeData attribute)
        {
            string model = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string path ? path : string.Empty;
            var features = new List<string>();
            bool margin = false;
            string? name = null;
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == "ModelName" && argument.Value.Value is string given)
                {
                    name = given;
                }
                else if (argument.Key == "Features" && !argument.Value.IsNull)
                {
                    features.AddRange(argument.Value.Values.Select(v => v.Value as string ?? string.Empty));
                }
                else if (argument.Key == "Output" && argument.Value.Value is int output)
                {
                    margin = output == 1; // ScoreOutput.Margin
                }
            }
            var outputs = method.Parameters.Skip(1)
                .Select(p => new ScoreOutputSpec(p.Name, p.Type.SpecialType == SpecialType.System_Double ? "double" : "float"))
                .ToEquatableArray();
            return new ScoreSpec(model, features.ToEquatableArray(), margin, outputs) { RunTimeName = name };
        }

        /// <summary>
        /// The input members a score stage reads: what its body reads and its features. Until the model is read (after
        /// the pipeline is wired) its features are the members <c>Features</c> lists, or else every number and bool
        /// member of the input, which a model without a list names among.
        /// </summary>
        private static EquatableArray<string> ScoreReads(StageKernelSpec kernel, ScoreSpec score, SchemaSpec input)
        {
            var read = new HashSet<string>(kernel.ReadMembers, System.StringComparer.Ordinal);
            foreach (ColumnSpec column in input.Columns)
            {
                if (score.DeclaredFeatures.IsEmpty ? Scoring.ModelBinder.IsFeatureKind(column.Kind) : score.DeclaredFeatures.Contains(column.MemberName))
                {
                    read.Add(column.MemberName);
                }
            }
            return input.Columns.Where(c => read.Contains(c.MemberName)).Select(c => c.MemberName).ToEquatableArray();
        }

        /// <summary>
        /// An aggregate or join stage (whose declaration <see cref="StageRules.StageProblems"/> accepted), or null when
        /// its body or attribute has a problem (PipelineAnalyzer reports it) or does not compile. It has no kernel:
        /// its <see cref="StageKernelSpec"/> only lists the input members it reads.
        /// </summary>
        private static StageDraft? ParseBarrier(
            GeneratorAttributeSyntaxContext context,
            IMethodSymbol method,
            AttributeData attribute,
            MethodDeclarationSyntax declaration,
            StageKindSpec kind,
            string pipelineName,
            CancellationToken cancellationToken)
        {
            SemanticModel semanticModel = declaration.SyntaxTree == context.SemanticModel.SyntaxTree
                ? context.SemanticModel
                : context.SemanticModel.Compilation.GetSemanticModel(declaration.SyntaxTree);
            var problems = new List<Analyzers.DeclarationProblem>();
            AggregateDraft? aggregate = null;
            JoinDraft? join = null;
            ITypeSymbol inputType;
            if (kind == StageKindSpec.Aggregate)
            {
                aggregate = BarrierReader.ReadAggregate(method, attribute, declaration, semanticModel, pipelineName, problems, cancellationToken);
                inputType = StageRules.GroupRowType(method.Parameters[0].Type)!;
            }
            else
            {
                join = BarrierReader.ReadJoin(method, attribute, declaration, semanticModel, pipelineName, problems, cancellationToken);
                inputType = StageRules.Unwrapped(method.Parameters[0].Type);
            }
            if ((aggregate is null && join is null) || problems.Count > 0)
            {
                return null;
            }
            SchemaSpec? input = SchemaGenerator.Parser.Parse((INamedTypeSymbol)inputType, cancellationToken).Spec;
            SchemaSpec? output = join is not null && join.Kind is "Semi" or "Anti"
                ? input
                : SchemaGenerator.Parser.Parse((INamedTypeSymbol)method.ReturnType, cancellationToken).Spec;
            if (input is null || output is null)
            {
                return null;
            }
            var read = new HashSet<string>(System.StringComparer.Ordinal);
            if (aggregate is not null)
            {
                read.UnionWith(aggregate.Keys);
                foreach (AggregateOutputSpec spec in aggregate.Outputs)
                {
                    read.UnionWith(new[] { spec.Column, spec.OrderColumn }.Where(c => c is not null)!);
                }
            }
            else
            {
                read.UnionWith(join!.LeftKeys);
                read.UnionWith(join.Outputs.Where(o => o.Side == "Left").Select(o => o.Column));
            }
            // Members, in schema order, as a kernel's ReadMembers lists them.
            EquatableArray<string> members = input.Columns.Where(c => read.Contains(c.ColumnName)).Select(c => c.MemberName).ToEquatableArray();
            var kernel = new StageKernelSpec(true, null, members, null, EquatableArray<KernelOutput>.Empty);
            string? from = null;
            Location? fromLocation = null;
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                if (argument.Key == "From" && argument.Value.Value is string value)
                {
                    from = value;
                    fromLocation = FromLocation(attribute, cancellationToken);
                }
            }
            return new StageDraft(method.Name, kind, input, output, from, fromLocation, declaration.Identifier.GetLocation(),
                declaration.ParameterList.Parameters[0].Type?.GetLocation(), kernel)
            {
                Aggregate = aggregate,
                Join = join,
            };
        }

        /// <summary>What a stage's attribute says about row errors and, for a check, where refused rows go.</summary>
        private static StageValidation Validation(AttributeData attribute, MethodDeclarationSyntax declaration)
        {
            bool quarantine = false;
            string action = "Quarantine";
            string? message = null;
            foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
            {
                switch (argument.Key)
                {
                    case "OnRowError" when argument.Value.Value is int value:
                        quarantine = value == 1; // RowErrorAction.Quarantine
                        break;
                    case "Action" when argument.Value.Value is int value && value >= 0 && value < RuleActions.Length:
                        action = RuleActions[value];
                        break;
                    case "Message" when argument.Value.Value is string text:
                        message = text;
                        break;
                }
            }
            return new StageValidation(quarantine, action, message, ConditionText(declaration));
        }

        // Dsl.RuleAction in declaration order.
        private static readonly string[] RuleActions = { "Quarantine", "Drop", "Fail", "Warn" };

        /// <summary>The expression a stage returns, as written (on one line), for descriptions.</summary>
        private static string ConditionText(MethodDeclarationSyntax declaration)
        {
            ExpressionSyntax? returned = declaration.ExpressionBody?.Expression;
            if (returned is null && declaration.Body is { Statements: { Count: 1 } statements } && statements[0] is ReturnStatementSyntax { Expression: { } value })
            {
                returned = value;
            }
            string text = returned?.ToString() ?? declaration.Identifier.ValueText;
            return System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
        }

        /// <summary>The parameter object a stage takes after its row (or a fit returns), which <see cref="StageRules.ParameterTypeProblem"/> accepted.</summary>
        internal static StageParametersSpec Parameters(INamedTypeSymbol type)
        {
            var members = new List<ParameterMemberSpec>();
            foreach (IParameterSymbol member in SchemaGenerator.Parser.PrimaryConstructor(type)!.Parameters)
            {
                members.Add(new ParameterMemberSpec(member.Name, StageRules.ParameterKind(member.Type)!, SymbolNames.Qualified(member.Type)));
            }
            return new StageParametersSpec(type.Name, SymbolNames.Qualified(type), members.ToEquatableArray()) { IsValueType = type.IsValueType };
        }

        private static Location? FromLocation(AttributeData attribute, CancellationToken cancellationToken)
        {
            if (attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList: { } arguments })
            {
                foreach (AttributeArgumentSyntax argument in arguments.Arguments)
                {
                    if (argument.NameEquals?.Name.Identifier.ValueText == "From")
                    {
                        return argument.Expression.GetLocation();
                    }
                }
            }
            return null;
        }
    }
}
