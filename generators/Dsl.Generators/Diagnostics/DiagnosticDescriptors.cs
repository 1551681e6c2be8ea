using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Diagnostics;

/// <summary>The diagnostics catalog: one descriptor per rule, named for the problem.</summary>
internal static class DiagnosticDescriptors
{
    public const string HelpLinkBase = "https://github.com/dsl-dev/dsl/blob/main/docs/diagnostics/";

    public static readonly DiagnosticDescriptor SchemaNotPartial = Create(
        DiagnosticIds.SchemaNotPartial,
        "Schema type is not partial",
        "Schema '{0}' must be declared 'partial' so that the generator can add its column layout; add the 'partial' modifier",
        DiagnosticCategories.Schema,
        DiagnosticSeverity.Error,
        "The schema generator completes the record with IRowSchema members, which requires a partial declaration.");

    public static readonly DiagnosticDescriptor SchemaMemberTypeUnsupported = Create(
        DiagnosticIds.SchemaMemberTypeUnsupported,
        "Schema member type is not supported",
        "Member '{1}' of schema '{0}' has type '{2}', which has no column type; use int, long, float, double, bool, string or DateTime (optionally nullable)",
        DiagnosticCategories.Schema,
        DiagnosticSeverity.Error,
        "Every positional member of a schema becomes a column, and only the listed types have a columnar representation.");

    public static readonly DiagnosticDescriptor SchemaNotPositionalRecord = Create(
        DiagnosticIds.SchemaNotPositionalRecord,
        "Schema is not a positional record",
        "Schema '{0}' must be a positional record such as 'partial record {0}(long Id, double Value)'; declare its columns as primary constructor parameters",
        DiagnosticCategories.Schema,
        DiagnosticSeverity.Error,
        "Columns are read from the primary constructor parameters of a record, which also give the order of the columns.");

    public static readonly DiagnosticDescriptor StageTypeNotSchema = Create(
        DiagnosticIds.StageTypeNotSchema,
        "Stage type is not a schema",
        "Stage '{0}' of pipeline '{1}' uses type '{2}' as its {3}, but '{2}' has no [Schema] attribute; mark '{2}' with [Schema] or use a schema record",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "Stages read and write rows of schema records; the generator needs the schema's columns to compile the stage into a kernel.");

    public static readonly DiagnosticDescriptor StageNotStatic = Create(
        DiagnosticIds.StageNotStatic,
        "Stage method is not static",
        "Stage '{0}' of pipeline '{1}' must be a static method; add the 'static' modifier",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "Kernels are static functions of their input batch, so stages cannot depend on instance state.");

    public static readonly DiagnosticDescriptor StageSignatureInvalid = Create(
        DiagnosticIds.StageSignatureInvalid,
        "Stage signature is not valid",
        "Stage '{0}' of pipeline '{1}' must be declared as '{2}'; change its parameters or return type to match",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "A filter takes one schema row and returns bool; a map takes one schema row and returns a row of another schema.");

    public static readonly DiagnosticDescriptor PipelineNotPartial = Create(
        DiagnosticIds.PipelineNotPartial,
        "Pipeline class is not partial",
        "Pipeline class '{0}' must be declared 'static partial' so that the generator can add its compiled plan; add the 'partial' modifier",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "The pipeline generator adds the Compiled property and the kernels to the pipeline class itself.");

    public static readonly DiagnosticDescriptor StageNameNotUnique = Create(
        DiagnosticIds.StageNameNotUnique,
        "Stage name is not unique",
        "Pipeline '{0}' has more than one stage named '{1}'; rename one of them, since From and plans identify stages by name",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "Stages are referred to by method name in From, in the compiled plan and in kernel names, so overloads cannot both be stages.");

    public static readonly DiagnosticDescriptor FromStageNotFound = Create(
        DiagnosticIds.FromStageNotFound,
        "From names no stage of the pipeline",
        "Stage '{0}' reads from '{1}', but pipeline '{2}' has no stage named '{1}'; write From = nameof(Stage) with a stage of this pipeline",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "From must name a filter or map method of the same pipeline class.");

    public static readonly DiagnosticDescriptor StageCycle = Create(
        DiagnosticIds.StageCycle,
        "Stages form a cycle",
        "Stages of pipeline '{0}' form a cycle ({1}); change From on one of them so that the stages form a DAG",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "A pipeline is a directed acyclic graph of stages; a cycle has no first stage to run.");

    public static readonly DiagnosticDescriptor StageInputAmbiguous = Create(
        DiagnosticIds.StageInputAmbiguous,
        "Stage input is ambiguous",
        "Stage '{0}' reads schema '{1}', which stages {2} of pipeline '{3}' all produce; set From = nameof(...) to pick one",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "Without From, a stage reads from the unique stage producing its input schema; with several producers the choice must be explicit.");

    public static readonly DiagnosticDescriptor PipelineInputSchemasDiffer = Create(
        DiagnosticIds.PipelineInputSchemasDiffer,
        "Pipeline reads more than one input schema",
        "Stage '{0}' reads schema '{1}' from the input of pipeline '{2}', which already reads '{3}'; a pipeline has one input schema, so wire '{0}' after a stage with From or split the pipeline",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "Stages with no producing stage read the pipeline input, and a pipeline input has a single schema.");

    public static readonly DiagnosticDescriptor FromSchemaMismatch = Create(
        DiagnosticIds.FromSchemaMismatch,
        "From stage produces a different schema",
        "Stage '{0}' reads schema '{1}' but its From stage '{2}' produces '{3}'; change From or the stage's parameter type",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "A stage's input rows are its producer's output rows, so the schemas must be the same.");

    public static readonly DiagnosticDescriptor KernelFallback = Create(
        DiagnosticIds.KernelFallback,
        "Stage runs as a scalar loop",
        "Stage '{0}' is compiled to a loop that calls the method per row because the kernel compiler does not support {1}; rewrite it with supported constructs for a columnar kernel",
        DiagnosticCategories.Performance,
        DiagnosticSeverity.Info,
        "Only single-expression stages over schema members, operators, patterns and static calls become columnar kernels; other stages stay correct but allocate a row object per row.");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new(StringComparer.Ordinal)
    {
        [SchemaNotPartial.Id] = SchemaNotPartial,
        [SchemaMemberTypeUnsupported.Id] = SchemaMemberTypeUnsupported,
        [SchemaNotPositionalRecord.Id] = SchemaNotPositionalRecord,
        [StageTypeNotSchema.Id] = StageTypeNotSchema,
        [StageNotStatic.Id] = StageNotStatic,
        [StageSignatureInvalid.Id] = StageSignatureInvalid,
        [PipelineNotPartial.Id] = PipelineNotPartial,
        [StageNameNotUnique.Id] = StageNameNotUnique,
        [FromStageNotFound.Id] = FromStageNotFound,
        [StageCycle.Id] = StageCycle,
        [StageInputAmbiguous.Id] = StageInputAmbiguous,
        [PipelineInputSchemasDiffer.Id] = PipelineInputSchemasDiffer,
        [FromSchemaMismatch.Id] = FromSchemaMismatch,
        [KernelFallback.Id] = KernelFallback,
    };

    /// <summary>Every descriptor, for tests and docs.</summary>
    public static IEnumerable<DiagnosticDescriptor> All => s_byId.Values;

    public static DiagnosticDescriptor ById(string id) => s_byId[id];

    private static DiagnosticDescriptor Create(
        string id,
        string title,
        string messageFormat,
        string category,
        DiagnosticSeverity severity,
        string description) =>
        new(id, title, messageFormat, category, severity, isEnabledByDefault: true, description: description, helpLinkUri: HelpLinkBase + id + ".md");
}
