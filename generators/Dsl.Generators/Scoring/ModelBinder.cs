using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using Dsl.Generators.Common;
using Dsl.Generators.Diagnostics;
using Dsl.Generators.Model;
using Microsoft.CodeAnalysis;

namespace Dsl.Generators.Scoring;

/// <summary>
/// Reads the model file of every <c>[Score]</c> stage of a pipeline from the build's additional files and checks it
/// against the stage: the features are members of the stage's input of a numeric or boolean type, and the stage takes
/// as many outputs as the model gives. A file that is missing, unreadable or unsupported is DSL3019; a model that does
/// not fit its stage is DSL3020; either leaves the pipeline uncompiled.
/// </summary>
internal static class ModelBinder
{
    /// <summary>
    /// The pipeline with its score stages' models read, or null with the problems. The problems carry no location (the
    /// spec holds none, so moving code leaves this step cached); <see cref="ModelProblems.Locate"/> finds the attributes.
    /// </summary>
    public static ModelBinding Bind(PipelineSpec spec, ImmutableArray<AdditionalText> files, CancellationToken cancellationToken)
    {
        if (!spec.Stages.Any(s => s.Score is not null))
        {
            return new ModelBinding(spec, ModelProblems.None(spec));
        }
        var diagnostics = new List<ModelProblem>();
        var stages = new List<StageSpec>(spec.Stages.Count);
        foreach (StageSpec stage in spec.Stages)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (stage.Score is not { } score)
            {
                stages.Add(stage);
                continue;
            }
            ScoreSpec? bound = BindStage(spec, stage, score, files, diagnostics, cancellationToken);
            stages.Add(bound is null ? stage : stage with { Score = bound });
        }
        ModelProblems problems = ModelProblems.None(spec) with { Problems = diagnostics.ToEquatableArray() };
        return diagnostics.Count > 0
            ? new ModelBinding(null, problems)
            : new ModelBinding(spec with { Stages = stages.ToEquatableArray() }, problems);
    }

    private static ScoreSpec? BindStage(PipelineSpec pipeline, StageSpec stage, ScoreSpec score, ImmutableArray<AdditionalText> files, List<ModelProblem> diagnostics, CancellationToken cancellationToken)
    {
        if (score.RunTimeName is not null || score.ModelPath.Length == 0)
        {
            return BindRunTime(pipeline, stage, score, diagnostics);
        }
        List<AdditionalText> found = Find(files, score.ModelPath);
        if (found.Count > 1)
        {
            diagnostics.Add(new ModelProblem(DiagnosticIds.ModelFileInvalid, stage.Name, score.ModelPath,
                found.Count + " files given to the build end with that path (" + string.Join(", ", found.Select(f => f.Path)) + "); name one by more of its path"));
            return null;
        }
        if (found.Count == 0 || found[0].GetText(cancellationToken)?.ToString() is not { } text)
        {
            diagnostics.Add(new ModelProblem(DiagnosticIds.ModelFileInvalid, stage.Name, score.ModelPath,
                "no such file is given to the build (the SDK gives it every file under models/; elsewhere add it as <AdditionalFiles Include=\"" + score.ModelPath + "\" />)"));
            return null;
        }
        if (Read(score.ModelPath, text, out string? error) is not { } model)
        {
            diagnostics.Add(new ModelProblem(DiagnosticIds.ModelFileInvalid, stage.Name, score.ModelPath, error!));
            return null;
        }
        SchemaSpec input = pipeline.Schema(stage.InputSchema);
        if (Features(model, score, input, out error) is not { } members)
        {
            diagnostics.Add(new ModelProblem(DiagnosticIds.ModelDoesNotFitStage, stage.Name, score.ModelPath, error!));
            return null;
        }
        int outputs = model.Outputs(score.Margin);
        if (outputs != score.Outputs.Count)
        {
            string what = score.Margin ? "margin" : "prediction";
            string expected = outputs == 1
                ? "one " + what + " (" + model.Describe() + ")"
                : outputs + " " + what + "s, one per class (" + model.Describe() + ")";
            diagnostics.Add(new ModelProblem(DiagnosticIds.ModelDoesNotFitStage, stage.Name, score.ModelPath,
                "the model gives " + expected + " but the method takes " + score.Outputs.Count + " after its row"));
            return null;
        }
        return score with { Model = model, FeatureMembers = members };
    }

    /// <summary>
    /// A stage whose model is given at run time (<c>ModelName</c>): no file to read, so the build checks what it can,
    /// the name and the <c>Features</c> members; the run checks the file's feature and output counts when it loads it.
    /// </summary>
    private static ScoreSpec? BindRunTime(PipelineSpec pipeline, StageSpec stage, ScoreSpec score, List<ModelProblem> diagnostics)
    {
        string? name = score.RunTimeName;
        if (name is null)
        {
            diagnostics.Add(new ModelProblem(DiagnosticIds.ModelFileInvalid, stage.Name, score.ModelPath,
                "the attribute names no model: give a file ([Score(\"models/m.json\")]) or a ModelName the run gives the file of"));
            return null;
        }
        if (score.ModelPath.Length != 0)
        {
            diagnostics.Add(new ModelProblem(DiagnosticIds.ModelFileInvalid, stage.Name, score.ModelPath,
                "the attribute also names ModelName '" + name + "'; give the file (compiled in) or ModelName (given at run time), not both"));
            return null;
        }
        if (!IsModelName(name))
        {
            diagnostics.Add(new ModelProblem(DiagnosticIds.ModelDoesNotFitStage, stage.Name, name,
                "ModelName must be letters, digits, '_', '-' and '.', starting with a letter or '_', to be given as --model NAME=PATH"));
            return null;
        }
        if (score.DeclaredFeatures.IsEmpty)
        {
            diagnostics.Add(new ModelProblem(DiagnosticIds.ModelDoesNotFitStage, stage.Name, name,
                "a model given at run time needs the input members that are its features, in its order, in the attribute's Features (the build cannot read the names from the file)"));
            return null;
        }
        if (Members(score.DeclaredFeatures, pipeline.Schema(stage.InputSchema), out string? error) is not { } members)
        {
            diagnostics.Add(new ModelProblem(DiagnosticIds.ModelDoesNotFitStage, stage.Name, name, error!));
            return null;
        }
        return score with { FeatureMembers = members };
    }

    /// <summary>Whether <paramref name="name"/> can name a run-time model on the command line and in YAML.</summary>
    internal static bool IsModelName(string name)
    {
        if (name.Length == 0 || !(char.IsLetter(name[0]) || name[0] == '_') || name[0] > 127)
        {
            return false;
        }
        foreach (char c in name)
        {
            if (c > 127 || !(char.IsLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The additional files whose paths end with <paramref name="modelPath"/> (separators either way).</summary>
    private static List<AdditionalText> Find(ImmutableArray<AdditionalText> files, string modelPath)
    {
        string wanted = "/" + modelPath.Replace('\\', '/').TrimStart('/');
        if (wanted.StartsWith("/./", System.StringComparison.Ordinal))
        {
            wanted = wanted.Substring(2);
        }
        var found = new List<AdditionalText>();
        foreach (AdditionalText file in files)
        {
            if (file.Path.Replace('\\', '/').EndsWith(wanted, System.StringComparison.Ordinal))
            {
                found.Add(file);
            }
        }
        return found;
    }

    /// <summary>
    /// The model in <paramref name="text"/>, or null with <paramref name="error"/> saying why not; its SHA-256 is that of
    /// the text as UTF-8, which for a model file without a byte-order mark is the file's.
    /// </summary>
    internal static ModelSpec? Read(string path, string text, out string? error) =>
        ModelFile.Read(path, ModelFile.Sha256(Encoding.UTF8.GetBytes(text)), text, out error);

    /// <summary>The input members that are the model's features, in its order, or null with <paramref name="error"/>.</summary>
    private static EquatableArray<string>? Features(ModelSpec model, ScoreSpec score, SchemaSpec input, out string? error)
    {
        IReadOnlyList<string> names;
        if (!score.DeclaredFeatures.IsEmpty)
        {
            if (score.DeclaredFeatures.Count != model.FeatureCount)
            {
                error = "Features lists " + score.DeclaredFeatures.Count + " members but the model reads " + model.FeatureCount + " features";
                return null;
            }
            // The list maps the model's features to members by position, whatever the model calls them (a DataFrame's
            // "Amount (USD)" can be no member's name).
            names = score.DeclaredFeatures;
        }
        else if (!model.FeatureNames.IsEmpty)
        {
            names = model.FeatureNames;
        }
        else
        {
            error = "the model does not name its " + model.FeatureCount + " features; list the input members that are its features, in its order, in the attribute's Features";
            return null;
        }
        return Members(names, input, out error);
    }

    /// <summary><paramref name="names"/> when each is a number or bool member of <paramref name="input"/>, else null with <paramref name="error"/>.</summary>
    private static EquatableArray<string>? Members(IReadOnlyList<string> names, SchemaSpec input, out string? error)
    {
        for (int f = 0; f < names.Count; f++)
        {
            ColumnSpec? column = input.FindMember(names[f]);
            if (column is null)
            {
                ColumnSpec? similar = input.Columns.FirstOrDefault(c => string.Equals(c.MemberName, names[f], System.StringComparison.OrdinalIgnoreCase));
                error = "feature " + f + " '" + names[f] + "' is not a member of " + input.Name
                    + (similar is null ? string.Empty : " (did you mean '" + similar.MemberName + "'?)");
                return null;
            }
            if (!IsFeatureKind(column.Kind))
            {
                error = "feature " + f + " '" + names[f] + "' is a " + column.ClrType + " member of " + input.Name + "; a feature is a number or a bool";
                return null;
            }
        }
        error = null;
        return names.ToEquatableArray();
    }

    /// <summary>Whether a member of <paramref name="kind"/> can be a feature: a number or a bool.</summary>
    internal static bool IsFeatureKind(ColumnKind kind) => kind is ColumnKind.Int8 or ColumnKind.Int16 or ColumnKind.Int32 or ColumnKind.Int64
        or ColumnKind.UInt8 or ColumnKind.UInt16 or ColumnKind.UInt32 or ColumnKind.UInt64
        or ColumnKind.Float16 or ColumnKind.Float or ColumnKind.Double or ColumnKind.Boolean;
}

/// <summary>What <see cref="ModelBinder.Bind"/> made of a pipeline: its spec with the models read (null when one could not be), and the problems.</summary>
internal sealed record ModelBinding(PipelineSpec? Spec, ModelProblems Problems);

/// <summary>One DSL3019 or DSL3020 of a score stage, as plain data: the id, the stage, the model file and what is wrong.</summary>
internal sealed record ModelProblem(string Id, string Stage, string ModelPath, string What);

/// <summary>The model problems of one pipeline and what it takes to find its stages' attributes again.</summary>
internal sealed record ModelProblems(string PipelineName, string ClassName, string FullTypeName, EquatableArray<ModelProblem> Problems)
{
    public static ModelProblems None(PipelineSpec spec) => new(spec.PipelineName, spec.ClassName, spec.FullTypeName, EquatableArray<ModelProblem>.Empty);

    /// <summary>Each problem at its stage's <c>[Score]</c> attribute in <paramref name="compilation"/>.</summary>
    public EquatableArray<LocatedDiagnostic> Locate(Compilation compilation, CancellationToken cancellationToken)
    {
        INamedTypeSymbol? type = SymbolNames.FindType(compilation, ClassName, FullTypeName, cancellationToken);
        var located = new List<LocatedDiagnostic>(Problems.Count);
        foreach (ModelProblem problem in Problems)
        {
            Location? location = type is null ? null : AttributeLocation(type, problem.Stage, cancellationToken);
            DiagnosticInfo info = DiagnosticInfo.Create(DiagnosticDescriptors.ById(problem.Id), location, problem.Stage, PipelineName, problem.ModelPath, problem.What);
            located.Add(new LocatedDiagnostic(info, location?.SourceTree));
        }
        return located.ToEquatableArray();
    }

    private static Location? AttributeLocation(INamedTypeSymbol type, string stage, CancellationToken cancellationToken)
    {
        foreach (ISymbol member in type.GetMembers(stage))
        {
            foreach (AttributeData attribute in member.GetAttributes())
            {
                if (attribute.AttributeClass?.ToDisplayString() == KnownTypeNames.ScoreAttribute)
                {
                    return attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).GetLocation() ?? member.Locations[0];
                }
            }
        }
        return null;
    }
}
