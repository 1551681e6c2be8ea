using System.Collections.Generic;
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

            if (!SymbolNames.IsPartial(type))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.PipelineNotPartial, type.Locations[0], type.Name));
                return new Result<PipelineSpec>(null, diagnostics.ToEquatableArray());
            }

            var drafts = new List<StageDraft>();
            bool stagesValid = true;
            foreach (ISymbol member in type.GetMembers())
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member is not IMethodSymbol method)
                {
                    continue;
                }
                AttributeData? attribute = StageAttribute(method, out StageKindSpec kind);
                if (attribute is null)
                {
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
            if (graph is not { } g)
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
                g.Segments.ToEquatableArray(),
                context.SemanticModel.Compilation.Options.CheckOverflow);
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
                    return SchemaGenerator.Parser.Parse(input, requirePartial: false, cancellationToken).Spec;
                }
            }
            return null;
        }

        private static AttributeData? StageAttribute(IMethodSymbol method, out StageKindSpec kind)
        {
            foreach (AttributeData attribute in method.GetAttributes())
            {
                string? name = attribute.AttributeClass?.ToDisplayString();
                if (name == KnownTypeNames.FilterAttribute)
                {
                    kind = StageKindSpec.Filter;
                    return attribute;
                }
                if (name == KnownTypeNames.MapAttribute)
                {
                    kind = StageKindSpec.Map;
                    return attribute;
                }
            }
            kind = default;
            return null;
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

            if (!method.IsStatic)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StageNotStatic, location, method.Name, pipelineName));
                return null;
            }

            string expected = kind == StageKindSpec.Filter
                ? "static bool " + method.Name + "(TSchema row)"
                : "static TOutput " + method.Name + "(TInput row)";
            bool returnsBool = method.ReturnType.SpecialType == SpecialType.System_Boolean;
            if (method.Parameters.Length == 0
                || method.IsGenericMethod
                || (kind == StageKindSpec.Filter && !returnsBool)
                || (kind == StageKindSpec.Map && (method.ReturnsVoid || method.ReturnType is not INamedTypeSymbol)))
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StageSignatureInvalid, location, method.Name, pipelineName, expected));
                return null;
            }
            for (int p = 0; p < method.Parameters.Length; p++)
            {
                IParameterSymbol parameter = method.Parameters[p];
                if (parameter.RefKind != RefKind.None)
                {
                    ParameterSyntax syntax = declaration.ParameterList.Parameters[p];
                    string modifier = syntax.Modifiers.Count > 0 ? syntax.Modifiers.ToString() : parameter.RefKind.ToString().ToLowerInvariant();
                    diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StageParameterByReference, syntax.GetLocation(), method.Name, pipelineName, parameter.Name, modifier));
                    return null;
                }
            }
            if (method.Parameters.Length > 2)
            {
                var extra = new List<string>();
                for (int p = 1; p < method.Parameters.Length; p++)
                {
                    extra.Add(method.Parameters[p].Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) + " " + method.Parameters[p].Name);
                }
                Location extraLocation = declaration.ParameterList.Parameters[2].GetLocation();
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StageHasTooManyParameters, extraLocation, method.Name, pipelineName, (method.Parameters.Length - 1).ToString(System.Globalization.CultureInfo.InvariantCulture), string.Join(", ", extra)));
                return null;
            }
            StageParametersSpec? parameters = null;
            if (method.Parameters.Length == 2)
            {
                ParameterSyntax syntax = declaration.ParameterList.Parameters[1];
                parameters = ParseParameters(method.Parameters[1], method.Name, pipelineName, syntax.Type?.GetLocation() ?? syntax.GetLocation(), diagnostics);
                if (parameters is null)
                {
                    return null;
                }
            }

            IParameterSymbol row = method.Parameters[0];
            Location inputTypeLocation = declaration.ParameterList.Parameters[0].Type?.GetLocation() ?? location;
            SchemaSpec? input = ParseSchema(row.Type, method.Name, pipelineName, "input", inputTypeLocation, diagnostics, cancellationToken);
            SchemaSpec? output = kind == StageKindSpec.Filter
                ? input
                : ParseSchema(method.ReturnType, method.Name, pipelineName, "output", declaration.ReturnType.GetLocation(), diagnostics, cancellationToken);
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
                out Location? fallbackLocation);
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

            EquatableArray<ScanPredicateSpec> predicates = kind == StageKindSpec.Filter
                ? ScanPredicateExtractor.Extract(KernelLowering.ScanCondition(method, declaration, semanticModel, input, parameters, kernel, cancellationToken), input)
                : EquatableArray<ScanPredicateSpec>.Empty;

            return new StageDraft(method.Name, kind, input, output, from, fromLocation, location, inputTypeLocation, kernel, predicates, parameters);
        }

        /// <summary>
        /// The parameter object a stage takes after its row: a positional record (class or struct) whose members are
        /// all double, float, int, long, bool, string or DateTime. Null, with DSL2008 reported, for anything else.
        /// </summary>
        private static StageParametersSpec? ParseParameters(IParameterSymbol parameter, string stage, string pipelineName, Location location, List<DiagnosticInfo> diagnostics)
        {
            string display = parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat);
            string? problem = null;
            var members = new List<ParameterMemberSpec>();
            if (parameter.Type is not INamedTypeSymbol type || type.IsGenericType || type.SpecialType != SpecialType.None
                || type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
            {
                problem = "is not a record";
            }
            else if (SymbolNames.HasAttribute(type, KnownTypeNames.SchemaAttribute))
            {
                problem = "is a schema (a stage reads one row; its parameter object holds configuration values)";
            }
            else if (SchemaGenerator.Parser.PrimaryConstructor(type) is not { } constructor)
            {
                problem = "is not a positional record (declare it as 'record " + type.Name + "(double Value, ...)')";
            }
            else if (constructor.Parameters.Length == 0)
            {
                problem = "has no members";
            }
            else
            {
                foreach (IParameterSymbol member in constructor.Parameters)
                {
                    string? kind = ParameterKind(member.Type);
                    if (kind is null)
                    {
                        problem = "has member '" + member.Name + "' of type '" + member.Type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat) + "'"
                            + (member.Type.IsReferenceType && member.Type.NullableAnnotation == NullableAnnotation.Annotated || member.Type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T
                                ? " (configuration values are never null)"
                                : string.Empty);
                        break;
                    }
                    members.Add(new ParameterMemberSpec(member.Name, kind, SymbolNames.Qualified(member.Type)));
                }
            }
            if (problem is not null)
            {
                diagnostics.Add(DiagnosticInfo.Create(DiagnosticDescriptors.StageParameterTypeUnsupported, location, stage, pipelineName, parameter.Name, display, problem));
                return null;
            }
            var named = (INamedTypeSymbol)parameter.Type;
            return new StageParametersSpec(named.Name, SymbolNames.Qualified(named), members.ToEquatableArray());
        }

        /// <summary>The <c>Dsl.Execution.ParameterType</c> member for a parameter member type, or null.</summary>
        private static string? ParameterKind(ITypeSymbol type)
        {
            if (type.IsReferenceType && type.NullableAnnotation == NullableAnnotation.Annotated)
            {
                return null;
            }
            return type.SpecialType switch
            {
                SpecialType.System_Double => "Double",
                SpecialType.System_Single => "Float",
                SpecialType.System_Int32 => "Int32",
                SpecialType.System_Int64 => "Int64",
                SpecialType.System_Boolean => "Boolean",
                SpecialType.System_String => "String",
                SpecialType.System_DateTime => "DateTime",
                _ => null,
            };
        }

        private static SchemaSpec? ParseSchema(
            ITypeSymbol type,
            string stage,
            string pipelineName,
            string role,
            Location location,
            List<DiagnosticInfo> diagnostics,
            CancellationToken cancellationToken)
        {
            if (type is not INamedTypeSymbol named || !SymbolNames.HasAttribute(named, KnownTypeNames.SchemaAttribute))
            {
                diagnostics.Add(DiagnosticInfo.Create(
                    DiagnosticDescriptors.StageTypeNotSchema,
                    location,
                    stage,
                    pipelineName,
                    type.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat),
                    role));
                return null;
            }
            // Problems with the schema itself are reported by the schema generator.
            return SchemaGenerator.Parser.Parse(named, requirePartial: false, cancellationToken).Spec;
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
