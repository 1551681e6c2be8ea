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
        "Schema '{0}' and every type it is nested in must be declared 'partial' so that the generator can add its column layout; add the 'partial' modifier to '{1}'",
        DiagnosticCategories.Schema,
        DiagnosticSeverity.Error,
        "The schema generator completes the record with IRowSchema members, which requires a partial declaration of the record and of each type it is nested in.");

    public static readonly DiagnosticDescriptor SchemaMemberTypeUnsupported = Create(
        DiagnosticIds.SchemaMemberTypeUnsupported,
        "Schema member type is not supported",
        "Member '{1}' of schema '{0}' has type '{2}', which has no column type; use a number type (int, long, short, sbyte, uint, ulong, ushort, byte, float, double, Half, decimal), bool, string, byte[], Guid, DateTime, DateTimeOffset, Dsl.NanoTimestamp, DateOnly or TimeOnly (optionally nullable), or an array or IReadOnlyList of a number type or bool",
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

    public static readonly DiagnosticDescriptor SchemaColumnNameDuplicate = Create(
        DiagnosticIds.SchemaColumnNameDuplicate,
        "Two schema members map to the same column",
        "Members '{1}' and '{2}' of schema '{0}' both map to column '{3}'; give one of them a different [Column] name",
        DiagnosticCategories.Schema,
        DiagnosticSeverity.Error,
        "Columns are found by name in batches and Parquet files, so every member of a schema needs a column name of its own.");

    public static readonly DiagnosticDescriptor SchemaColumnNameInvalid = Create(
        DiagnosticIds.SchemaColumnNameInvalid,
        "Column name is not valid",
        "Member '{1}' of schema '{0}' maps to column name '{2}', which {3}; use a non-empty name without '.' or control characters",
        DiagnosticCategories.Schema,
        DiagnosticSeverity.Error,
        "A column name must be non-empty, not only whitespace, and free of '.' (the nested-column path separator in Parquet) and control characters.");

    public static readonly DiagnosticDescriptor ConstraintBoundsImpossible = Create(
        DiagnosticIds.ConstraintBoundsImpossible,
        "Constraint bounds cannot be met",
        "[{2}] on member '{1}' of schema '{0}' {3}, so the constraint can never hold; fix the bounds",
        DiagnosticCategories.Schema,
        DiagnosticSeverity.Warning,
        "A range whose minimum exceeds its maximum rejects every value, and a null rate is a fraction between 0 and 1; such a gate quarantines every row or halts every run.");

    public static readonly DiagnosticDescriptor UtcOnNonDateTime = Create(
        DiagnosticIds.UtcOnNonDateTime,
        "[Utc] is only for DateTime members",
        "[Utc] on member '{1}' of schema '{0}' has no effect: the member is a '{2}', and only a DateTime member is a timestamp that can be adjusted to UTC; remove the attribute or make the member a DateTime",
        DiagnosticCategories.Schema,
        DiagnosticSeverity.Error,
        "[Utc] makes a DateTime member's column a Parquet TIMESTAMP adjusted to UTC; on any other type it would be silently ignored.");

    public static readonly DiagnosticDescriptor ColumnTypeAttributeInvalid = Create(
        DiagnosticIds.ColumnTypeAttributeInvalid,
        "Column type attribute does not fit the member",
        "Member '{1}' of schema '{0}': {2}",
        DiagnosticCategories.Schema,
        DiagnosticSeverity.Error,
        "[Decimal(precision, scale)] needs a decimal member, a precision from 1 to 38 and a scale from 0 to 28 not above the precision; [TruncateNanoseconds] needs a DateTime member. Anything else could not be written as declared.");

    public static readonly DiagnosticDescriptor RuleDoesNotFitMember = Create(
        DiagnosticIds.RuleDoesNotFitMember,
        "Rule does not fit the member",
        "[{2}] on member '{1}' of schema '{0}' {3}; remove the rule or change the member's type",
        DiagnosticCategories.Schema,
        DiagnosticSeverity.Error,
        "A row rule is compiled into a condition on the member's values: Range needs a number, Finite a double or float, MinLength, MaxLength and Regex a string, OneOf values of the member's kind that its type can hold, NotNull a nullable member. Any other pairing could never be checked as written.");

    public static readonly DiagnosticDescriptor RegexPatternInvalid = Create(
        DiagnosticIds.RegexPatternInvalid,
        "Regex pattern is not valid",
        "[Regex] on member '{1}' of schema '{0}' has a pattern .NET cannot parse: {2}",
        DiagnosticCategories.Schema,
        DiagnosticSeverity.Error,
        "The pattern is parsed at build time as the kernels will build it (RegexOptions.CultureInvariant), so a typo fails the build instead of every run.");

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
        "A filter takes one schema row and returns bool; a map takes one schema row and returns a row of another schema. Either may take one parameter object after the row.");

    public static readonly DiagnosticDescriptor PipelineNotPartial = Create(
        DiagnosticIds.PipelineNotPartial,
        "Pipeline class is not partial",
        "Pipeline class '{0}' and every type it is nested in must be declared 'partial' so that the generator can add its compiled plan; add the 'partial' modifier to '{1}'",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "The pipeline generator adds the Compiled property and the kernels to the pipeline class itself, which requires a partial declaration of the class and of each type it is nested in.");

    public static readonly DiagnosticDescriptor StageNameNotUnique = Create(
        DiagnosticIds.StageNameNotUnique,
        "Stage name is not unique",
        "Pipeline '{0}' has more than one stage named '{1}'; rename one of them, since From and plans identify stages by name",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "Stages are referred to by method name in From, in the compiled plan and in kernel names, so overloads cannot both be stages.");

    public static readonly DiagnosticDescriptor StageNotPure = Create(
        DiagnosticIds.StageNotPure,
        "Stage is not deterministic or not pure",
        "Stage '{0}' of pipeline '{1}' {2}, so re-running it on the same input can give different rows; pass the value in through the input schema or a static readonly field instead",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Warning,
        "Partitions are retried, speculated and resumed, which is only safe when a stage's output depends on its input row alone: no clock, randomness, environment, I/O or mutable static state.");

    public static readonly DiagnosticDescriptor StageHasSideEffects = Create(
        DiagnosticIds.StageHasSideEffects,
        "Stage has side effects",
        "Stage '{0}' of pipeline '{1}' {2}; a stage runs once per row on many threads, possibly more than once per row when a partition is retried, so this cannot be correct; compute the value from the input row, or do the I/O outside the pipeline",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "Writing shared state or doing I/O from a stage races between partitions running in parallel and repeats when a partition is retried or speculated; no kernel, vectorized or not, can make that correct.");

    public static readonly DiagnosticDescriptor StageParameterTypeUnsupported = Create(
        DiagnosticIds.StageParameterTypeUnsupported,
        "Stage parameter type is not supported",
        "Parameter '{2}' of stage '{0}' of pipeline '{1}' has type '{3}', which {4}; stage parameters are a record of double, float, int, long, bool, string, DateTime, double[] or string[] members, such as 'record AmountScaling(double Mean, double Std)'",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "The parameter object a stage takes after its row is built by the generated code from pipeline.yaml and --param values, one value per positional member, so it must be a positional record whose members have a configuration form.");

    public static readonly DiagnosticDescriptor StageHasTooManyParameters = Create(
        DiagnosticIds.StageHasTooManyParameters,
        "Stage takes more than one parameter object",
        "Stage '{0}' of pipeline '{1}' takes {2} parameters after its row ({3}); a stage takes at most one parameter object after its row, so put these values into one record",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "A stage is called with one row and, optionally, one parameter object whose values come from the configuration.");

    public static readonly DiagnosticDescriptor StageParameterByReference = Create(
        DiagnosticIds.StageParameterByReference,
        "Stage parameter is passed by reference",
        "Parameter '{2}' of stage '{0}' of pipeline '{1}' is declared '{3}'; stage parameters are passed by value, so remove the '{3}' modifier",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "Kernels pass each row and the parameter object by value to stage code that must not write through them; ref, out, in and ref readonly parameters cannot be stages' inputs.");

    public static readonly DiagnosticDescriptor FitReturnTypeInvalid = Create(
        DiagnosticIds.FitReturnTypeInvalid,
        "Fit stage does not return a stage parameter record",
        "Fit stage '{0}' of pipeline '{1}' returns '{2}', which {3}; a fit returns a stage parameter record of double, float, int, long, bool, string, DateTime, double[] or string[] members, such as 'record AmountScaling(double Mean, double Std)'",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "The record a fit returns becomes the parameter values of the stages that take it: the generated code sets each positional member into the run's stage parameter values, saves them as the fitted state and binds them into the kernels, so it must be a record those values can describe.");

    public static readonly DiagnosticDescriptor FitSelectorInvalid = Create(
        DiagnosticIds.FitSelectorInvalid,
        "Fit statistic does not read one column",
        "'{2}' in fit stage '{0}' of pipeline '{1}' names its column with '{3}', which {4}; write a lambda that reads one member of '{5}', such as '{6}'",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "The first pass computes each statistic over one column of the rows the fit sees; the build finds that column by reading the lambda, so it must return one positional member of the row, unconverted or implicitly converted.");

    public static readonly DiagnosticDescriptor FitArgumentNotConstant = Create(
        DiagnosticIds.FitArgumentNotConstant,
        "Fit statistic argument is not a constant",
        "Argument '{3}' of '{2}' in fit stage '{0}' of pipeline '{1}' is '{4}', which is not a constant; the first pass computes the statistic before the fit method runs, so write the value as a literal or a const",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "The build reads a statistic's arguments (a quantile, a bucket count, a vocabulary size) to decide what the first pass gathers, and the fit method later looks the answer up by them; a value computed at run time could not be known in advance.");

    public static readonly DiagnosticDescriptor FitDataEscapes = Create(
        DiagnosticIds.FitDataEscapes,
        "FitData is used other than to call its statistics",
        "Fit stage '{0}' of pipeline '{1}' {3} its FitData parameter '{2}'; the build sees only the statistics called directly on '{2}' in the fit method's body, so call them there and pass their results on instead",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "The first pass gathers exactly the statistics the build finds called on the fit's FitData parameter; a call made through a helper, a variable or a lambda would ask for a statistic the first pass never gathered.");

    public static readonly DiagnosticDescriptor FitColumnTypeMismatch = Create(
        DiagnosticIds.FitColumnTypeMismatch,
        "Fit statistic does not fit the column's type",
        "'{2}' in fit stage '{0}' of pipeline '{1}' reads member '{3}' of '{4}', a {5} column, but {2} needs {6}; pick a column of that type or another statistic",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "Numeric statistics (Sum, Mean, Variance, Std, Min, Max, MaxAbs, Quantile, Median, QuantileBoundaries, MostFrequent of a number) need a number column; Vocabulary and MostFrequent of a string need a string column; Distinct and ApproxDistinct need single values, not lists.");

    public static readonly DiagnosticDescriptor AggregateOutputInvalid = Create(
        DiagnosticIds.AggregateOutputInvalid,
        "Aggregate member is not one call on the group",
        "Aggregate stage '{0}' of pipeline '{1}': {2}; give every member of the result one call on the Group parameter ({3}) whose selectors return one member of the row, such as 'g.Sum(t => t.Amount)'",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "The build compiles an aggregate stage into a hash aggregation by reading its 'new TOut(...)': each member must be one Group call (Key, Count, CountValues, Sum, Mean, Variance, Std, SampleVariance, SampleStd, Min, Max, CountDistinct, ApproxCountDistinct, First, Last, ArgMax, ArgMin) whose selectors are lambdas returning a member of the row unchanged. Anything else has no column form; compute derived values in a Map stage after the aggregate.");

    public static readonly DiagnosticDescriptor AggregateOutputTypeMismatch = Create(
        DiagnosticIds.AggregateOutputTypeMismatch,
        "Aggregate member does not fit its function",
        "'{2}' for member '{3}' of '{4}' in aggregate stage '{0}' of pipeline '{1}' {5}",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "The compiled aggregation writes each function's own type: a long for the counts and the sum of whole numbers, a double for the sum of floating-point numbers and for the mean, variance and standard deviations, the column's own type for Key, Min, Max, First and Last (nullable when the column is). The output member must have that type, so no value is converted silently.");

    public static readonly DiagnosticDescriptor AggregateKeyInvalid = Create(
        DiagnosticIds.AggregateKeyInvalid,
        "Aggregate grouping columns are not valid",
        "Aggregate stage '{0}' of pipeline '{1}' {2}",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "An aggregate groups by the By columns, each named once and a member of the row holding single values; a Key call reads one of them, since only the grouping columns have one value per group.");

    public static readonly DiagnosticDescriptor JoinOutputInvalid = Create(
        DiagnosticIds.JoinOutputInvalid,
        "Join member is not a column of one side",
        "Join stage '{0}' of pipeline '{1}' {2}",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "The build compiles a join stage by reading its 'new TOut(...)': each member must copy one member of the left row or of the right row ('r?.Member' where a left join's right side may be missing), with the member's own type, nullable where the value may be null. A semi or anti join returns its left row itself.");

    public static readonly DiagnosticDescriptor JoinKeyInvalid = Create(
        DiagnosticIds.JoinKeyInvalid,
        "Join keys or table are not valid",
        "Join stage '{0}' of pipeline '{1}' {2}",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "A join names its table and pairs each left key column (On) with a right key column (RightOn, by default the same names); both must exist, hold single values and have the same type, or whole-number types of which one widens to the other.");

    public static readonly DiagnosticDescriptor SplitInvalid = Create(
        DiagnosticIds.SplitInvalid,
        "Split is not valid",
        "[Split] on stage '{0}' of pipeline '{1}': {2}",
        DiagnosticCategories.Stage,
        DiagnosticSeverity.Error,
        "A split hashes key columns of the stage's output (hashable single values), writes one 'split=NAME/' folder per subset (distinct folder names, at least two, at most 64) and gives each subset a fraction above 0, the fractions summing to 1; a stratify column is a bool, int, long or string column.");

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

    public static readonly DiagnosticDescriptor StageUnreachable = Create(
        DiagnosticIds.StageUnreachable,
        "Stage is unreachable from the pipeline input",
        "Stage '{0}' of pipeline '{1}' reads schema '{2}', which is neither the pipeline input '{3}' nor produced by any stage, so it never runs; wire it after a stage with From = nameof(...) or remove it",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Warning,
        "With [Pipeline(Input = typeof(...))] the input schema is fixed; a stage that reads another schema and has no producing stage is left out of the plan.");

    public static readonly DiagnosticDescriptor PipelineHasNoStages = Create(
        DiagnosticIds.PipelineHasNoStages,
        "Pipeline has no stages",
        "Pipeline '{0}' has {1}, so it writes no output; add a [Filter] or [Map] method that reads the pipeline input",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Warning,
        "A pipeline's outputs are the outputs of its last stages; with no stage to run there is no plan and no Compiled property.");

    public static readonly DiagnosticDescriptor FromColumnMissing = Create(
        DiagnosticIds.FromColumnMissing,
        "From stage does not produce a column the stage reads",
        "Stage '{0}' of pipeline '{1}' reads member '{2}' (column '{3}') of '{4}', but its From stage '{5}' produces '{6}', which has no column '{3}'; add the column to '{6}' or read from a stage that produces it",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "A stage's input rows are its producer's output rows; every column the stage reads must exist in the producer's schema.");

    public static readonly DiagnosticDescriptor FromColumnTypeMismatch = Create(
        DiagnosticIds.FromColumnTypeMismatch,
        "From stage produces a column of another type",
        "Stage '{0}' of pipeline '{1}' reads column '{3}' of '{4}' as {5} through member '{2}', but its From stage '{6}' produces it as {7}; make the types match",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "Columns are passed between stages as typed buffers, so the producer's and the consumer's column types must agree.");

    public static readonly DiagnosticDescriptor FromColumnNullability = Create(
        DiagnosticIds.FromColumnNullability,
        "Nullable column flows into a non-nullable member",
        "Stage '{0}' of pipeline '{1}' reads column '{3}' through non-nullable member '{2}' of '{4}', but its From stage '{5}' produces it as nullable; make '{2}' nullable or filter out nulls first",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "A null produced upstream has no value to put into a non-nullable member.");

    public static readonly DiagnosticDescriptor UniqueNotOnInput = Create(
        DiagnosticIds.UniqueNotOnInput,
        "[Unique] is only checked on the pipeline input",
        "[Unique] on member '{1}' of schema '{0}' would not be checked: pipeline '{2}' reads '{3}', and uniqueness is only checked on the rows of the pipeline input; move the rule to the input schema, or gate the output with [Gate(GateMetric.Unique)] whose Columns name '{0}.{1}'",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "The runtime checks uniqueness where rows enter the pipeline, from the input's own columns; a rule on a schema a stage produces would silently check nothing.");

    public static readonly DiagnosticDescriptor GateInvalid = Create(
        DiagnosticIds.GateInvalid,
        "Gate cannot be measured",
        "[Gate({0})] on pipeline '{1}' {2}",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "A gate names a column of the pipeline's input schema (or Schema.Member of another schema it uses), a numeric one for Mean, StdDev, Min and Max, and bounds with Min not above Max; otherwise it could never be measured or never pass.");

    public static readonly DiagnosticDescriptor FitNeedsItsOwnRecord = Create(
        DiagnosticIds.FitNeedsItsOwnRecord,
        "Fit needs its own result",
        "Fit stage '{0}' of pipeline '{1}' needs its own result: {2}; let the fit read from a stage before the one taking the fitted record (From = nameof(...))",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "A fit observes the rows its From stage produces in the first pass; when a stage on the way takes the record the fit computes (directly or through other fits), the rows cannot be produced before the record exists.");

    public static readonly DiagnosticDescriptor FitRecordNotUnique = Create(
        DiagnosticIds.FitRecordNotUnique,
        "Two fits return one parameter type",
        "Fit stages '{2}' and '{0}' of pipeline '{1}' both return '{3}', so the stages taking '{3}' would have two sets of values; return a record type of its own from each fit",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "Stage parameter values are keyed by the record's type name, so each fitted record type must come from exactly one fit.");

    public static readonly DiagnosticDescriptor FitRecordUnused = Create(
        DiagnosticIds.FitRecordUnused,
        "Fitted record is taken by no stage",
        "Fit stage '{0}' of pipeline '{1}' returns '{2}', which no stage of the pipeline takes, so the first pass computes values nothing reads; add a '{2}' parameter to the stage that needs them, or remove the fit",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Warning,
        "A fit costs a pass over the input; its record is only used by the stages that take it as their parameter object.");

    public static readonly DiagnosticDescriptor SplitNotOnSink = Create(
        DiagnosticIds.SplitNotOnSink,
        "Split is not on a sink",
        "[Split] on '{0}' of pipeline '{1}' splits nothing: {2}; put it on the stage whose output is written (the last stage of an output, or an aggregate or join that no stage reads)",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "A split decides which 'split=NAME/' folder of an output each row is written to, so it belongs on a stage whose rows are written: one that no other stage reads.");

    public static readonly DiagnosticDescriptor ModelFileInvalid = Create(
        DiagnosticIds.ModelFileInvalid,
        "Model file cannot be compiled",
        "Score stage '{0}' of pipeline '{1}' cannot compile model '{2}': {3}",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "A [Score] stage's model is compiled into the pipeline at build time, so the file must be given to the build and be an XGBoost JSON model (tree or linear booster) or a LightGBM text model with a supported objective.");

    public static readonly DiagnosticDescriptor ModelDoesNotFitStage = Create(
        DiagnosticIds.ModelDoesNotFitStage,
        "Model does not fit the score stage",
        "Model '{2}' does not fit score stage '{0}' of pipeline '{1}': {3}",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "A model's features must be members of the stage's input, numbers or bools, named by the model or listed in the attribute's Features in the model's order; and the method must take one float or double after its row per output of the model.");

    public static readonly DiagnosticDescriptor FitAfterBarrier = Create(
        DiagnosticIds.FitAfterBarrier,
        "Fit observes rows after an aggregate or join",
        "Fit stage '{0}' of pipeline '{1}' observes the rows of '{2}', {3}; fits over the output of an aggregate or join are not supported yet, so let the fit observe a stage before '{4}' (From = nameof(...))",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "The first pass of a pipeline with fits runs only row stages over the input; the output of an aggregate or join exists only after a barrier, which the first pass does not run.");

    public static readonly DiagnosticDescriptor BarrierSkipsInputRules = Create(
        DiagnosticIds.BarrierSkipsInputRules,
        "Aggregate or join reads an input that has rules",
        "{0} stage '{1}' of pipeline '{2}' reads the pipeline input directly, so the rules on its input schema '{3}' ({4}) would not be checked on the rows it reads; let it read a row stage instead, for example '[Filter] static bool Checked({3} row) => true' with From = nameof(Checked)",
        DiagnosticCategories.Graph,
        DiagnosticSeverity.Error,
        "The input schema's member rules are checked by the kernel of the row stages that read the input; an aggregate or join that reads the input itself has no kernel, so rows that break a rule would reach it unchecked and unquarantined.");

    public static readonly DiagnosticDescriptor KernelFallback = Create(
        DiagnosticIds.KernelFallback,
        "Stage runs as a scalar loop",
        "Stage '{0}' of pipeline '{2}' is compiled to a loop that calls the method per row because the kernel compiler does not support {1}; rewrite it with supported constructs for a columnar kernel",
        DiagnosticCategories.Performance,
        DiagnosticSeverity.Warning,
        "Only single-expression stages over schema members, operators, patterns and static calls become columnar kernels; other stages stay correct but allocate a row object per row, and their fused segment gets no vector block.");

    public static readonly DiagnosticDescriptor VectorBlockDeclined = Create(
        DiagnosticIds.VectorBlockDeclined,
        "Stage gets no vector block",
        "Stage '{0}' of pipeline '{1}' gets no vector block because of {2} ({3}); every row of segment '{4}' runs the per-row code, with the same results but slower",
        DiagnosticCategories.Performance,
        DiagnosticSeverity.Warning,
        "A fused segment runs whole blocks of rows as SIMD vector code only when every construct of its stages has a vector form that gives exactly the scalar C# result and cannot throw; otherwise the whole segment runs its per-row code.");

    private static readonly Dictionary<string, DiagnosticDescriptor> s_byId = new(StringComparer.Ordinal)
    {
        [SchemaNotPartial.Id] = SchemaNotPartial,
        [SchemaMemberTypeUnsupported.Id] = SchemaMemberTypeUnsupported,
        [SchemaNotPositionalRecord.Id] = SchemaNotPositionalRecord,
        [SchemaColumnNameDuplicate.Id] = SchemaColumnNameDuplicate,
        [SchemaColumnNameInvalid.Id] = SchemaColumnNameInvalid,
        [ConstraintBoundsImpossible.Id] = ConstraintBoundsImpossible,
        [UtcOnNonDateTime.Id] = UtcOnNonDateTime,
        [ColumnTypeAttributeInvalid.Id] = ColumnTypeAttributeInvalid,
        [RuleDoesNotFitMember.Id] = RuleDoesNotFitMember,
        [RegexPatternInvalid.Id] = RegexPatternInvalid,
        [StageTypeNotSchema.Id] = StageTypeNotSchema,
        [StageNotStatic.Id] = StageNotStatic,
        [StageSignatureInvalid.Id] = StageSignatureInvalid,
        [PipelineNotPartial.Id] = PipelineNotPartial,
        [StageNameNotUnique.Id] = StageNameNotUnique,
        [StageNotPure.Id] = StageNotPure,
        [StageHasSideEffects.Id] = StageHasSideEffects,
        [StageParameterTypeUnsupported.Id] = StageParameterTypeUnsupported,
        [StageHasTooManyParameters.Id] = StageHasTooManyParameters,
        [StageParameterByReference.Id] = StageParameterByReference,
        [FitReturnTypeInvalid.Id] = FitReturnTypeInvalid,
        [FitSelectorInvalid.Id] = FitSelectorInvalid,
        [FitArgumentNotConstant.Id] = FitArgumentNotConstant,
        [FitDataEscapes.Id] = FitDataEscapes,
        [FitColumnTypeMismatch.Id] = FitColumnTypeMismatch,
        [AggregateOutputInvalid.Id] = AggregateOutputInvalid,
        [AggregateOutputTypeMismatch.Id] = AggregateOutputTypeMismatch,
        [AggregateKeyInvalid.Id] = AggregateKeyInvalid,
        [JoinOutputInvalid.Id] = JoinOutputInvalid,
        [JoinKeyInvalid.Id] = JoinKeyInvalid,
        [SplitInvalid.Id] = SplitInvalid,
        [FromStageNotFound.Id] = FromStageNotFound,
        [StageCycle.Id] = StageCycle,
        [StageInputAmbiguous.Id] = StageInputAmbiguous,
        [PipelineInputSchemasDiffer.Id] = PipelineInputSchemasDiffer,
        [FromSchemaMismatch.Id] = FromSchemaMismatch,
        [StageUnreachable.Id] = StageUnreachable,
        [PipelineHasNoStages.Id] = PipelineHasNoStages,
        [FromColumnMissing.Id] = FromColumnMissing,
        [FromColumnTypeMismatch.Id] = FromColumnTypeMismatch,
        [FromColumnNullability.Id] = FromColumnNullability,
        [UniqueNotOnInput.Id] = UniqueNotOnInput,
        [GateInvalid.Id] = GateInvalid,
        [FitNeedsItsOwnRecord.Id] = FitNeedsItsOwnRecord,
        [FitRecordNotUnique.Id] = FitRecordNotUnique,
        [FitRecordUnused.Id] = FitRecordUnused,
        [SplitNotOnSink.Id] = SplitNotOnSink,
        [FitAfterBarrier.Id] = FitAfterBarrier,
        [ModelFileInvalid.Id] = ModelFileInvalid,
        [ModelDoesNotFitStage.Id] = ModelDoesNotFitStage,
        [BarrierSkipsInputRules.Id] = BarrierSkipsInputRules,
        [KernelFallback.Id] = KernelFallback,
        [VectorBlockDeclined.Id] = VectorBlockDeclined,
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
